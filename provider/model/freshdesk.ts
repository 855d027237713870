/**
 * Everything specific to the Freshdesk V2 element: its key, its configuration keys (the API key travels as
 * `username`), its subdomain's normal form and its default polled resources. The rest of the model holds for any
 * element instance; see docs/architecture.md for adding an element.
 */
import { type Fail, typeName } from "./failures";
import { unknownValue } from "./instance";

/**
 * Normalises what users write for a Freshdesk account: `acme`, `acme.freshdesk.com`, `https://acme.freshdesk.com/`
 * all become `acme`. Does not validate; see `checkInputs` in `validation.ts`.
 */
export function normalizeSubdomain(value: string): string {
    let result = value.trim().toLowerCase();
    result = result.replace(/^https?:\/\//, "").replace(/\/+$/, "");
    if (result.endsWith(".freshdesk.com")) {
        result = result.slice(0, -".freshdesk.com".length);
    }
    return result;
}

/** Configuration keys of the freshdeskv2 element (reference: cloud-elements-api.md §5). */
export const configKeys = {
    subdomain: "subdomain",
    apiKey: "username",
    filterResponseNulls: "filter.response.nulls",
    eventsEnabled: "event.notification.enabled",
    vendorType: "event.vendor.type",
    callbackUrl: "event.notification.callback.url",
    refreshInterval: "event.poller.refresh_interval",
    pollerConfiguration: "event.poller.configuration",
    pollerUrls: "event.poller.urls",
    signatureKey: "event.notification.signature.key",
} as const;

/** The element key of Freshdesk V2. */
export const freshdeskElementKey = "freshdeskv2";

/** Resources polled when `events.resources` is not set: the element's defaults. */
export const defaultEventResources: readonly string[] = ["incidents", "contacts"];

/** Hub resources Freshdesk V2 exposes for polling; other identifier-shaped names are accepted too. */
export const knownEventResources: readonly string[] = ["incidents", "contacts", "accounts", "agents"];

const subdomainPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The subdomain normalised (see {@link normalizeSubdomain}); a failure unless it names a Freshdesk account. */
export function checkSubdomain(subdomain: unknown, fail: Fail): unknown {
    if (subdomain === unknownValue) {
        return subdomain;
    }
    if (typeof subdomain !== "string") {
        fail(
            "subdomain",
            subdomain === undefined || subdomain === null
                ? 'subdomain is required: the Freshdesk subdomain, e.g. "acme" for acme.freshdesk.com'
                : `subdomain must be a string (e.g. "acme" for acme.freshdesk.com), got ${typeName(subdomain)}`,
        );
        return undefined;
    }
    const normalized = normalizeSubdomain(subdomain);
    if (!subdomainPattern.test(normalized)) {
        fail(
            "subdomain",
            `subdomain ${JSON.stringify(subdomain)} is not a Freshdesk subdomain: expected "acme", "acme.freshdesk.com" ` +
                "or https://acme.freshdesk.com, where acme is 1-63 letters, digits or hyphens, not starting or ending with a hyphen",
        );
    }
    return normalized;
}

/** The API key as given; a failure unless it is a non-empty string without whitespace. Its value is never echoed. */
export function checkApiKey(apiKey: unknown, fail: Fail): unknown {
    if (apiKey === unknownValue) {
        return apiKey;
    }
    if (typeof apiKey !== "string") {
        fail(
            "apiKey",
            apiKey === undefined || apiKey === null
                ? "apiKey is required: the Freshdesk API key (Profile settings > API key in Freshdesk)"
                : `apiKey must be a string (the Freshdesk API key), got ${typeName(apiKey)}`,
        );
    } else if (apiKey.length === 0) {
        fail("apiKey", "apiKey must not be empty: expected the Freshdesk API key");
    } else if (/\s/.test(apiKey)) {
        fail("apiKey", "apiKey must not contain whitespace (a stray space or newline copied with the key?)");
    }
    return apiKey;
}
