/**
 * The one place tests get an in-process Cloud Elements emulator and talk to its API directly: {@link useEmulator}
 * (one emulator per test file), {@link call} (the raw API caller: any method, body, header; never throws on a
 * status), {@link callApi} (the same, failing on a non-2xx answer), the development accounts, the documented
 * example body, the stack config the provider's `configure` reads, and {@link until} (wait on an observable event
 * instead of sleeping).
 */
import {
    devAccounts,
    type EmulatedInstance,
    type EmulatorOptions,
    type RequestLogEntry,
    type RunningEmulator,
    startEmulator,
} from "../../emulator";
import type { InstanceInputs, InstanceOutputs } from "../../provider/model/instance";

export { devAccounts };

/**
 * Resource properties as the engine hands them back to the provider (`olds`, `props`): the typed outputs, plus
 * whatever else state holds (`__provider`), so one value fits `diff`, `read`, `update` and `delete`.
 */
export type StateProps = Partial<InstanceOutputs> & Record<string, unknown>;

/** Checked inputs as the engine passes them to `create`, `diff` and `update`. */
export type CheckedInputs = InstanceInputs & Record<string, unknown>;

/** A JSON request body the emulator logged, with the fields the tests look into typed. */
export type LoggedBody = Record<string, unknown> & { configuration?: Record<string, unknown> };

/** The first development organization and its users: what {@link connectionConfig} authenticates as. */
export const devOrganization = devAccounts.organizations[0];
export const devUser = devOrganization.users[0];
/** A second user of the first organization: same organization, different owner. */
export const devUser2 = devOrganization.users[1];
/** The second development organization and its user: another tenant. */
export const otherOrganization = devAccounts.organizations[1];
export const otherUser = otherOrganization.users[0];
/** The development Freshdesk accounts the credential check accepts (`acme` has two keys, `globex` one). */
export const acmeAccount = devAccounts.freshdesk[0];
export const globexAccount = devAccounts.freshdesk[1];
/** A Freshdesk account the emulator's credential check accepts, and one of its keys. */
export const acme = { subdomain: acmeAccount.subdomain, apiKey: acmeAccount.apiKeys[1] };

/** Authorization header of the development user. */
export const devAuthorization = `User ${devUser.userSecret}, Organization ${devOrganization.organizationSecret}`;
/** Authorization header of the user of the second development organization. */
export const otherAuthorization = `User ${otherUser.userSecret}, Organization ${otherOrganization.organizationSecret}`;

/** A `pulumi.dynamic.Config` lookalike over plain values (what `configure` receives). */
export function configReader(values: Record<string, string>): { get(key: string): string | undefined } {
    return { get: (key: string) => values[key] };
}

/** Stack config pointing at `emulator` with the development credentials, plus `overrides`. */
export function connectionConfig(
    emulator: Pick<RunningEmulator, "baseUrl">,
    overrides: Record<string, string> = {},
): Record<string, string> {
    return {
        "cloudelements:baseUrl": emulator.baseUrl,
        "cloudelements:userSecret": devUser.userSecret,
        "cloudelements:organizationSecret": devOrganization.organizationSecret,
        ...overrides,
    };
}

/** Options of {@link useEmulator}: the emulator's, plus whether to reset it before each test. */
export interface UseEmulatorOptions extends EmulatorOptions {
    /** Default true: `control.reset()` (instances, requests, faults, settings) before each test. */
    resetBeforeEach?: boolean;
}

/**
 * Starts one emulator for the calling test file or `describe` (in `beforeAll`), resets it before each test unless
 * told not to, and closes it afterwards. Returns a getter, valid inside tests.
 */
export function useEmulator(options: UseEmulatorOptions = {}): () => RunningEmulator {
    const { resetBeforeEach = true, ...emulatorOptions } = options;
    let running: RunningEmulator | undefined;
    beforeAll(async () => {
        running = await startEmulator(emulatorOptions);
    });
    if (resetBeforeEach) {
        beforeEach(async () => {
            await running?.control.reset();
        });
    }
    afterAll(async () => {
        await running?.close();
    });
    return () => {
        if (!running) {
            throw new Error("the emulator is not running (useEmulator must be called at the top of a test file)");
        }
        return running;
    };
}

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
export const documentedFields = [
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

/** An answer of the instance API as {@link call} returns it. */
export interface Reply {
    status: number;
    headers: Headers;
    text: string;
    /** The parsed body; undefined when it is empty or not JSON. */
    // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any route (instance, list, error); the tests assert on its shape, which is what they test
    json: any;
}

/** Options of {@link call}. */
export interface CallOptions {
    body?: unknown;
    /** Sent as is (no JSON encoding, no content type). */
    rawBody?: string;
    /** Authorization header; `null` sends none. Default: the development user ({@link devAuthorization}). */
    auth?: string | null;
    headers?: Record<string, string>;
    signal?: AbortSignal;
}

/**
 * The raw API caller: one request to `baseUrl + path` (`baseUrl` ends in `/elements/api-v2`). JSON bodies get
 * `content-type: application/json`. Never throws on a status; throws only when no answer arrives.
 */
export async function call(
    target: Pick<RunningEmulator, "baseUrl"> | string,
    method: string,
    path: string,
    options: CallOptions = {},
): Promise<Reply> {
    const baseUrl = typeof target === "string" ? target : target.baseUrl;
    const headers: Record<string, string> = {};
    const auth = options.auth === undefined ? devAuthorization : options.auth;
    if (auth !== null) {
        headers.authorization = auth;
    }
    let body: string | undefined;
    if (options.rawBody !== undefined) {
        body = options.rawBody;
    } else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers["content-type"] = "application/json";
    }
    Object.assign(headers, options.headers);
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body, signal: options.signal });
    const text = await response.text();
    let json: unknown;
    try {
        json = text ? JSON.parse(text) : undefined;
    } catch {
        json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
}

