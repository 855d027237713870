/**
 * The names of the connection settings (provider input, stack config key and environment variable of each) and the
 * phrases that point a user at them. A leaf module: `connection.ts` resolves the settings and `errors.ts` formats hints from the
 * same table, so no message spells a key or variable name out by hand.
 */

/** One connection setting: its stack config key and its environment variable. */
export interface SettingSource {
    /** The stack config key, e.g. `cloudelements:baseUrl`. */
    readonly configKey: string;
    /** The environment variable, e.g. `CLOUD_ELEMENTS_BASE_URL`. */
    readonly envVar: string;
}

/** The stack config keys and environment variables of every connection setting. */
export const connectionSources = {
    baseUrl: { configKey: "cloudelements:baseUrl", envVar: "CLOUD_ELEMENTS_BASE_URL" },
    allowInsecureHttp: { configKey: "cloudelements:allowInsecureHttp", envVar: "CLOUD_ELEMENTS_ALLOW_INSECURE_HTTP" },
    userSecret: { configKey: "cloudelements:userSecret", envVar: "CLOUD_ELEMENTS_USER_SECRET" },
    organizationSecret: { configKey: "cloudelements:organizationSecret", envVar: "CLOUD_ELEMENTS_ORGANIZATION_SECRET" },
    timeoutMs: { configKey: "cloudelements:timeoutMs", envVar: "CLOUD_ELEMENTS_TIMEOUT_MS" },
    maxRetries: { configKey: "cloudelements:maxRetries", envVar: "CLOUD_ELEMENTS_MAX_RETRIES" },
    operationTimeoutMs: {
        configKey: "cloudelements:operationTimeoutMs",
        envVar: "CLOUD_ELEMENTS_OPERATION_TIMEOUT_MS",
    },
} as const satisfies Record<string, SettingSource>;

/** The name of a connection setting. */
export type SettingName = keyof typeof connectionSources;

/**
 * Where a setting's value came from: an explicit provider's input (the setting's name, e.g. `baseUrl`) wins over
 * stack config, which wins over the environment variable.
 */
export type SettingOrigin = "input" | "config" | "env";

/** `cloudelements:baseUrl / CLOUD_ELEMENTS_BASE_URL`: both places a setting can be given, for short hints. */
export function settingNames(name: SettingName): string {
    const s = connectionSources[name];
    return `${s.configKey} / ${s.envVar}`;
}

/**
 * How to set a setting: the `pulumi config set` command (with `--secret` for secrets) or the variable, and first the
 * provider input when `providerInput` (the connection of an explicit provider).
 */
export function howToSet(name: SettingName, providerInput = false): string {
    const s = connectionSources[name];
    const config = `stack config ${s.configKey} (pulumi config set${name.endsWith("Secret") ? " --secret" : ""} ${s.configKey} ...)`;
    return providerInput
        ? `the provider input ${name}, ${config} or the environment variable ${s.envVar}`
        : `${config} or the environment variable ${s.envVar}`;
}

/**
 * Where the value in use came from, saying which source wins: `the provider input baseUrl (it wins over stack config
 * cloudelements:baseUrl and CLOUD_ELEMENTS_BASE_URL)`, `stack config cloudelements:baseUrl (it wins over
 * CLOUD_ELEMENTS_BASE_URL)` or `the environment variable CLOUD_ELEMENTS_BASE_URL (stack config
 * cloudelements:baseUrl is not set; it would win)`.
 */
export function describeOrigin(name: SettingName, origin: SettingOrigin): string {
    const s = connectionSources[name];
    switch (origin) {
        case "input":
            return `the provider input ${name} (it wins over stack config ${s.configKey} and the environment variable ${s.envVar})`;
        case "config":
            return `stack config ${s.configKey} (it wins over the environment variable ${s.envVar})`;
        default:
            return `the environment variable ${s.envVar} (stack config ${s.configKey} is not set; it would win)`;
    }
}
