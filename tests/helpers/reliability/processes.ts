/**
 * Processes of the interruption tests: a CLI started in the background whose output can be awaited, the process
 * tree it leaves (from Linux `/proc`), killing only what a test started, and polling for an observable condition.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pulumiBinDir } from "../pulumi";

/** A `pulumi` CLI process started by a test, with its output as it arrives. */
export interface RunningCli {
    readonly child: ChildProcess;
    readonly pid: number;
    /** stdout and stderr so far, interleaved as they arrived. */
    output(): string;
    /** Resolves when `predicate(output)` holds; rejects after `timeoutMs` or when the process exits first. */
    waitFor(predicate: (output: string) => boolean, timeoutMs: number): Promise<void>;
    /** Resolves with the exit code (null when killed) and the signal. */
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `pulumi <args> --non-interactive` in `cwd`, as a user would in a terminal-less CI job. */
export function startCli(args: string[], cwd: string, env: NodeJS.ProcessEnv): RunningCli {
    const child = spawn(path.join(pulumiBinDir(), "pulumi"), [...args, "--non-interactive"], {
        cwd,
        env,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    const listeners = new Set<() => void>();
    const onData = (chunk: Buffer) => {
        text += chunk.toString("utf8");
        for (const listener of listeners) listener();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.on("exit", (code, signal) => {
            for (const listener of listeners) listener();
            resolve({ code, signal });
        });
    });
    let done = false;
    exited.then(() => {
        done = true;
    });
    if (child.pid === undefined) {
        throw new Error("pulumi did not start");
    }
    return {
        child,
        pid: child.pid,
        output: () => text,
        exited,
        waitFor: (predicate, timeoutMs) =>
            new Promise<void>((resolve, reject) => {
                const check = () => {
                    if (predicate(text)) {
                        cleanup();
                        resolve();
                    } else if (done) {
                        cleanup();
                        reject(new Error(`pulumi exited before the awaited output appeared:\n${text}`));
                    }
                };
                const timer = setTimeout(() => {
                    cleanup();
                    reject(new Error(`timed out after ${timeoutMs} ms waiting for pulumi output:\n${text}`));
                }, timeoutMs);
                const cleanup = () => {
                    clearTimeout(timer);
                    listeners.delete(check);
                };
                listeners.add(check);
                check();
            }),
    };
}

/** Parent pid of a process (Linux `/proc`), or undefined when it is gone. */
export function parentPid(pid: number): number | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    } catch {
        return undefined;
    }
}

/** The command line of a process, or undefined when it is gone. */
export function commandLine(pid: number): string | undefined {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
    } catch {
        return undefined;
    }
}

/** Every live descendant of `pid` (children, grandchildren, ...), from `/proc`. */
export function descendants(pid: number): number[] {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        const ppid = parentPid(Number(entry));
        if (ppid !== undefined) {
            children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
        }
    }
    const result: number[] = [];
    const queue = [...(children.get(pid) ?? [])];
    while (queue.length > 0) {
        const next = queue.shift() as number;
        result.push(next);
        queue.push(...(children.get(next) ?? []));
    }
    return result;
}

/** Whether a process exists (and is not a zombie). */
export function isAlive(pid: number): boolean {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0] !== "Z";
    } catch {
        return false;
    }
}

/** Sends SIGKILL to each listed process that is still alive (only processes the test started, by pid). */
export function killAll(pids: readonly number[]): number[] {
    const killed: number[] = [];
    for (const pid of pids) {
        if (isAlive(pid)) {
            try {
                process.kill(pid, "SIGKILL");
                killed.push(pid);
            } catch {
                // Exited in between.
            }
        }
    }
    return killed;
}

/** `until` lives with the emulator helpers (the emulator suites use it too); re-exported for the reliability suites. */
export { until } from "../emulator";
