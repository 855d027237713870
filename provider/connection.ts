/**
 * Connection settings: where the Cloud Elements API is and how to authenticate. They come from stack config (read by
 * the provider's `configure`, which runs inside the dynamic-provider process) or from environment variables read at
 * call time; never from resource inputs and never from anything serialized into `__provider`, so they are neither
 * stored in state nor frozen there (a rotated secret works for `destroy` too).
 */
import { CloudElementsError } from "./errors";

/** One connection setting: its stack config key and its environment variable. */
interface SettingSource {
    readonly configKey: string;
    readonly envVar: string;
}

/** The stack config keys and environment variables of every connection setting. */
export const connectionSources = {
    baseUrl: { configKey: "cloudelements:baseUrl", envVar: "CLOUD_ELEMENTS_BASE_URL" },
    userSecret: { configKey: "cloudelements:userSecret", envVar: "CLOUD_ELEMENTS_USER_SECRET" },
    organizationSecret: { configKey: "cloudelements:organizationSecret", envVar: "CLOUD_ELEMENTS_ORGANIZATION_SECRET" },
    timeoutMs: { configKey: "cloudelements:timeoutMs", envVar: "CLOUD_ELEMENTS_TIMEOUT_MS" },
    maxRetries: { configKey: "cloudelements:maxRetries", envVar: "CLOUD_ELEMENTS_MAX_RETRIES" },
    operationTimeoutMs: {
        configKey: "cloudelements:operationTimeoutMs",
        envVar: "CLOUD_ELEMENTS_OPERATION_TIMEOUT_MS",
    },
} as const satisfies Record<string, SettingSource>;

type SettingName = keyof typeof connectionSources;

/** Raw values as read from stack config; any of them may be missing. */
export type ConfiguredConnection = Partial<Record<SettingName, string>>;

/** What `configure` receives: the part of `pulumi.dynamic.Config` we use. */
export interface ConfigReader {
    get(key: string): string | undefined;
}

/** Validated connection settings. */
export interface ConnectionSettings {
    /** Normalised, always ending in `/elements/api-v2`, no trailing slash. */
    readonly baseUrl: string;
    /** The Cloud Elements user secret (`User <secret>` in the Authorization header). */
    readonly userSecret: string;
    /** The Cloud Elements organization secret (`Organization <secret>`). */
    readonly organizationSecret: string;
    /** Per-request timeout. */
    readonly timeoutMs: number;
    /** Retries of retryable failures (per request; see the client). */
    readonly maxRetries: number;
    /** Deadline of one provider operation (create, read, update, delete), retries and lookups included. */
    readonly operationTimeoutMs: number;
}

/** Default per-request timeout. */
export const defaultTimeoutMs = 30_000;
/** Default number of retries. */
export const defaultMaxRetries = 5;
/** Default deadline of one provider operation: 5 minutes. */
export const defaultOperationTimeoutMs = 300_000;

const apiPath = "/elements/api-v2";

/** Known Cloud Elements / SAP Open Connectors API hosts (reference: cloud-elements-api.md §1). */
const knownHosts = new Set([
    "api.cloud-elements.com",
    "api.cloud-elements.co.uk",
    "staging.cloud-elements.com",
    "api.openconnectors.us2.ext.hana.ondemand.com",
    "api.openconnectors.ext.hana.ondemand.com",
]);
// Open Connectors data centres beyond us2 are not documented; accept the same host shape for any of them.
const openConnectorsHost = /^api\.openconnectors(\.[a-z0-9-]+)?\.ext\.hana\.ondemand\.com$/;

/** Reads the connection settings from stack config; missing keys stay missing (environment variables apply). */
export function readConfiguredConnection(config: ConfigReader): ConfiguredConnection {
    const result: ConfiguredConnection = {};
    for (const [name, source] of Object.entries(connectionSources) as [SettingName, SettingSource][]) {
        const value = config.get(source.configKey);
        if (typeof value === "string" && value.trim() !== "") {
            result[name] = value;
        }
    }
    return result;
}

function describe(name: SettingName): string {
    const s = connectionSources[name];
    return `stack config ${s.configKey} (pulumi config set${name.endsWith("Secret") ? " --secret" : ""} ${s.configKey} ...) or the environment variable ${s.envVar}`;
}

function pick(name: SettingName, configured: ConfiguredConnection, env: NodeJS.ProcessEnv): string | undefined {
    const fromConfig = configured[name];
    if (fromConfig !== undefined && fromConfig.trim() !== "") {
        return fromConfig.trim();
    }
    const fromEnv = env[connectionSources[name].envVar];
    return fromEnv !== undefined && fromEnv.trim() !== "" ? fromEnv.trim() : undefined;
}

/**
 * Resolves the connection: stack config first, then environment variables (read now, not at load time).
 * Throws a {@link CloudElementsError} of kind `configuration` naming the config key and the environment variable of
 * anything missing or invalid. Messages never contain a secret.
 */
