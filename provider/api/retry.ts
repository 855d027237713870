/**
 * The retry policy of the Cloud Elements client, as pure functions: which failed requests axios-retry may repeat
 * as they are, and how long to wait before the next attempt.
 *
 * GET, PATCH, PUT and DELETE are idempotent here and are retried on 429 (honouring Retry-After), 5xx and network
 * errors, timeouts included. POST is retried only on 429 (the request was refused, so nothing was created); every
 * other POST failure is left to `create`, which must find out whether the instance exists before trying again.
 */
import type { AxiosError } from "axios";
import { isPermanentNetworkCode } from "./errors";

/** Backoff parameters. */
export interface RetryPolicy {
    /** Retries after the first attempt. */
    readonly maxRetries: number;
    /** Delay before the first retry; doubles each retry. */
    readonly baseDelayMs: number;
    /** Cap of the exponential delay. */
    readonly maxDelayMs: number;
    /** Cap of a server-requested Retry-After. */
    readonly maxRetryAfterMs: number;
}

/** The default backoff: base 250 ms, cap 10 s, Retry-After capped at 60 s. */
export const defaultBackoff = { baseDelayMs: 250, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 } as const;

/**
 * Delay before retry number `retryNumber` (1-based): exponential, capped, with "equal jitter" (half fixed, half
 * random) so that concurrent creates in one provider process do not retry in lockstep.
 */
export function backoffDelay(
    retryNumber: number,
    policy: Omit<RetryPolicy, "maxRetries">,
    random = Math.random,
): number {
    const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retryNumber - 1));
    return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** The server's Retry-After of `error` in milliseconds (0 when absent); axios-retry is loaded only when needed. */
export function retryAfterMs(error: AxiosError): number {
    const { retryAfter }: typeof import("axios-retry") = require("axios-retry");
    return retryAfter(error);
}

/** The delay before a retry of `error`: the server's Retry-After (capped) when present, else {@link backoffDelay}. */
export function retryDelay(
    retryNumber: number,
    error: AxiosError | undefined,
    policy: Omit<RetryPolicy, "maxRetries">,
): number {
    const requested = error ? retryAfterMs(error) : 0;
    if (requested > 0) {
        return Math.min(requested, policy.maxRetryAfterMs);
    }
    return backoffDelay(retryNumber, policy);
}

const idempotentMethods = new Set(["get", "head", "options", "put", "patch", "delete"]);

/** Whether axios-retry may repeat this failed request as is. */
export function isRetryableRequest(error: AxiosError): boolean {
    if (error.code === "ERR_CANCELED") {
        return false;
    }
    const method = (error.config?.method ?? "").toLowerCase();
    const status = error.response?.status;
    if (method === "post") {
        // 429 means the request was refused before anything was created. Anything else is ambiguous for a POST.
        return status === 429;
    }
    if (!idempotentMethods.has(method)) {
        return false;
    }
    return status === undefined ? !isPermanentNetworkCode(error.code) : status === 429 || status >= 500;
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}
