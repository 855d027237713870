import type { ActiveFault, FaultLogEntry, FaultSpec } from "./types";

/** Faults the fault log keeps (oldest forgotten first). */
const faultLogLimit = 10_000;

/** A fault specification is not valid; the message says which field and why. */
export class FaultValidationError extends Error {
    override name = "FaultValidationError";
}

const commonFields = ["kind", "method", "path", "count"];
const kindFields: Record<FaultSpec["kind"], string[]> = {
    status: ["status", "retryAfterSeconds"],
    reset: [],
    "commit-then-drop": [],
    delay: ["delayMs", "commit"],
    latency: ["latencyMs"],
    "rate-limit": ["requestsPerSecond"],
    respond: ["status", "body", "contentType", "headers"],
};
const faultStatuses = [429, 500, 502, 503];

function nonNegative(spec: Record<string, unknown>, field: string, integer: boolean): number {
    const value = spec[field];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
        throw new FaultValidationError(`${field} must be a non-negative ${integer ? "integer" : "number"}`);
    }
    return value;
}

/** Checks the request match of a fault: an HTTP method name, a valid regular expression for the path. */
function checkMatch(spec: Record<string, unknown>): void {
    if (spec.method !== undefined && (typeof spec.method !== "string" || !/^[A-Za-z]+$/.test(spec.method))) {
        throw new FaultValidationError("method must be an HTTP method name");
    }
    if (spec.path !== undefined) {
        if (typeof spec.path !== "string") {
            throw new FaultValidationError("path must be a regular expression string");
        }
        try {
            new RegExp(spec.path);
        } catch (error) {
            throw new FaultValidationError(`path is not a valid regular expression: ${(error as Error).message}`);
        }
    }
}

/** Checks the fields of a `respond` fault: the status, the body, the content type and one-line headers. */
function checkRespond(spec: Record<string, unknown>): void {
    if (!Number.isInteger(spec.status) || (spec.status as number) < 200 || (spec.status as number) > 599) {
        throw new FaultValidationError("status must be an integer between 200 and 599");
    }
    if (typeof spec.body !== "string") {
        throw new FaultValidationError("body must be a string");
    }
    if (spec.contentType !== undefined && (typeof spec.contentType !== "string" || spec.contentType === "")) {
        throw new FaultValidationError("contentType must be a non-empty string");
    }
    if (spec.headers === undefined) {
        return;
    }
    const headers = spec.headers;
    if (!headers || typeof headers !== "object" || Array.isArray(headers)) {
        throw new FaultValidationError("headers must be an object of header names to string values");
    }
    for (const [name, value] of Object.entries(headers)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || typeof value !== "string" || /[\r\n]/.test(value)) {
            throw new FaultValidationError(`headers.${name} must be a valid header name with a one-line string value`);
        }
    }
}

/** Checks the fields specific to the fault's kind. */
function checkKindFields(spec: Record<string, unknown>, kind: FaultSpec["kind"]): void {
    switch (kind) {
        case "status":
            if (!faultStatuses.includes(spec.status as number)) {
                throw new FaultValidationError(`status must be one of ${faultStatuses.join(", ")}`);
            }
            if (spec.retryAfterSeconds !== undefined) {
                nonNegative(spec, "retryAfterSeconds", true);
            }
            break;
        case "delay":
            nonNegative(spec, "delayMs", false);
            if (spec.commit !== undefined && spec.commit !== "before" && spec.commit !== "after") {
                throw new FaultValidationError('commit must be "before" or "after"');
            }
            break;
        case "latency":
            nonNegative(spec, "latencyMs", false);
            break;
        case "rate-limit":
            nonNegative(spec, "requestsPerSecond", true);
            break;
        case "respond":
            checkRespond(spec);
            break;
        default:
            break;
    }
}

/** Checks a fault specification (from JSON) and returns it with `count` filled in. */
export function validateFaultSpec(value: unknown): FaultSpec & { count: number } {
    if (!value || typeof value !== "object" || Array.isArray(value)) {
        throw new FaultValidationError("a fault must be a JSON object");
    }
    const spec = value as Record<string, unknown>;
    const kind = spec.kind as FaultSpec["kind"];
    if (typeof kind !== "string" || !Object.hasOwn(kindFields, kind)) {
        throw new FaultValidationError(`kind must be one of ${Object.keys(kindFields).join(", ")}`);
    }
    for (const field of Object.keys(spec)) {
        if (!commonFields.includes(field) && !kindFields[kind].includes(field)) {
            throw new FaultValidationError(`unknown field '${field}' for a fault of kind '${kind}'`);
        }
    }
    checkMatch(spec);
    const count =
        spec.count === undefined
            ? kind === "latency" || kind === "rate-limit"
                ? 0
                : 1
            : nonNegative(spec, "count", true);
    checkKindFields(spec, kind);
    return { ...(spec as unknown as FaultSpec), count };
}

/** Faults that decide the fate of one request (at most one applies per request). */
export type OneShotFault = Exclude<FaultSpec, { kind: "latency" } | { kind: "rate-limit" }>;

