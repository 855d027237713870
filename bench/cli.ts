/**
 * The Pulumi CLI through the Automation API, with an isolated `file://` backend, and the wall time of every CLI
 * command it runs.
 *
 * `stack.up()` runs `pulumi up` and then two more commands (`stack output`, `stack history`) before it returns, and
 * `createOrSelectStack`/`setAllConfig` run others. Timing the Automation API call would add those fixed costs to
 * both the provider and the floor and flatten the ratio, so the benchmark times the `pulumi up|preview|refresh|destroy`
 * process itself: {@link TimedPulumiCommand} wraps `PulumiCommand.run` (public in the JS, left out of the typings) and
 * records when each command started and ended.
 */
import type { PulumiCommand } from "@pulumi/pulumi/automation";
import { readStat } from "../cli/proc-tree";
import {
    createOfflineBackend,
    type OfflineBackend,
    type ToolchainOptions,
    toolchainCommand,
} from "../scripts/offline-pulumi";

/** One CLI command as the wrapper saw it. */
export interface CommandTiming {
    /** The first argument (`up`, `preview`, `refresh`, `destroy`, `stack`, `config`, ...). */
    verb: string;
    /** Wall time from spawn to exit, in ms. */
    ms: number;
    /**
     * CPU time (user + system) of the command's whole process tree, ms: the engine, the plugins it waited for (the
     * dynamic provider) and the shim. Far less sensitive to other load on the machine than the wall time. Undefined
     * off Linux.
     */
    cpuMs?: number;
    /** Whether the command exited with an error. */
    failed: boolean;
}

/** A {@link PulumiCommand} whose command runs are timed. */
export interface TimedPulumiCommand {
    command: PulumiCommand;
    /** Every command run so far, in order. */
    timings: CommandTiming[];
    /** Whether `PulumiCommand.run` could be wrapped (false: only Automation API wall times are available). */
    wrapped: boolean;
}

/** What the benchmark needs of the toolchain, and how to get it. */
const toolchain: ToolchainOptions = {
    need: ["pulumi", "pulumi-resource-pulumi-nodejs"],
    hint: "run the benchmark through `npm run bench` (scripts/run.sh provisions the CLI and sets PULUMI_CLI_BIN)",
};

/** The toolchain's CLI, with its command runs timed. */
export async function timedPulumiCommand(): Promise<TimedPulumiCommand> {
    const command = await toolchainCommand(toolchain);
    const timings: CommandTiming[] = [];
    const target = command as unknown as { run?: (args: string[], ...rest: unknown[]) => Promise<unknown> };
    const original = target.run;
    if (typeof original !== "function") {
        return { command, timings, wrapped: false };
    }
    target.run = async (args: string[], ...rest: unknown[]) => {
        const start = performance.now();
        // Children's CPU is added to ours when we reap them; nothing else of ours exits while a command runs.
        const cpuBefore = readStat("self")?.childrenCpuMs;
        let failed = false;
        try {
            return await original.call(command, args, ...rest);
        } catch (e) {
            failed = true;
            throw e;
        } finally {
            const ms = performance.now() - start;
            const cpuAfter = readStat("self")?.childrenCpuMs;
            const cpuMs = cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined;
            timings.push({ verb: args[0] ?? "", ms, cpuMs, failed });
        }
    };
    return { command, timings, wrapped: true };
}

/** The benchmark's isolated backend. */
export type BenchBackend = OfflineBackend;

/** Passphrase of the benchmark's throw-away stacks. */
export const benchPassphrase = "bench-passphrase";

/** Creates a `file://` backend and a PULUMI_HOME in a new temp folder. */
export function createBackend(): BenchBackend {
    return createOfflineBackend("cef-bench", benchPassphrase);
}
