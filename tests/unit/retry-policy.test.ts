/**
 * The retry policy as pure functions: which failed requests axios-retry may repeat, and how long it waits.
 */
import type { AxiosError } from "axios";
import { backoffDelay, defaultBackoff, isRetryableRequest, retryDelay } from "../../provider/api/retry";

function axiosError(method: string, status?: number, code?: string, headers: Record<string, string> = {}): AxiosError {
    return {
        isAxiosError: true,
        code,
        config: { method, headers: {} },
        response: status === undefined ? undefined : { status, headers, data: "", statusText: "", config: {} },
    } as unknown as AxiosError;
}

describe("isRetryableRequest", () => {
    it.each([
        ["get", 500, undefined, true],
        ["get", 503, undefined, true],
        ["get", 429, undefined, true],
        ["get", 404, undefined, false],
        ["get", 400, undefined, false],
        ["get", undefined, "ECONNRESET", true],
        ["get", undefined, "ECONNABORTED", true],
        ["get", undefined, "ECONNREFUSED", true],
        ["get", undefined, "ENOTFOUND", false],
        ["get", undefined, "ERR_CANCELED", false],
        ["patch", 502, undefined, true],
        ["put", 500, undefined, true],
        ["delete", undefined, "ECONNRESET", true],
        ["delete", 401, undefined, false],
        ["post", 429, undefined, true],
        ["post", 500, undefined, false],
        ["post", 503, undefined, false],
        ["post", undefined, "ECONNRESET", false],
        ["post", undefined, "ECONNABORTED", false],
        ["post", 400, undefined, false],
    ])("%s %s %s → %s", (method, status, code, expected) => {
        expect(isRetryableRequest(axiosError(method, status, code))).toBe(expected);
    });
});

describe("backoff", () => {
    it("doubles from 250 ms, capped at 10 s, with jitter within [half, full]", () => {
        const bounds = [1, 2, 3, 4, 5, 6, 7, 10].map((n) => [
            backoffDelay(n, defaultBackoff, () => 0),
            backoffDelay(n, defaultBackoff, () => 1),
        ]);
        expect(bounds).toEqual([
            [125, 250],
            [250, 500],
            [500, 1000],
            [1000, 2000],
            [2000, 4000],
            [4000, 8000],
            [5000, 10000],
            [5000, 10000],
        ]);
    });

    it("honours Retry-After (seconds or HTTP date), capped at 60 s", () => {
        expect(retryDelay(1, axiosError("get", 429, undefined, { "retry-after": "2" }), defaultBackoff)).toBe(2000);
        expect(retryDelay(1, axiosError("get", 429, undefined, { "retry-after": "3600" }), defaultBackoff)).toBe(
            60_000,
        );
        const date = new Date(Date.now() + 5000).toUTCString();
        const fromDate = retryDelay(1, axiosError("get", 503, undefined, { "retry-after": date }), defaultBackoff);
        expect(fromDate).toBeGreaterThan(3000);
        expect(fromDate).toBeLessThanOrEqual(5000);
        const without = retryDelay(3, axiosError("get", 500), defaultBackoff);
        expect(without).toBeGreaterThanOrEqual(500);
        expect(without).toBeLessThanOrEqual(1000);
    });
});