export function resolveConnection(
    configured: ConfiguredConnection = {},
    env: NodeJS.ProcessEnv = process.env,
): ConnectionSettings {
    const rawBaseUrl = pick("baseUrl", configured, env);
    const userSecret = pick("userSecret", configured, env);
    const organizationSecret = pick("organizationSecret", configured, env);
    const missing = (["baseUrl", "userSecret", "organizationSecret"] as const).filter(
        (name) => ({ baseUrl: rawBaseUrl, userSecret, organizationSecret })[name] === undefined,
    );
    if (missing.length > 0) {
        const what = missing.map((name) => `${name}: set ${describe(name)}`).join("; ");
        throw new CloudElementsError("configuration", `Cloud Elements connection is not configured. Missing ${what}.`);
    }
    for (const [name, value] of [
        ["userSecret", userSecret],
        ["organizationSecret", organizationSecret],
    ] as const) {
        if (/[\s,]/.test(value!)) {
            throw new CloudElementsError(
                "configuration",
                `Cloud Elements ${name} contains whitespace or a comma, which cannot be sent in the Authorization header; check ${describe(name)}.`,
            );
        }
    }
    return {
        baseUrl: normalizeBaseUrl(rawBaseUrl!),
        userSecret: userSecret!,
        organizationSecret: organizationSecret!,
        timeoutMs: parseInteger("timeoutMs", pick("timeoutMs", configured, env), defaultTimeoutMs, 1, 600_000),
        maxRetries: parseInteger("maxRetries", pick("maxRetries", configured, env), defaultMaxRetries, 0, 20),
        operationTimeoutMs: parseInteger(
            "operationTimeoutMs",
            pick("operationTimeoutMs", configured, env),
            defaultOperationTimeoutMs,
            1,
            3_600_000,
        ),
    };
}

function parseInteger(name: SettingName, raw: string | undefined, fallback: number, min: number, max: number): number {
    if (raw === undefined) {
        return fallback;
    }
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
        throw new CloudElementsError(
            "configuration",
            `Cloud Elements ${name} must be an integer from ${min} to ${max}, got "${raw}"; check ${describe(name)}.`,
        );
    }
    return value;
}

/** Whether `hostname` (as `URL.hostname` gives it) is a loopback address. */
export function isLoopbackHost(hostname: string): boolean {
    const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
    return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Normalises a Cloud Elements base URL to `<origin>/elements/api-v2`. Accepts the US, EU, staging and SAP Open
 * Connectors hosts over https, and loopback hosts (the emulator) over http or https, with or without the
 * `/elements/api-v2` prefix and a trailing slash. Rejects anything else with a message saying what is expected.
 */
export function normalizeBaseUrl(raw: string): string {
    const expected =
        `expected https://api.cloud-elements.com, https://api.cloud-elements.co.uk, https://staging.cloud-elements.com, ` +
        `https://api.openconnectors[.<dc>].ext.hana.ondemand.com or http://localhost:<port> / http://127.0.0.1:<port> ` +
        `(optionally ending in ${apiPath}); set ${describe("baseUrl")}`;
    let url: URL;
    try {
        url = new URL(raw.trim());
    } catch {
        // Not echoed: a malformed value may be a secret pasted into the wrong setting.
        throw new CloudElementsError("configuration", `Cloud Elements baseUrl is not a valid URL: ${expected}.`);
    }
    if (url.username !== "" || url.password !== "") {
        throw new CloudElementsError(
            "configuration",
            `Cloud Elements baseUrl must not contain credentials (user:password@): ${expected}.`,
        );
    }
    const shown = `"${url.origin}${url.pathname}"`;
    const loopback = isLoopbackHost(url.hostname);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
        const why =
            url.protocol === "http:"
                ? "plain http is only allowed for loopback hosts (the emulator)"
                : "unsupported scheme";
        throw new CloudElementsError("configuration", `Cloud Elements baseUrl ${shown}: ${why}; ${expected}.`);
    }
    const host = url.hostname.toLowerCase();
    if (!loopback && !knownHosts.has(host) && !openConnectorsHost.test(host)) {
        throw new CloudElementsError(
            "configuration",
            `Cloud Elements baseUrl ${shown}: unknown host ${host}; ${expected}.`,
        );
    }
    const path = url.pathname.replace(/\/+$/, "");
    if (path !== "" && path !== apiPath) {
        throw new CloudElementsError("configuration", `Cloud Elements baseUrl ${shown}: unexpected path; ${expected}.`);
    }
    if (url.search !== "" || url.hash !== "") {
        throw new CloudElementsError(
            "configuration",
            `Cloud Elements baseUrl ${shown} must not have a query or fragment; ${expected}.`,
        );
    }
    return `${url.origin}${apiPath}`;
}
