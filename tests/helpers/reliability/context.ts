/**
 * One reliability test file's world: the e2e context of `stacks.ts` ({@link startE2E}) with the emulator's access
 * log kept, client tuning in the stack config, the environment of a plain CLI process, and cleanup of the program
 * folders the file copied.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { cliEnv } from "../pulumi";
import { type E2EContext, startE2E } from "../stacks";

/**
 * Project config that shortens the provider's budgets: `cloudelements:maxRetries`, `cloudelements:timeoutMs` (per
 * request) and `cloudelements:operationTimeoutMs` (per provider operation).
 */
export interface ClientTuning {
    readonly maxRetries?: number;
    readonly timeoutMs?: number;
    readonly operationTimeoutMs?: number;
}

/** The e2e context of one reliability test file, with the access log, client tuning and workspace cleanup. */
export interface ReliabilityContext extends Omit<E2EContext, "connectionConfig"> {
    readonly label: string;
    /** Lines of the emulator's access log so far. */
    accessLog(): readonly string[];
    /** Stack config pointing the provider at the emulator (secrets marked secret), plus client tuning. */
    connectionConfig(tuning?: ClientTuning): ConfigMap;
    /** Environment of a CLI run against this backend, with the toolchain's `pulumi` first on PATH. */
    cliEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
    /**
     * Registers an inline program's stack: its workspace folder (a temp folder the Automation API creates, holding
     * `Pulumi.<stack>.yaml`) is deleted by {@link close}. Returns the stack.
     */
    track(stack: Stack): Stack;
    /** Registers a copied program folder (see `workProgram`) for deletion by {@link close}. Returns it. */
    trackDir(dir: string): string;
    /** Stops the emulator, deletes the backend and the tracked workspaces. */
    close(): Promise<void>;
}

const tuningKeys: Record<keyof ClientTuning, string> = {
    maxRetries: "cloudelements:maxRetries",
    timeoutMs: "cloudelements:timeoutMs",
    operationTimeoutMs: "cloudelements:operationTimeoutMs",
};

/** Starts the e2e context (fresh random credentials, Freshdesk key check on) with its access log captured. */
export async function startReliability(label: string): Promise<ReliabilityContext> {
    const access: string[] = [];
    const e2e = await startE2E({ label, emulator: { log: (line) => access.push(line) } });
    const workspaces: string[] = [];
    return {
        ...e2e,
        label,
        accessLog: () => access,
        connectionConfig: (tuning = {}) => {
            const config: ConfigMap = e2e.connectionConfig();
            for (const [key, configKey] of Object.entries(tuningKeys) as [keyof ClientTuning, string][]) {
                const value = tuning[key];
                if (value !== undefined) config[configKey] = { value: String(value) };
            }
            return config;
        },
        cliEnv: (extra = {}) => cliEnv(e2e.backend, extra),
        track: (stack) => {
            const dir = stack.workspace.workDir;
            if (path.basename(dir).startsWith("automation-")) {
                workspaces.push(dir);
            }
            return stack;
        },
        trackDir: (dir) => {
            workspaces.push(dir);
            return dir;
        },
        close: async () => {
            await e2e.close();
            for (const dir of workspaces) {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}
