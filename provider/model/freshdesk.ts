/**
 * Everything specific to the Freshdesk V2 element: its key, its configuration keys (the API key travels as
 * `username`), its subdomain's normal form and its default polled resources. The rest of the model holds for any
 * element instance; see docs/architecture.md for adding an element.
 */

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
