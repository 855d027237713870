/** Reading what `pulumi preview --diff` rendered for one resource: the diff suites of both hosts use it. */

/** The lines of the block of the resource of type `type` (from its step line to the summary or outputs). */
export function resourceBlock(stdout: string, type: string): string[] {
    const lines = stdout.split("\n");
    const start = lines.findIndex((line) => line.includes(`${type}: (`));
    if (start < 0) {
        return [];
    }
    const end = lines.findIndex((line, i) => i > start && /^\s*(Resources:|--outputs:--)/.test(line));
    return lines.slice(start, end < 0 ? undefined : end);
}

/** What the CLI showed for the resource: its step (`update`, `replace`, ...) and each marked line's name, by marker. */
export interface RenderedDiff {
    step?: string;
    marked: Record<string, string>;
}

/**
 * The step of the resource of type `type` and its marked lines (`~ name:`, `+ [1]:`, ...), keeping the names that
 * `counts` accepts (by default every one, nested ones included).
 */
export function renderedDiff(
    stdout: string,
    type: string,
    counts: (name: string) => boolean = () => true,
): RenderedDiff {
    const block = resourceBlock(stdout, type);
    const step = /: \((\w+)\)\s*$/.exec(block[0] ?? "")?.[1];
    const marked: Record<string, string> = {};
    for (const line of block.slice(1)) {
        const match = /^\s*([~+-])\s*(\w+|\[\d+\])\s*:/.exec(line);
        if (match && counts(match[2])) {
            marked[match[2]] = match[1];
        }
    }
    return { step, marked };
}
