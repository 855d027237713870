/**
 * The `/proc` reader shared by `recover`, the benchmark and the reliability suites, on real processes: a child that
 * starts a grandchild, both found as descendants with their parents, command lines and memory; gone once killed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
    commandArgs,
    commandLine,
    descendantsOf,
    hasProcFs,
    isAlive,
    parentPid,
    readMemory,
    readStat,
    workingDirectory,
} from "../../cli/proc-tree";

/** A child Node process that starts a grandchild and prints the grandchild's pid; both idle until killed. */
function startTree(): { child: ChildProcess; grandchild: Promise<number> } {
    const grandchildScript = "setInterval(() => {}, 60000)";
    // The SIGTERM handler is installed before the pid is printed: the test may signal as soon as it reads it.
    const childScript =
        `let c; process.on("SIGTERM", () => { c.kill("SIGKILL"); process.exit(0); }); ` +
        `c = require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(grandchildScript)}], ` +
        `{ stdio: "ignore" }); process.stdout.write(String(c.pid) + "\\n"); setInterval(() => {}, 60000);`;
    const child = spawn(process.execPath, ["-e", childScript, "proc-tree-test-marker"], {
        stdio: ["ignore", "pipe", "inherit"],
    });
    const grandchild = new Promise<number>((resolve, reject) => {
        let text = "";
        child.stdout?.on("data", (chunk: Buffer) => {
            text += chunk.toString("utf8");
            if (text.includes("\n")) {
                resolve(Number(text.trim()));
            }
        });
        child.once("exit", () => reject(new Error("the child exited before starting the grandchild")));
    });
    return { child, grandchild };
}

/** Resolves once `predicate` holds, re-checking on every event-loop turn (no fixed sleep); fails after 10 s. */
async function eventually(predicate: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!predicate()) {
        if (Date.now() > deadline) {
            throw new Error("condition not reached within 10 s");
        }
        await new Promise((resolve) => setImmediate(resolve));
    }
}

const linux = hasProcFs() ? describe : describe.skip;

linux("process tree from /proc", () => {
    let tree: ReturnType<typeof startTree> | undefined;

    afterEach(async () => {
        const child = tree?.child;
        if (child && child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.kill("SIGTERM");
            await exited;
        }
        tree = undefined;
    });

    it("finds a child and a grandchild, with their parents, command lines and memory", async () => {
        tree = startTree();
        const child = tree.child.pid as number;
        const grandchild = await tree.grandchild;
        // The grandchild has exec'd node once its command line names its script.
        await eventually(() => (commandLine(grandchild) ?? "").includes("setInterval"));

        const descendants = descendantsOf(process.pid);
        expect(descendants).toEqual(expect.arrayContaining([child, grandchild]));
        expect(descendants.indexOf(child)).toBeLessThan(descendants.indexOf(grandchild));
        expect(descendantsOf(child)).toEqual([grandchild]);

        expect(parentPid(child)).toBe(process.pid);
        expect(parentPid(grandchild)).toBe(child);
        expect(commandArgs(child)).toEqual([process.execPath, "-e", expect.any(String), "proc-tree-test-marker"]);
        expect(commandLine(child)).toMatch(/ proc-tree-test-marker$/);
        expect(workingDirectory(child)).toBe(process.cwd());
        expect(isAlive(child)).toBe(true);
        expect(readStat(child)?.state).toMatch(/^[RSD]$/);

        const memory = readMemory(grandchild);
        expect(memory?.rssKb).toBeGreaterThan(1000);
        expect(memory?.hwmKb).toBeGreaterThanOrEqual(memory?.rssKb ?? Number.POSITIVE_INFINITY);
    });

    it("reports a killed process as gone, and nothing for a pid that does not exist", async () => {
        tree = startTree();
        const child = tree.child;
        const grandchild = await tree.grandchild;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM"); // the child kills the grandchild first
        await exited;
        await eventually(() => !isAlive(grandchild));

        expect(isAlive(child.pid as number)).toBe(false);
        expect(descendantsOf(process.pid)).not.toContain(child.pid);
        const impossible = 2 ** 30; // above pid_max on Linux
        expect(isAlive(impossible)).toBe(false);
        expect(parentPid(impossible)).toBeUndefined();
        expect(commandLine(impossible)).toBeUndefined();
        expect(readMemory(impossible)).toBeUndefined();
        expect(descendantsOf(impossible)).toEqual([]);
    });

    it("reads this process's own CPU time and the CPU time of its reaped children", async () => {
        const before = readStat("self");
        const child = spawn(process.execPath, ["-e", "let x = 0; for (let i = 0; i < 3e7; i++) x += i;"]);
        await new Promise((resolve) => child.once("exit", resolve));
        const after = readStat("self");
        expect(before?.ppid).toBe(process.ppid);
        expect(after?.cpuMs).toBeGreaterThan(0);
        // The child (Node start-up and a busy loop) used well over one 10 ms tick; its CPU time joins ours once reaped.
        expect((after?.childrenCpuMs ?? 0) - (before?.childrenCpuMs ?? 0)).toBeGreaterThan(0);
    }, 60_000);
});
