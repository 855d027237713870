/**
 * Generated blocks in Markdown files: the text between `<!-- <name>:start -->` and `<!-- <name>:end -->` belongs to
 * a command of ours (the reliability report, the benchmark report) and is replaced whole on every run, so figures in
 * the docs are always the ones the code printed.
 */
import * as fs from "node:fs";

/** The start and end marker comments of block `name`. */
export function markers(name: string): { start: string; end: string } {
    return { start: `<!-- ${name}:start -->`, end: `<!-- ${name}:end -->` };
}

/**
 * `text` with the block `name` replaced by `content` (the markers stay, content between them on its own lines).
 * Throws unless each marker occurs exactly once, start before end, so a missing or doubled marker never writes
 * figures in the wrong place.
 */
export function replaceMarkedBlock(text: string, name: string, content: string): string {
    const { start, end } = markers(name);
    const count = (marker: string) => text.split(marker).length - 1;
    if (count(start) !== 1 || count(end) !== 1) {
        throw new Error(`expected exactly one ${start} and one ${end} (found ${count(start)} and ${count(end)})`);
    }
    const from = text.indexOf(start) + start.length;
    const to = text.indexOf(end);
    if (to < from) {
        throw new Error(`${end} comes before ${start}`);
    }
    return `${text.slice(0, from)}\n${content.trim()}\n${text.slice(to)}`;
}

/** Replaces block `name` of the file at `file` with `content`, in place. */
export function writeMarkedBlock(file: string, name: string, content: string): void {
    fs.writeFileSync(file, replaceMarkedBlock(fs.readFileSync(file, "utf8"), name, content));
}
