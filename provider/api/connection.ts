/**
 * Connection settings: where the Cloud Elements API is and how to authenticate. They come from an explicit plugin
 * provider's inputs, from stack config (read by the provider's `configure`, which runs inside the provider process) or
 * from environment variables read at call time; never from resource inputs and never from anything serialized into
 * `__provider`, so they are neither stored in a resource's state nor frozen there (a rotated secret works for
 * `destroy` too).
 */
import { CloudElementsError } from "./errors";
import { isLoopbackHost } from "./loopback";
import {
    connectionSources,
    describeOrigin,
    howToSet,
    type SettingName,
    type SettingOrigin,
    type SettingSource,
    settingNames,
} from "./settings";

export { connectionSources, isLoopbackHost };

/** Raw values as read from stack config (or an explicit provider's inputs); any of them may be missing. */
export type ConfiguredConnection = Partial<Record<SettingName, string>>;

/** What `configure` receives: the part of `pulumi.dynamic.Config` we use. */
export interface ConfigReader {
    get(key: string): string | undefined;
}

/** Validated connection settings. */
export interface ConnectionSettings {
    /** Normalised, always ending in `/elements/api-v2`, no trailing slash. */
    readonly baseUrl: string;
    /**
     * Where {@link baseUrl} came from, for messages that name the setting to fix. Absent only for settings built by
     * hand (tests).
     */
    readonly baseUrlOrigin?: SettingOrigin;
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

/**
 * A setting's value (trimmed) and where it came from: the provider input first, then stack config, then the
 * environment variable.
 */
function pick(
    name: SettingName,
    configured: ConfiguredConnection,
    env: NodeJS.ProcessEnv,
    inputs: ConfiguredConnection,
): { value: string; origin: SettingOrigin } | undefined {
    const fromInput = inputs[name];
    if (fromInput !== undefined && fromInput.trim() !== "") {
        return { value: fromInput.trim(), origin: "input" };
    }
    const fromConfig = configured[name];
    if (fromConfig !== undefined && fromConfig.trim() !== "") {
        return { value: fromConfig.trim(), origin: "config" };
    }
    const fromEnv = env[connectionSources[name].envVar];
    return fromEnv !== undefined && fromEnv.trim() !== "" ? { value: fromEnv.trim(), origin: "env" } : undefined;
}

/**
 * Resolves the connection: an explicit provider's `inputs` first (when given), then stack config, then environment
 * variables (read now, not at load time). Throws a {@link CloudElementsError} of kind `configuration` naming the
 * provider input, the config key and the environment variable of anything missing or invalid. Messages never
 * contain a secret, nor a malformed value (it may be a pasted secret).
 */
export function resolveConnection(
    configured: ConfiguredConnection = {},
    env: NodeJS.ProcessEnv = process.env,
    inputs?: ConfiguredConnection,
): ConnectionSettings {
    const providerInput = inputs !== undefined;
    const get = (name: SettingName) => pick(name, configured, env, inputs ?? {});
    const baseUrl = get("baseUrl");
    const userSecret = get("userSecret")?.value;
    const organizationSecret = get("organizationSecret")?.value;
    const missing = (["baseUrl", "userSecret", "organizationSecret"] as const).filter(
        (name) => ({ baseUrl: baseUrl?.value, userSecret, organizationSecret })[name] === undefined,
    );
    if (missing.length > 0) {
        const what = missing.map((name) => `${name}: set ${howToSet(name, providerInput)}`).join("; ");
        throw new CloudElementsError("configuration", `Cloud Elements connection is not configured. Missing ${what}.`);
    }
    for (const [name, value] of [
        ["userSecret", userSecret],
        ["organizationSecret", organizationSecret],
    ] as const) {
        if (/[\s,]/.test(value!)) {
            throw new CloudElementsError(
                "configuration",
                `Cloud Elements ${name} contains whitespace or a comma, which cannot be sent in the Authorization header; check ${howToSet(name, providerInput)}.`,
            );
        }
    }
    const allowInsecureHttp = parseBoolean("allowInsecureHttp", get("allowInsecureHttp"));
    return {
        baseUrl: normalizeBaseUrl(baseUrl!.value, { allowInsecureHttp, origin: baseUrl!.origin }),
        baseUrlOrigin: baseUrl!.origin,
        userSecret: userSecret!,
        organizationSecret: organizationSecret!,
        timeoutMs: parseInteger("timeoutMs", get("timeoutMs"), defaultTimeoutMs, 1, 600_000),
        maxRetries: parseInteger("maxRetries", get("maxRetries"), defaultMaxRetries, 0, 20),
        operationTimeoutMs: parseInteger(
            "operationTimeoutMs",
            get("operationTimeoutMs"),
            defaultOperationTimeoutMs,
            1,
            3_600_000,
        ),
    };
}

function parseInteger(
    name: SettingName,
    raw: { value: string; origin: SettingOrigin } | undefined,
    fallback: number,
    min: number,
    max: number,
): number {
    if (raw === undefined) {
        return fallback;
    }
    const value = Number(raw.value);
    if (!/^\d+$/.test(raw.value) || !Number.isSafeInteger(value) || value < min || value > max) {
        // Only a number is echoed: anything else may be a secret pasted into the wrong setting.
        const got = /^[-+]?\d+(\.\d+)?$/.test(raw.value) ? `"${raw.value}"` : "a value that is not a number";
        throw new CloudElementsError(
            "configuration",
            `Cloud Elements ${name} must be an integer from ${min} to ${max}, got ${got}; check ${describeOrigin(name, raw.origin)}.`,
        );
    }
    return value;
}

function parseBoolean(name: SettingName, raw: { value: string; origin: SettingOrigin } | undefined): boolean {
    if (raw === undefined) {
        return false;
    }
    if (!/^(true|false)$/i.test(raw.value)) {
        // Not echoed: a value in the wrong setting may be a pasted secret.
        throw new CloudElementsError(
            "configuration",
            `Cloud Elements ${name} must be true or false; check ${describeOrigin(name, raw.origin)}.`,
        );
    }
    return raw.value.toLowerCase() === "true";
}

/** Options of {@link normalizeBaseUrl}. */
export interface BaseUrlOptions {
    /**
     * Accept plain http for a host that is not loopback (`cloudelements:allowInsecureHttp`), e.g. the emulator as
     * a CI service container at `http://emulator:8080`. The secrets then travel unencrypted.
     * @default false
     */
    readonly allowInsecureHttp?: boolean;
    /** Where the value came from, for the message; without it the message names both places. */
    readonly origin?: SettingOrigin;
}

/**
 * Normalises a Cloud Elements base URL to `<origin>/elements/api-v2`. Accepts any https host (the documented ones
 * are api.cloud-elements.com, api.cloud-elements.co.uk, staging.cloud-elements.com and
 * api.openconnectors[.<dc>].ext.hana.ondemand.com), plain http for loopback hosts (the emulator), and plain http for
 * any other host only with {@link BaseUrlOptions.allowInsecureHttp}; with or without the `/elements/api-v2` prefix
 * and a trailing slash. Rejects anything else with a message saying what is expected. A rejected value is never
 * echoed beyond its scheme, host and port: a malformed value may be a secret pasted into the wrong setting.
 */
export function normalizeBaseUrl(raw: string, options: BaseUrlOptions = {}): string {
    const from =
        options.origin === undefined
            ? `set ${howToSet("baseUrl")}`
            : `check ${describeOrigin("baseUrl", options.origin)}`;
    const expected = `expected https://<host> (e.g. https://api.cloud-elements.com), optionally ending in ${apiPath}; ${from}`;
    let url: URL;
    try {
        url = new URL(raw.trim());
    } catch {
        // Not echoed: a malformed value may be a secret pasted into the wrong setting.
        throw new CloudElementsError("configuration", `Cloud Elements baseUrl is not a valid URL: ${expected}.`);
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") {
        // Not even the scheme is echoed: "abc:def" parses as a URL with scheme "abc".
        throw new CloudElementsError(
            "configuration",
            `Cloud Elements baseUrl has an unsupported scheme (only https, or http for a local emulator): ${expected}.`,
        );
    }
    if (url.username !== "" || url.password !== "") {
        throw new CloudElementsError(
            "configuration",
            `Cloud Elements baseUrl must not contain credentials (user:password@): ${expected}.`,
        );
    }
    if (url.hostname === "") {
        throw new CloudElementsError("configuration", `Cloud Elements baseUrl has no host: ${expected}.`);
    }
    const shown = url.origin;
    if (url.protocol === "http:" && !isLoopbackHost(url.hostname) && options.allowInsecureHttp !== true) {
        throw new CloudElementsError(
            "configuration",
            `Cloud Elements baseUrl ${shown}: plain http is only allowed for loopback hosts (a local emulator) ` +
                `unless ${settingNames("allowInsecureHttp")} is true (the secrets would travel unencrypted); ` +
                `use https, or opt in for a trusted network such as a CI service container; ${from}.`,
        );
    }
    const path = url.pathname.replace(/\/+$/, "");
    if (path !== "" && path !== apiPath) {
        throw new CloudElementsError(
            "configuration",
            `Cloud Elements baseUrl ${shown}: unexpected path (not shown); ${expected}.`,
        );
    }
    if (url.search !== "" || url.hash !== "") {
        throw new CloudElementsError(
            "configuration",
            `Cloud Elements baseUrl ${shown} must not have a query or fragment; ${expected}.`,
        );
    }
    return `${url.origin}${apiPath}`;
}
