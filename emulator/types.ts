/**
 * Types shared by the emulator server and its control client. This module has no runtime code, so the
 * control client can be used from another process without loading the server.
 */

/** Which parts of the emulator state {@link EmulatorControl.reset} clears. Leaving every field out clears all four. */
export interface ResetOptions {
    /** Delete every instance (ids keep increasing: a deleted id is never handed out again). */
    instances?: boolean;
    /** Empty the request log (`seq` keeps increasing). */
    requests?: boolean;
    /** Remove every fault. */
    faults?: boolean;
    /** Restore the settings the emulator was started with (see {@link EmulatorSettings}). */
    settings?: boolean;
}

/**
 * An instance as the control API shows it: the stored instance plus its owner, with every secret replaced by a
 * fingerprint (see `fingerprint()`), so the control API never returns a secret.
 */
export interface EmulatedInstance {
    id: number;
    name: string;
    tags: string[];
    /** ISO-8601 UTC, e.g. `2024-05-01T10:00:00Z`. */
    createdDate: string;
    /** Fingerprint of the secret of the organization that owns the instance. */
    organizationSecretFingerprint: string;
    /** Email of the user that owns the instance. */
    userEmail: string;
    /** The element's key (`freshdeskv2`, `servicenow`, ...). */
    elementKey: string;
    /**
     * Stored configuration, every key of the element (empty and internal ones too); values are strings (an unset
     * one is `""`). Every secret of the element is replaced by `"********"` when set: Freshdesk's `username` (the
     * API key), `event.notification.signature.key`, PASSWORD entries, the OAuth client and tokens, and the secrets
     * an element keeps in text fields (`private.key`, `clientSecret`, `hubspot.authorization.apikey`).
     */
    configuration: Record<string, string>;
    /**
     * Fingerprint of the element's main secret: `username` (the Freshdesk API key), `password`,
     * `hubspot.authorization.apikey`, `private.key`, `clientSecret`, or sfdc's `oauth.user.refresh_token`
     * (docs/emulator.md, "Elements"); the fingerprint of `""` when unset.
     */
    apiKeyFingerprint: string;
    /** Fingerprint of the instance's element token. */
    tokenFingerprint: string;
    disabled: boolean;
    valid: boolean;
    /** Marked in use with {@link EmulatorControl.setInUse}: `DELETE /instances/{id}` answers 409. */
    inUse: boolean;
}

/**
 * Behaviour switches of a running emulator: set at start (`startEmulator` options, CLI flags) and changeable at run
 * time with {@link EmulatorControl.setSettings}.
 */
export interface EmulatorSettings {
    /**
     * Return `configuration.username` (the Freshdesk API key) as `"********"`. Default false: the reference
     * (section 12) says it may come back in clear, the worst case for a client, so that is what the emulator does.
     */
    maskUsername: boolean;
    /**
     * Check credentials against the accounts on create and on credential changes: Freshdesk's API keys, and the
     * credential sets listed for other elements. Default true.
     */
    validateCredentials: boolean;
    /**
     * The answer to a `tags[]`-only search without a match, which the reference does not document: `"404"` (default,
     * like every other empty list: 404 `{"requestId","message":"No instances found"}`) or `"[]"` (200 and `[]`).
     */
    emptyTagSearch: "404" | "[]";
}

/** One request to `/elements/api-v2` (control requests are not logged). */
export interface RequestLogEntry {
    /** Arrival order, starting at 1; never reused, not even after a reset. */
    seq: number;
    method: string;
    /** The request path as received, without the query string (e.g. `/elements/api-v2/instances/3`). */
    path: string;
    /** Query parameters; a repeated parameter (e.g. `tags[]`) becomes an array. */
    query: Record<string, string | string[]>;
    /** Status sent, or 0 when no response was sent (a `reset` or `commit-then-drop` fault, a client that left). */
    status: number;
    /** When the request arrived (ISO-8601). */
    startedAt: string;
    durationMs: number;
    /** Kinds of the faults that shaped this request, comma-separated in the order applied (e.g. `latency,status`). */
    fault?: string;
    userAgent?: string;
    /**
     * The parsed JSON body with secrets replaced by `"[redacted]"`: `configuration.username`,
     * `configuration["event.notification.signature.key"]`, any `token`, `Authorization`, password, secret or
     * `providerData` field, and the `propertyValue` of a configuration entry whose key is one of those.
     * Absent when there was no JSON body.
     */
    body?: unknown;
}

