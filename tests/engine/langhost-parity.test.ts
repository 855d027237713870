/**
 * Parity of our Node.js language host (tools/pulumi-cli/langhost) with the Automation API inline path, for programs
 * that fail (tests/fixtures/parity/programs.ts): a missing required config value, a thrown Error, a RunError, an
 * unhandled promise rejection and `process.exit(3)`. Each runs as a program directory through the real CLI and our
 * host (`pulumi preview`, as a user would) and as the same code inline (`stack.preview()`, in a plain Node process:
 * inline-runner.ts). Compared: the exit status, the diagnostics the user reads (under our host the error once; one
 * line and no stack trace for expected failures; the inline path repeats it) and that nothing waits: every failure must finish within a loose bound relative to a
 * passing program on the same path, measured in the same run. The bound tolerates a loaded machine but catches the
 * ~20 s stall a missing config value had under our host (nodejs/node#64011, see tools/pulumi-cli/README.md).
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type FailingProgram, failingPrograms, parityProject, passingProgram } from "../fixtures/parity/programs";
import { createBackend, pulumiBinDir, repoRoot, runPulumi, type TestBackend, workFolder } from "../helpers/pulumi";

jest.setTimeout(600_000);

/** What the user sees of one `preview`. */
interface Outcome {
    /** Exit status of the `pulumi` command (inline: of the Automation API program when it ended itself). */
    readonly code: number;
    /** Everything the command printed. */
    readonly output: string;
    /** The Diagnostics section (the errors as the user reads them), without color codes. */
    readonly diagnostics: string;
    /** Wall time of the whole run. */
    readonly ms: number;
}

/** The Diagnostics section of a CLI output, without color codes. */
function diagnosticsOf(output: string): string {
    const start = output.indexOf("\nDiagnostics:\n");
    if (start === -1) {
        return "";
    }
    const end = output.indexOf("\nResources:\n", start);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI color codes are what is stripped
    return output.slice(start + 1, end === -1 ? undefined : end).replace(/\x1b\[[0-9;]*m/g, "");
}

function count(text: string, part: string): number {
    return text.split(part).length - 1;
}

function errorLines(diagnostics: string): string[] {
    return diagnostics
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith("error:"));
}

let backend: TestBackend;
let programDir: string;
/** Durations of a passing preview on each path, measured now: the reference for "nothing waits". */
const passingMs = { host: 0, inline: 0 };
const durations: string[] = [];

/** `pulumi preview` of the program directory with this index.js, through the CLI and our host. */
async function previewWithHost(source: string): Promise<Outcome> {
    fs.writeFileSync(path.join(programDir, "index.js"), source);
    const started = Date.now();
    const result = await runPulumi(["preview", "--stack", "dev"], { cwd: programDir, backend });
    const output = result.stdout + result.stderr;
    return { code: result.code, output, diagnostics: diagnosticsOf(output), ms: Date.now() - started };
}

/** `stack.preview()` of the named program inline, in a plain Node process (inline-runner.ts). */
function previewInline(name: string): Promise<Outcome> {
    const runner = path.join(repoRoot, "tests", "fixtures", "parity", "inline-runner.ts");
    const { cleanup: _, ...shared } = backend;
    const started = Date.now();
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", runner, name],
            { cwd: repoRoot, env: { ...process.env, PARITY_BACKEND: JSON.stringify(shared) }, timeout: 300_000 },
            (error, stdout, stderr) => {
                const ms = Date.now() - started;
                const line = String(stdout).trim().split("\n").pop() ?? "";
                if (line.startsWith("{")) {
                    const { code, output } = JSON.parse(line) as { code: number; output: string };
                    resolve({ code, output, diagnostics: diagnosticsOf(output), ms });
                } else {
                    // The program ended the Automation API process itself (process.exit).
                    const code = error && typeof error.code === "number" ? error.code : -1;
                    resolve({ code, output: String(stdout) + String(stderr), diagnostics: "", ms });
                }
            },
        );
    });
}

