/**
 * Processes of the interruption tests: a CLI started in the background whose output can be awaited, the process
 * tree it leaves (from Linux `/proc`), killing only what a test started, and polling for an observable condition.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { isAlive } from "../../../cli/proc-tree";
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
        for (const listener of listeners) {
            listener();
        }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.on("exit", (code, signal) => {
            for (const listener of listeners) {
                listener();
            }
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

// The process table is read by cli/proc-tree.ts (shared with `recover` and the benchmark); re-exported here so
// that the reliability suites import every process helper from one place.
export { commandLine, descendantsOf as descendants, isAlive, parentPid } from "../../../cli/proc-tree";

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