/** What the armed faults do to one request. */
export interface FaultVerdict {
    /** Total added latency before processing. */
    latencyMs: number;
    /** A `rate-limit` fault rejects the request. */
    rateLimited: boolean;
    /** The one-shot fault to apply, if any. */
    action?: OneShotFault;
    /** Kinds that shaped the request, in order (for the request log). */
    kinds: string[];
}

interface Entry {
    id: string;
    spec: FaultSpec & { count: number };
    method?: string;
    path?: RegExp;
    /** null = until cleared. */
    remaining: number | null;
    /** rate-limit only: admission times (ms) inside the window, oldest first, from `windowStart`. */
    admitted: number[];
    windowStart: number;
}

/** Whether a rate limiter admitted its limit in the last second; drops older admissions from its window first. */
function windowFull(entry: Entry, now: number): boolean {
    const limit = (entry.spec as { requestsPerSecond: number }).requestsPerSecond;
    while (entry.windowStart < entry.admitted.length && entry.admitted[entry.windowStart] <= now - 1000) {
        entry.windowStart++;
    }
    if (entry.windowStart > 1024 && entry.windowStart * 2 > entry.admitted.length) {
        entry.admitted = entry.admitted.slice(entry.windowStart);
        entry.windowStart = 0;
    }
    return entry.admitted.length - entry.windowStart >= limit;
}

/** @internal The armed faults and their bookkeeping. */
export class FaultRegistry {
    private entries: Entry[] = [];
    private nextId = 1;
    /** Every fault armed since the last reset, exhausted and removed ones included: a fault counts only once it fired. */
    private history = new Map<string, FaultLogEntry>();

    get size(): number {
        return this.entries.length;
    }

    /** Arms a fault (validated first); returns its id. */
    add(value: unknown): string {
        const spec = validateFaultSpec(value);
        const id = `fault-${this.nextId++}`;
        this.entries.push({
            id,
            spec,
            method: spec.method?.toUpperCase(),
            path: spec.path !== undefined ? new RegExp(spec.path) : undefined,
            remaining: spec.count === 0 ? null : spec.count,
            admitted: [],
            windowStart: 0,
        });
        if (this.history.size >= faultLogLimit) {
            this.history.delete(this.history.keys().next().value as string);
        }
        // A scripted answer's body and headers may carry secrets (a `respond` fault imitating the platform): the log
        // keeps what identifies the fault, not what it answers.
        const { body: _body, headers: _headers, ...logged } = spec as FaultSpec & { body?: string; headers?: unknown };
        this.history.set(id, { ...(logged as FaultSpec), id, armedAt: new Date().toISOString(), fired: 0 });
        return id;
    }

    remove(id: string): boolean {
        const before = this.entries.length;
        this.entries = this.entries.filter((entry) => entry.id !== id);
        return this.entries.length !== before;
    }

    clear(): void {
        this.entries = [];
    }

    /** Forgets the fault log (the armed faults stay). */
    clearLog(): void {
        this.history = new Map([...this.history].filter(([id]) => this.entries.some((entry) => entry.id === id)));
    }

    /** Every fault armed since the last {@link FaultRegistry.clearLog}, with how many requests it shaped. */
    log(): FaultLogEntry[] {
        return [...this.history.values()].map((entry) => ({ ...entry }));
    }

    list(): ActiveFault[] {
        return this.entries.map((entry) => ({ ...entry.spec, id: entry.id, remaining: entry.remaining }));
    }

    /** Decides what the faults do to a request and consumes their counts. */
    evaluate(method: string, path: string, now: number = Date.now()): FaultVerdict {
        const verdict: FaultVerdict = { latencyMs: 0, rateLimited: false, kinds: [] };
        if (this.entries.length === 0) {
            return verdict;
        }
        const matching = this.entries.filter(
            (entry) =>
                (entry.method === undefined || entry.method === method) &&
                (entry.path === undefined || entry.path.test(path)),
        );
        if (matching.length === 0) {
            return verdict;
        }
        let exhausted = false;
        const consume = (entry: Entry) => {
            const logged = this.history.get(entry.id);
            if (logged) {
                logged.fired++;
            }
            if (entry.remaining !== null && --entry.remaining <= 0) {
                exhausted = true;
            }
        };
        for (const entry of matching) {
            if (entry.spec.kind !== "latency") {
                continue;
            }
            verdict.latencyMs += entry.spec.latencyMs;
            consume(entry);
        }
        if (verdict.latencyMs > 0) {
            verdict.kinds.push("latency");
        }
        const limiters = matching.filter((entry) => entry.spec.kind === "rate-limit");
        for (const entry of limiters) {
            if (windowFull(entry, now)) {
                verdict.rateLimited = true;
            }
        }
        for (const entry of limiters) {
            if (!verdict.rateLimited) {
                entry.admitted.push(now);
            }
            consume(entry);
        }
        if (verdict.rateLimited) {
            verdict.kinds.push("rate-limit");
        } else {
            const oneShot = matching.find((entry) => entry.spec.kind !== "latency" && entry.spec.kind !== "rate-limit");
            if (oneShot) {
                verdict.action = oneShot.spec as OneShotFault;
                verdict.kinds.push(oneShot.spec.kind);
                consume(oneShot);
            }
        }
        if (exhausted) {
            this.entries = this.entries.filter((entry) => entry.remaining === null || entry.remaining > 0);
        }
        return verdict;
    }
}
