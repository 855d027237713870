/**
 * The fault matrix's cases and client tuning, shared by the dynamic resource's suite (`reliability-faults.test.ts`)
 * and the plugin's (`plugin-faults.test.ts`), so both are held to the same rows.
 */
import type { FaultSpec } from "../../emulator";

/** Three attempts per call: small, so the longer bursts exhaust it quickly. */
export const maxRetries = 2;
export const defaultTimeoutMs = 8_000;
/** The client timeout of the slow-answer cases, and how late the emulator answers them. */
export const shortTimeoutMs = 1_500;
export const slowAnswerMs = 4_000;

/** The provider operation a case targets. */
export type Operation = "create" | "update" | "read" | "delete";
export const operations: Operation[] = ["create", "update", "read", "delete"];

/** One row of the matrix. */
export interface FaultCase {
    readonly name: string;
    /** The fault; the operation sets its method and path. */
    readonly fault: FaultSpec;
    /** Longer than the retry budget: the first run must fail with `message`, the next one converge. */
    readonly permanent?: { readonly status: number };
    /** Runs with the short client timeout. */
    readonly shortTimeout?: boolean;
    /** Only for these operations. */
    readonly only?: readonly Operation[];
}

/** The rows. */
export const cases: FaultCase[] = [
    {
        name: "429 x2 with Retry-After 1s (within the budget)",
        fault: { kind: "status", status: 429, retryAfterSeconds: 1, count: 2 },
    },
    {
        name: "429 with Retry-After 1s until cleared (longer than the budget)",
        fault: { kind: "status", status: 429, retryAfterSeconds: 1, count: 0 },
        permanent: { status: 429 },
    },
    { name: "500 x2", fault: { kind: "status", status: 500, count: 2 } },
    { name: "502 x2", fault: { kind: "status", status: 502, count: 2 } },
    { name: "503 x2", fault: { kind: "status", status: 503, count: 2 } },
    {
        name: "503 until cleared (longer than the budget)",
        fault: { kind: "status", status: 503, count: 0 },
        permanent: { status: 503 },
    },
    { name: "connection reset x2", fault: { kind: "reset", count: 2 } },
    {
        name: `answer ${slowAnswerMs} ms late, client timeout ${shortTimeoutMs} ms`,
        fault: { kind: "delay", delayMs: slowAnswerMs, count: 1 },
        shortTimeout: true,
    },
    {
        name: "instance committed, then the connection dropped",
        fault: { kind: "commit-then-drop", count: 1 },
        only: ["create"],
    },
];
