/**
 * What an element's own metadata (`GET /elements/{keyOrId}`: its configuration items and authentication type) says
 * about an instance's configuration: the keys a user must give for the chosen authentication mode, the keys whose
 * values are secret, the keys it does not declare, and what an OAuth element needs to be created without a browser.
 * Pure rules; reading the metadata is `lifecycle/element-metadata.ts`.
 */
import type { ApiConfigurationItem } from "../api/wire";
import type { CheckFailure } from "./failures";

/** An element's metadata, as the provider uses it. */
export interface ElementMetadata {
    readonly key: string;
    readonly id?: number;
    /** The element's authentication type (`basic`, `custom`, `oauth2`, `oauth1`, `apiKey`, ...). */
    readonly authenticationType?: string;
    /** Every configuration item the element declares. */
    readonly items: readonly ApiConfigurationItem[];
    /**
     * The items of the authentication mode the configuration chooses (`authentication.type`), when the platform
     * answers `/authentication-types/{type}/configurations`; the plain `required` flags ignore the mode.
     */
    readonly modeItems?: readonly ApiConfigurationItem[];
}

/** The configuration key that chooses a multi-mode element's authentication mode. */
export const authenticationTypeKey = "authentication.type";

/** The configuration an OAuth 2.0 instance needs when created from an external refresh token. */
export const externalOAuthKeys: readonly string[] = ["oauth.user.refresh_token", "oauth.api.key", "oauth.api.secret"];

/** Key names that hold credentials, whatever their declared type. */
const credentialName = /(password|secret|token|api[._]?key|private\.key|access_key|\.key$)/i;

/** Elements whose `username` holds the API key (documented responses show it in clear). */
const usernameIsCredential: ReadonlySet<string> = new Set([
    "freshdeskv2",
    "stripe",
    "closeio",
    "chargify",
    "chargebee",
    "bamboohr",
    "helpscout",
]);

/** Whether a configuration key's name says it holds a credential. */
export function isSecretKeyName(key: string): boolean {
    return credentialName.test(key);
}

/**
 * The configuration keys whose values are secret: every `PASSWORD` item, every key named like a credential, and
 * `username` where the element carries its API key there.
 */
export function secretKeysOf(metadata: ElementMetadata, keys: readonly string[]): string[] {
    const password = new Set(
        [...metadata.items, ...(metadata.modeItems ?? [])].filter((i) => i.type === "PASSWORD").map((i) => i.key),
    );
    return keys
        .filter(
            (key) =>
                password.has(key) ||
                isSecretKeyName(key) ||
                (key === "username" && usernameIsCredential.has(metadata.key)),
        )
        .sort();
}

/** The authentication mode the configuration chooses: its `authentication.type`, else the element's own. */
export function authenticationMode(
    metadata: ElementMetadata,
    configuration: Readonly<Record<string, unknown>>,
): string {
    const chosen = configuration[authenticationTypeKey];
    return String(
        typeof chosen === "string" && chosen !== "" ? chosen : (metadata.authenticationType ?? ""),
    ).toLowerCase();
}

/**
 * The keys a user must give: required, not managed by the platform (`internal`) and without a default; from the
 * mode's own items when the platform named them.
 */
export function requiredKeys(metadata: ElementMetadata): string[] {
    const items = metadata.modeItems ?? metadata.items;
    return items
        .filter(
            (i) =>
                i.required === true &&
                i.internal !== true &&
                (i.defaultValue === undefined || i.defaultValue === null || i.defaultValue === ""),
        )
        .map((i) => i.key);
}

/** What the metadata finds wrong with a configuration: failures (before any instance call) and warnings. */
export interface MetadataFindings {
    readonly failures: CheckFailure[];
    readonly warnings: string[];
}

/** The inputs the metadata rules read. */
export interface ElementConfigurationInputs {
    readonly elementKey: string;
    readonly configuration: Readonly<Record<string, unknown>>;
    readonly externalAuthentication?: string;
    /** Whether `events` is set (the element must declare polling events). */
    readonly events?: unknown;
}

/** Checks a configuration against the element's metadata. */
export function metadataFindings(metadata: ElementMetadata, inputs: ElementConfigurationInputs): MetadataFindings {
    const failures: CheckFailure[] = [];
    const mode = authenticationMode(metadata, inputs.configuration);
    const oauth = oauthFailure(metadata, mode, inputs);
    if (oauth !== undefined) {
        failures.push(oauth);
    }
    const needed = [...requiredKeys(metadata), ...(mode === "oauth2" ? externalOAuthKeys : [])];
    for (const key of [...new Set(needed)]) {
        const value = inputs.configuration[key];
        if (value === undefined || value === null || value === "") {
            failures.push({
                property: `configuration.${key}`,
                reason: `configuration.${key} is required by element ${metadata.key}${mode === "" ? "" : ` (authentication ${mode})`}: ${describeItem(metadata, key)}`,
            });
        }
    }
    const declared = new Set([...metadata.items, ...(metadata.modeItems ?? [])].map((i) => i.key));
    if (inputs.events !== undefined && !declared.has("event.notification.enabled")) {
        failures.push({
            property: "events",
            reason: `events: element ${metadata.key} does not declare polling events (no event.notification.enabled key)`,
        });
    }
    return { failures, warnings: unknownKeyWarnings(metadata, inputs, declared) };
}

/** The refusal of an OAuth element that cannot be created without a browser as configured, if it is one. */
function oauthFailure(
    metadata: ElementMetadata,
    mode: string,
    inputs: ElementConfigurationInputs,
): CheckFailure | undefined {
    if (mode === "oauth1") {
        return {
            property: "elementKey",
            reason:
                `element ${metadata.key} authenticates with OAuth 1.0a, which needs a browser to authorize each ` +
                "instance; it cannot be created by this provider",
        };
    }
    if (mode === "oauth2" && inputs.externalAuthentication !== "initial") {
        return {
            property: "externalAuthentication",
            reason:
                `element ${metadata.key} authenticates with OAuth 2.0, which needs a browser unless the instance is ` +
                `created from an existing refresh token: set externalAuthentication: "initial" and the configuration ` +
                `keys ${externalOAuthKeys.join(", ")} (obtain the refresh token once, see docs/elements.md)`,
        };
    }
    return undefined;
}

function describeItem(metadata: ElementMetadata, key: string): string {
    const item = [...(metadata.modeItems ?? []), ...metadata.items].find((i) => i.key === key);
    const label = item?.name ?? item?.description;
    return label === undefined || label === "" ? "no value given" : `no value given (${label})`;
}

function unknownKeyWarnings(
    metadata: ElementMetadata,
    inputs: ElementConfigurationInputs,
    declared: ReadonlySet<string>,
): string[] {
    const allowed = new Set([
        ...declared,
        authenticationTypeKey,
        ...(inputs.externalAuthentication === "initial" ? externalOAuthKeys : []),
    ]);
    return Object.keys(inputs.configuration)
        .filter((key) => !allowed.has(key))
        .map((key) => {
            const closest = closestKey(key, [...declared]);
            return (
                `configuration.${key}: element ${metadata.key} does not declare this key` +
                (closest === undefined ? "" : `; did you mean "${closest}"?`) +
                " Cloud Elements accepts unknown keys, so it is sent as given."
            );
        });
}

/** The declared key closest to `key` (edit distance at most a third of its length, at least 2), if any. */
export function closestKey(key: string, declared: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
    for (const candidate of declared) {
        const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return best;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
            );
        }
        previous = current;
    }
    return previous[b.length];
}