/**
 * {@link call} as the development user for arranging state or changing an instance behind the provider's back:
 * answers the parsed body, fails the test on a non-2xx answer.
 */
export async function callApi(
    emulator: Pick<RunningEmulator, "baseUrl">,
    method: string,
    path: string,
    body?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any route (instance, list, error); the tests assert on its shape, which is what they test
): Promise<any> {
    const reply = await call(emulator, method, path, { body });
    if (reply.status < 200 || reply.status > 299) {
        throw new Error(`${method} ${path} answered ${reply.status}: ${reply.text}`);
    }
    return reply.json;
}

/** Creates an instance from the example body merged with `overrides`; fails the test unless it answers 200. */
export async function createInstance(
    emulator: Pick<RunningEmulator, "baseUrl">,
    overrides: Record<string, unknown> = {},
    auth: string = devAuthorization,
    // biome-ignore lint/suspicious/noExplicitAny: the created instance as the API answers it; the tests assert on its shape, which is what they test
): Promise<any> {
    const reply = await call(emulator, "POST", "/instances", { body: { ...exampleBody(), ...overrides }, auth });
    if (reply.status !== 200) {
        throw new Error(`create answered ${reply.status}: ${reply.text}`);
    }
    return reply.json;
}

/** Polls `predicate` every `intervalMs` until it holds or `timeoutMs` passes; returns whether it held. */
export async function until(
    predicate: () => boolean | Promise<boolean>,
    timeoutMs: number,
    intervalMs = 200,
): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (await predicate()) {
            return true;
        }
        if (Date.now() >= deadline) {
            return false;
        }
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}

/** Polls `find` every 20 ms until it returns something; fails naming `what` after `timeoutMs`. */
async function eventually<T>(find: () => Promise<T | undefined>, what: string, timeoutMs: number): Promise<T> {
    let found: T | undefined;
    const held = await until(
        async () => {
            found = await find();
            return found !== undefined;
        },
        timeoutMs,
        20,
    );
    if (!held || found === undefined) {
        throw new Error(`no ${what} within ${timeoutMs} ms`);
    }
    return found;
}

/**
 * Waits until the emulator's request log holds a finished request matching `predicate` (every request it received
 * is finished: `health().inFlight` is 0) and returns the last such entry; fails after `timeoutMs`.
 */
export function finishedRequest(
    emulator: Pick<RunningEmulator, "control">,
    predicate: (entry: RequestLogEntry) => boolean,
    timeoutMs = 10_000,
): Promise<RequestLogEntry> {
    return eventually(
        async () =>
            (await emulator.control.health()).inFlight > 0
                ? undefined
                : (await emulator.control.requests()).filter(predicate).at(-1),
        "finished request matched",
        timeoutMs,
    );
}

/** Waits until the emulator holds an instance matching `predicate` and returns it; fails after `timeoutMs`. */
export function storedInstance(
    emulator: Pick<RunningEmulator, "control">,
    predicate: (instance: EmulatedInstance) => boolean,
    timeoutMs = 10_000,
): Promise<EmulatedInstance> {
    return eventually(async () => (await emulator.control.instances()).find(predicate), "instance matched", timeoutMs);
}

/** Every path in `value` whose string contains `needle`: where a secret would sit in a provider's result. */
export function pathsContaining(value: unknown, needle: string, at = ""): string[] {
    if (typeof value === "string") {
        return value.includes(needle) ? [at] : [];
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([k, v]) => pathsContaining(v, needle, at ? `${at}.${k}` : k));
    }
    return [];
}

/**
 * The configuration a freshdeskv2 instance has before anything is set, as the emulator returns it: every key of
 * the element, empty and internal ones included (docs/emulator.md, "Configuration keys"). Written out here, not
 * read from the emulator, so that a change of the emulator's keys fails the suites.
 */
export const freshdeskConfigurationDefaults: Readonly<Record<string, string>> = Object.freeze({
    subdomain: "",
    username: "",
    "filter.response.nulls": "true",
    "authentication.type": "basic",
    "base.url": "https://{subdomain}.freshdesk.com",
    "pagination.max": "30",
    "bulk.add_metadata": "false",
    "bulk.relations": "",
    "event.notification.enabled": "false",
    "event.vendor.type": "polling",
    "event.notification.callback.url": "",
    "event.notification.signature.key": "",
    "event.notification.subscription.id": "",
    "event.notification.basic.username": "",
    "event.notification.basic.password": "",
    "event.poller.refresh_interval": "",
    "event.poller.configuration": "",
    "event.poller.urls": "",
});

/** The configuration an instance answers: {@link freshdeskConfigurationDefaults} overlaid with `values`. */
export function fullConfiguration(values: Record<string, string>): Record<string, string> {
    return { ...freshdeskConfigurationDefaults, ...values };
}