const hostOutcomes = new Map<string, Promise<Outcome>>();

/** The host's outcome of a failing program, run once for both tests of the program. */
function hostOutcome(program: FailingProgram): Promise<Outcome> {
    let result = hostOutcomes.get(program.name);
    if (!result) {
        result = previewWithHost(program.source);
        hostOutcomes.set(program.name, result);
    }
    return result;
}

/** The loose bound for a failing preview: twice a passing one on the same path, plus 10 s for a loaded machine. */
function bound(kind: keyof typeof passingMs): number {
    return 2 * passingMs[kind] + 10_000;
}

/**
 * The failure is said clearly and nothing else is in front of the user. `once`: the message exactly once, in a single
 * `error:` line. The inline path says each failure twice (SDK 3.276.0's Automation API language server logs the
 * uncaught error, then returns it again as the run's error), so there it must only be said, with nothing else.
 */
function expectClearFailure(result: Outcome, program: FailingProgram, once: boolean): void {
    expect(result.code).toBe(1);
    if (once) {
        expect(count(result.diagnostics, program.message)).toBe(1);
        expect(errorLines(result.diagnostics)).toHaveLength(1);
    } else {
        expect(count(result.diagnostics, program.message)).toBeGreaterThanOrEqual(1);
        for (const line of errorLines(result.diagnostics)) {
            expect(line).toContain(program.expected ? program.message : "parity");
        }
    }
    expect(result.output).not.toContain("warning:");
    if (program.expected) {
        expect(result.diagnostics).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m); // no stack trace
    }
}

beforeAll(async () => {
    pulumiBinDir(); // a missing CLI fails the suite here, with the reason
    backend = createBackend("parity");
    programDir = workFolder("parity");
    fs.writeFileSync(
        path.join(programDir, "Pulumi.yaml"),
        `name: ${parityProject}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n`,
    );
    // cmd/run reads the nearest package.json for the entry point: without its own, it would take the repository's.
    fs.writeFileSync(path.join(programDir, "package.json"), JSON.stringify({ name: parityProject, main: "index.js" }));
    const init = await runPulumi(["stack", "init", "dev"], { cwd: programDir, backend });
    expect(init.code).toBe(0);

    const host = await previewWithHost(passingProgram.source);
    expect(host.code).toBe(0);
    passingMs.host = host.ms;
    const inline = await previewInline("passing");
    expect(inline.code).toBe(0);
    passingMs.inline = inline.ms;
    durations.push(`passing program: host ${host.ms} ms, inline ${inline.ms} ms`);
});

afterAll(() => {
    // For the README's figures and for anyone chasing a slow failure; the assertions use only the bounds.
    console.log(
        `preview durations (bounds: host ${bound("host")} ms, inline ${bound("inline")} ms)\n${durations.join("\n")}`,
    );
    backend?.cleanup();
});

describe.each(failingPrograms)("$name", (program) => {
    test("our host: exit status 1, the error once, no waiting", async () => {
        const host = await hostOutcome(program);
        durations.push(`${program.name}: host ${host.ms} ms`);
        expectClearFailure(host, program, true);
        if (program.expected) {
            expect(errorLines(host.diagnostics)).toEqual([program.message]);
        }
        expect(host.ms).toBeLessThan(bound("host"));
    });

    test("inline program: the same exit status and error, no waiting", async () => {
        const host = await hostOutcome(program);
        const inline = await previewInline(program.name);
        durations.push(`${program.name}: inline ${inline.ms} ms`);
        expect(inline.ms).toBeLessThan(bound("inline"));
        if (program.name === "process.exit(3)") {
            // Inline, the program runs in the Automation API process: exiting ends that process, with its status.
            expect(inline.code).toBe(3);
            return;
        }
        expect(inline.code).toBe(host.code);
        expectClearFailure(inline, program, false);
        if (program.expected) {
            // The same lines, only repeated inline.
            expect(new Set(errorLines(inline.diagnostics))).toEqual(new Set(errorLines(host.diagnostics)));
        }
    });
});
