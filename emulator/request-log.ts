/**
 * The request log's entries (`GET /__emulator/requests`): request ids, and the query and body of each request with
 * every secret redacted, so the log can be shown and asserted on freely.
 */
import { randomBytes } from "node:crypto";
import { anySecretKeys as secretKeys } from "./elements/catalogue";

const loggedBodyLimit = 16 * 1024;
const secretField =
    /^(token|authorization|providerdata)$|password|secret|signature\.key|api[._-]?key|(access|refresh)[._-]?token/i;
const redacted = "[redacted]";

const requestIdMiddle = randomBytes(5).toString("hex");
let requestIdCounter = randomBytes(3).readUIntBE(0, 3);

/** @internal A 24-hex-character id shaped like a MongoDB ObjectId (seconds, random, counter), as the platform's. */
export function newRequestId(): string {
    requestIdCounter = (requestIdCounter + 1) & 0xffffff;
    return (
        Math.floor(Date.now() / 1000)
            .toString(16)
            .padStart(8, "0") +
        requestIdMiddle +
        requestIdCounter.toString(16).padStart(6, "0")
    );
}

/** A deep copy of a request body with every secret replaced (see `RequestLogEntry.body`). */
function redact(value: unknown, inConfiguration = false): unknown {
    if (Array.isArray(value)) {
        return value.map((item) => redact(item));
    }
    if (!value || typeof value !== "object") {
        return value;
    }
    const source = value as Record<string, unknown>;
    const entryKey = typeof source.key === "string" ? source.key : undefined;
    const secretEntry = entryKey !== undefined && (secretKeys.has(entryKey) || secretField.test(entryKey));
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(source)) {
        const secret =
            secretField.test(key) ||
            (inConfiguration && secretKeys.has(key)) ||
            (secretEntry && key === "propertyValue");
        copy[key] = secret ? redacted : redact(child, key === "configuration");
    }
    return copy;
}

/** @internal The body as the log keeps it: redacted JSON, a placeholder when too large, nothing when not JSON. */
export function loggableBody(raw: Buffer, tooLarge: boolean, maxBodyBytes: number): unknown {
    if (tooLarge) {
        return `[omitted: over ${maxBodyBytes} bytes]`;
    }
    if (raw.length === 0) {
        return undefined;
    }
    if (raw.length > loggedBodyLimit) {
        return `[omitted: ${raw.length} bytes]`;
    }
    try {
        return redact(JSON.parse(raw.toString("utf8")));
    } catch {
        // Not JSON: it could hold anything, secrets included, so it is not logged.
        return undefined;
    }
}

/**
 * @internal Query parameters as an object; a repeated parameter, or one named `x[]`, becomes an array. A parameter
 * named like a secret (`token`, `apiKey`, ...) is redacted: no platform route takes one, but a careless client might
 * send it.
 */
export function queryObject(params: URLSearchParams): Record<string, string | string[]> {
    const query: Record<string, string | string[]> = {};
    for (const [key, raw] of params) {
        const value = secretField.test(key) ? redacted : raw;
        const previous = query[key];
        if (previous === undefined) {
            query[key] = key.endsWith("[]") ? [value] : value;
        } else if (Array.isArray(previous)) {
            previous.push(value);
        } else {
            query[key] = [previous, value];
        }
    }
    return query;
}
