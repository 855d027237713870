/**
 * Runs other programs (npm, git, bash, node) from engine tests the way a user's shell would, capturing their output.
 * The Pulumi CLI has its own runner with the backend's environment (`runPulumi` in ./pulumi).
 */
import { execFile } from "node:child_process";

/** Exit code and output of one command. */
export interface CommandResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/**
 * Runs `file` with `args` in `cwd`. `env` adds to (or, with `replaceEnv`, replaces) this process's environment.
 * Never throws on a non-zero exit; a command still running after `timeoutMs` (default 5 minutes) is killed.
 */
export function runCommand(
    file: string,
    args: readonly string[],
    opts: { cwd: string; env?: Record<string, string>; replaceEnv?: boolean; timeoutMs?: number },
): Promise<CommandResult> {
    const env = opts.replaceEnv ? { ...opts.env } : { ...process.env, ...opts.env };
    return new Promise((resolve) => {
        execFile(
            file,
            [...args],
            { cwd: opts.cwd, env, timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) =>
                resolve({
                    code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
                    stdout: String(stdout),
                    stderr: String(stderr),
                }),
        );
    });
}

/** Like {@link runCommand}, but throws with the whole output when the command fails. Returns stdout. */
export async function runCommandOk(
    file: string,
    args: readonly string[],
    opts: { cwd: string; env?: Record<string, string>; replaceEnv?: boolean; timeoutMs?: number },
): Promise<string> {
    const result = await runCommand(file, args, opts);
    if (result.code !== 0) {
        throw new Error(`${file} ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
}
