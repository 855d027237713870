/**
 * Helpers for the emulator suites: real HTTP against an emulator started on an ephemeral port.
 */
import { DEV_ACCOUNTS, type EmulatorOptions, type RunningEmulator, startEmulator } from "../../emulator";

export const DEV_ORG = DEV_ACCOUNTS.organizations[0];
export const DEV_USER = DEV_ORG.users[0];
export const DEV_USER_2 = DEV_ORG.users[1];
export const OTHER_ORG = DEV_ACCOUNTS.organizations[1];
export const OTHER_USER = OTHER_ORG.users[0];
export const ACME = DEV_ACCOUNTS.freshdesk[0];
export const GLOBEX = DEV_ACCOUNTS.freshdesk[1];

/** Authorization header of the first development user. */
export const AUTH = `User ${DEV_USER.userSecret}, Organization ${DEV_ORG.organizationSecret}`;
/** Authorization header of the user of the second development organization. */
export const OTHER_AUTH = `User ${OTHER_USER.userSecret}, Organization ${OTHER_ORG.organizationSecret}`;

/** The documented example create body (reference section 5). */
export function exampleBody(): Record<string, unknown> {
    return {
        element: { key: "freshdeskv2" },
        name: "acme-helpdesk",
        tags: ["team-a"],
        configuration: {
            subdomain: "acme",
            username: "FRESHDESK_API_KEY",
            "filter.response.nulls": true,
        },
    };
}

/** Top-level fields of the documented instance response (reference section 6). */
export const DOCUMENTED_FIELDS = [
    "id",
    "name",
    "createdDate",
    "token",
    "element",
    "elementId",
    "tags",
    "provisionInteractions",
    "valid",
    "disabled",
    "maxCacheSize",
    "cacheTimeToLive",
    "configuration",
    "eventsEnabled",
    "traceLoggingEnabled",
    "cachingEnabled",
    "externalAuthentication",
    "user",
];

export interface Reply {
    status: number;
    headers: Headers;
    text: string;
    json: any;
}

export interface CallOptions {
    body?: unknown;
    /** Sent as is (no JSON encoding). */
    rawBody?: string;
    /** Authorization header; `null` sends none. Default: the first development user. */
    auth?: string | null;
    headers?: Record<string, string>;
    signal?: AbortSignal;
}

/** One request to `baseUrl + path`; JSON bodies get `content-type: application/json`. */
export async function call(
    emulator: RunningEmulator,
    method: string,
    path: string,
    options: CallOptions = {},
): Promise<Reply> {
    const headers: Record<string, string> = {};
    const auth = options.auth === undefined ? AUTH : options.auth;
    if (auth !== null) headers.authorization = auth;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers["content-type"] = "application/json";
    }
    Object.assign(headers, options.headers);
    const response = await fetch(`${emulator.baseUrl}${path}`, { method, headers, body, signal: options.signal });
    const text = await response.text();
    let json: unknown;
    try {
        json = text ? JSON.parse(text) : undefined;
    } catch {
        json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
}

/** Creates an instance from the example body merged with `overrides`; fails the test unless it answers 200. */
export async function createInstance(
    emulator: RunningEmulator,
    overrides: Record<string, unknown> = {},
    auth: string = AUTH,
): Promise<any> {
    const reply = await call(emulator, "POST", "/instances", { body: { ...exampleBody(), ...overrides }, auth });
    if (reply.status !== 200) throw new Error(`create answered ${reply.status}: ${reply.text}`);
    return reply.json;
}

/** Starts an emulator and closes it after the suite. */
export function useEmulator(options: EmulatorOptions = {}): () => RunningEmulator {
    let emulator: RunningEmulator | undefined;
    beforeAll(async () => {
        emulator = await startEmulator(options);
    });
    afterAll(async () => {
        await emulator?.close();
    });
    return () => {
        if (!emulator) throw new Error("emulator not started");
        return emulator;
    };
}
