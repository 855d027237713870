/**
 * One reliability test file's world: the e2e context of `stacks.ts` ({@link startE2E}) with the emulator's access
 * log kept and client tuning in the stack config.
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { type E2EContext, startE2E, type UseContextOptions, useContext } from "../stacks";

/**
 * Project config that shortens the provider's budgets: `cloudelements:maxRetries`, `cloudelements:timeoutMs` (per
 * request) and `cloudelements:operationTimeoutMs` (per provider operation).
 */
export interface ClientTuning {
    readonly maxRetries?: number;
    readonly timeoutMs?: number;
    readonly operationTimeoutMs?: number;
}

/** The e2e context of one reliability test file, with the access log and client tuning. */
export interface ReliabilityContext extends Omit<E2EContext, "connectionConfig"> {
    readonly label: string;
    /** Lines of the emulator's access log so far. */
    accessLog(): readonly string[];
    /** Stack config pointing the provider at the emulator (secrets marked secret), plus client tuning. */
    connectionConfig(tuning?: ClientTuning): ConfigMap;
}

const tuningKeys: Record<keyof ClientTuning, string> = {
    maxRetries: "cloudelements:maxRetries",
    timeoutMs: "cloudelements:timeoutMs",
    operationTimeoutMs: "cloudelements:operationTimeoutMs",
};

/**
 * Starts the e2e context (fresh random credentials, Freshdesk key check on, fixture programs transpiled only) with
 * its access log captured.
 */
export async function startReliability(label: string): Promise<ReliabilityContext> {
    const access: string[] = [];
    const e2e = await startE2E({ label, transpileOnly: true, emulator: { log: (line) => access.push(line) } });
    return {
        ...e2e,
        label,
        accessLog: () => access,
        connectionConfig: (tuning = {}) => {
            const config: ConfigMap = e2e.connectionConfig();
            for (const [key, configKey] of Object.entries(tuningKeys) as [keyof ClientTuning, string][]) {
                const value = tuning[key];
                if (value !== undefined) {
                    config[configKey] = { value: String(value) };
                }
            }
            return config;
        },
    };
}

/** {@link startReliability} for the whole test file: see `useContext` in ../stacks. */
export function useReliability(label: string, options: UseContextOptions = {}): ReliabilityContext {
    return useContext(() => startReliability(label), options);
}