/** Fields every fault has: which requests it matches and how many of them it affects. */
export interface FaultMatch {
    /** HTTP method to match, case-insensitive. Any method when left out. */
    method?: string;
    /**
     * Regular expression tested against the path after `/elements/api-v2` (e.g. `^/instances/\\d+$`).
     * Any path when left out.
     */
    path?: string;
    /**
     * How many matching requests the fault applies to; `0` = until cleared. Default 1, except for `latency` and
     * `rate-limit` where it is 0.
     */
    count?: number;
}

/** Answer `status` with a `{requestId, message}` body without touching state (429 also sets `Retry-After`). */
export interface StatusFault extends FaultMatch {
    kind: "status";
    status: 429 | 500 | 502 | 503;
    /** `Retry-After` of a 429, in seconds (default 1). */
    retryAfterSeconds?: number;
}

/** Destroy the socket without answering and without touching state. */
export interface ResetFault extends FaultMatch {
    kind: "reset";
}

/** Process the request normally (a create commits the instance), then destroy the socket instead of answering. */
export interface CommitThenDropFault extends FaultMatch {
    kind: "commit-then-drop";
}

/**
 * Answer only after `delayMs`. `commit` says when the request is processed (and a change committed):
 * - `"before"` (default): at once, then the answer waits `delayMs` (a slow network after a fast platform);
 * - `"after"`: after `delayMs`, then the answer is sent at once (a slow credential check: the change appears only
 *   when the delay is over).
 * Either way the request is processed even when the client gave up and disconnected in the meantime; only
 * closing the emulator cuts an `"after"` delay short without processing the request.
 */
export interface DelayFault extends FaultMatch {
    kind: "delay";
    delayMs: number;
    commit?: "before" | "after";
}

/** Wait `latencyMs` before processing every matching request (permanent unless `count` is set). */
export interface LatencyFault extends FaultMatch {
    kind: "latency";
    latencyMs: number;
}

/**
 * A sliding one-second window over matching requests: beyond `requestsPerSecond` admitted requests, answer 429
 * with `Retry-After: 1`. Rejected requests do not count toward the window. Permanent unless `count` is set.
 */
export interface RateLimitFault extends FaultMatch {
    kind: "rate-limit";
    requestsPerSecond: number;
}

/** Answer this raw body, e.g. malformed JSON or an instance of an unknown element. */
export interface RespondFault extends FaultMatch {
    kind: "respond";
    status: number;
    body: string;
    /** Default `application/json;charset=UTF-8`. */
    contentType?: string;
    /** Extra response headers, e.g. `Elements-Next-Page-Token` for a scripted list page. */
    headers?: Record<string, string>;
}

/** A scripted fault, matched against `/elements/api-v2` requests in the order the faults were added. */
export type FaultSpec =
    | StatusFault
    | ResetFault
    | CommitThenDropFault
    | DelayFault
    | LatencyFault
    | RateLimitFault
    | RespondFault;

/** A fault currently armed, as `GET /__emulator/faults` lists it. */
export type ActiveFault = FaultSpec & {
    id: string;
    /** Matching requests it still applies to; `null` = until cleared. */
    remaining: number | null;
};

/**
 * A fault as the fault log (`GET /__emulator/fault-log`) shows it: armed, and how many requests it shaped. A `respond`
 * fault is shown without its `body` and `headers` (they may carry secrets).
 */
export type FaultLogEntry = FaultSpec & {
    id: string;
    /** When it was armed (ISO 8601). */
    armedAt: string;
    /** Requests it applied to (a rate-limit fault: requests it saw, admitted or rejected); 0 = armed, never reached. */
    fired: number;
};

/** Answer of `GET /__emulator/health`. */
export interface EmulatorHealth {
    status: "ok";
    instances: number;
    faults: number;
    /** Requests served since start (control requests excluded). */
    requestsServed: number;
    /**
     * API requests received and not yet finished (answered, dropped or abandoned), e.g. a request held by a `delay`
     * or `latency` fault. 0 means every request so far is in the request log with its final status.
     */
    inFlight: number;
    uptimeSeconds: number;
}
