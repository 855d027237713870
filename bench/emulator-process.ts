/**
 * The emulator in a child process (`node bin/emulator/cli.js --port 0`), so that its CPU time is not spent in the
 * benchmark process (which also runs the inline Pulumi programs), driven through its control API.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { EmulatorControl } from "../emulator/control-client";

/** A running emulator child process. */
export interface EmulatorProcess {
    /** The API base URL, ending in `/elements/api-v2`. */
    baseUrl: string;
    /** Its control client. */
    control: EmulatorControl;
    /** Its process id (it is a descendant of the benchmark, but never a dynamic-provider process). */
    pid: number;
    /** Stops it. */
    close(): Promise<void>;
}

/** Starts `bin/emulator/cli.js --port 0` with the repository's Node and waits for its "listening on" line. */
export async function startEmulatorProcess(repoRoot: string, timeoutMs = 30_000): Promise<EmulatorProcess> {
    const cli = path.join(repoRoot, "bin", "emulator", "cli.js");
    const child: ChildProcess = spawn(process.execPath, [cli, "--port", "0"], {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk) => {
        stderr = (stderr + String(chunk)).slice(-4000);
    });
    const baseUrl = await new Promise<string>((resolve, reject) => {
        let stdout = "";
        const timer = setTimeout(() => {
            child.kill();
            reject(new Error(`the emulator did not start within ${timeoutMs} ms: ${stdout}${stderr}`));
        }, timeoutMs);
        child.stdout!.on("data", (chunk) => {
            stdout += String(chunk);
            const match = /listening on (\S+)/.exec(stdout);
            if (match) {
                clearTimeout(timer);
                resolve(match[1]);
            }
        });
        child.once("exit", (code, signal) => {
            clearTimeout(timer);
            reject(new Error(`the emulator exited (${code ?? signal}) before listening: ${stdout}${stderr}`));
        });
    });
    // Keep draining stdout so the child never blocks on a full pipe.
    child.stdout!.resume();
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    return {
        baseUrl,
        control: new EmulatorControl(baseUrl),
        pid: child.pid!,
        close: async () => {
            if (child.exitCode === null && child.signalCode === null) {
                child.kill("SIGTERM");
                await exited;
            }
        },
    };
}
