/**
 * Builders of configuration items and the groups of items many elements share (null filtering, events, bulk,
 * paging, OAuth bookkeeping), so that each element file lists only what is its own.
 */
import type { ElementSpec, ItemOption, ItemSpec, ItemType } from "./types";

/** @internal What an element file says about one item; everything else takes the usual value. */
export interface ItemOptions {
    type?: ItemType;
    required?: boolean;
    hidden?: boolean;
    internal?: boolean;
    defaultValue?: string;
    displayOrder?: number;
    description?: string;
    options?: readonly ItemOption[];
    modes?: readonly string[];
}

/**
 * @internal One item: a `TEXTFIELD_128` that is optional, shown in the console, not internal, without a default,
 * unless `options` says otherwise. Internal items are hidden from the console.
 */
export function item(key: string, name: string, options: ItemOptions = {}): ItemSpec {
    const internal = options.internal ?? false;
    const spec: ItemSpec = {
        key,
        name,
        description: options.description ?? name,
        type: options.type ?? "TEXTFIELD_128",
        required: options.required ?? false,
        hideFromConsole: options.hidden ?? internal,
        internal,
        displayOrder: options.displayOrder ?? 1,
        active: true,
        companyConfig: false,
        resellerConfig: false,
        groupControl: false,
    };
    if (options.defaultValue !== undefined) {
        spec.defaultValue = options.defaultValue;
    }
    if (options.options !== undefined) {
        spec.options = options.options;
    }
    if (options.modes !== undefined) {
        spec.modes = options.modes;
    }
    return spec;
}

/** @internal A key a user must supply: required, shown, no default. */
export function userKey(key: string, name: string, options: ItemOptions = {}): ItemSpec {
    return item(key, name, { required: true, ...options });
}

/** @internal `filter.response.nulls`, default true on every element (common instance configuration). */
export function filterNulls(): ItemSpec {
    return item("filter.response.nulls", "Filter null values from the response", {
        type: "BOOLEAN",
        defaultValue: "true",
        description: "Determines if null values in the response JSON should be filtered from the response",
    });
}

/** @internal `base.url`: required, hidden, with the element's default. */
export function baseUrl(defaultValue: string): ItemSpec {
    return item("base.url", "Base URL", {
        type: "TEXTFIELD_1000",
        required: true,
        hidden: true,
        defaultValue,
    });
}

/** @internal Paging keys: `pagination.max` and, when given, `pagination.type`. */
export function paging(max: string, type?: string): ItemSpec[] {
    const items = [
        item("pagination.max", "Max Page Size (or limit)", { type: "TEXTFIELD_32", hidden: true, defaultValue: max }),
    ];
    if (type !== undefined) {
        items.push(
            item("pagination.type", "Pagination Type", { type: "TEXTFIELD_32", hidden: true, defaultValue: type }),
        );
    }
    return items;
}

/** @internal The bulk service's keys, with the element's defaults (`undefined` = no default). */
export function bulk(defaults: Record<string, string | undefined>): ItemSpec[] {
    return Object.entries(defaults).map(([key, defaultValue]) =>
        item(key, key, { type: key === "bulk.relations" ? "TEXTAREA" : "TEXTFIELD_128", hidden: true, defaultValue }),
    );
}

/** @internal Options of {@link events}. */
export interface EventOptions {
    /** `polling`, `webhook` or `webhooks`; a vendor type with both is a `COMBO`. */
    vendorType: string;
    both?: boolean;
    refreshInterval?: string;
    pollerConfiguration?: string;
}

/** @internal The event keys of the common instance configuration, at display order 100 and after. */
export function events(options: EventOptions): ItemSpec[] {
    const vendorType = options.both
        ? item("event.vendor.type", "Event Type", {
              type: "COMBO",
              defaultValue: options.vendorType,
              displayOrder: 100,
              options: [
                  { value: "polling", description: "Polling" },
                  { value: "webhooks", description: "Webhooks" },
              ],
          })
        : item("event.vendor.type", "Event Type", {
              internal: true,
              defaultValue: options.vendorType,
              displayOrder: 100,
          });
    const items = [
        item("event.notification.enabled", "Event Notifications Enabled", {
            type: "BOOLEAN",
            defaultValue: "false",
            displayOrder: 102,
        }),
        vendorType,
        item("event.notification.callback.url", "Event Notification Callback URL", {
            type: "TEXTFIELD_1000",
            displayOrder: 103,
        }),
        item("event.notification.signature.key", "Callback Notification Signature Key", { displayOrder: 105 }),
        item("event.notification.subscription.id", "Event Subscription ID", { internal: true, displayOrder: 106 }),
    ];
    if (options.vendorType === "polling" || options.both) {
        items.push(
            item("event.poller.refresh_interval", "Event poller refresh interval (mins)", {
                defaultValue: options.refreshInterval,
                displayOrder: 101,
            }),
            item("event.poller.configuration", "Event Poller Resources Configuration", {
                type: "TEXTAREA",
                defaultValue: options.pollerConfiguration,
                displayOrder: 104,
            }),
        );
    }
    return items;
}

/** @internal The OAuth2 bookkeeping keys the platform manages itself (token URLs, the user's tokens). */
export function oauthInternals(tokenUrl: string, authorizationUrl: string, modes?: readonly string[]): ItemSpec[] {
    const internal = (key: string, name: string, defaultValue?: string, type: ItemType = "TEXTFIELD_1000") =>
        item(key, name, { internal: true, required: defaultValue !== undefined, defaultValue, type, modes });
    return [
        internal("oauth.token.url", "OAuth Token URL", tokenUrl),
        internal("oauth.authorization.url", "OAuth Authorization URL", authorizationUrl),
        internal("oauth.user.token", "OAuth Access Token", undefined, "TEXTFIELD_1000"),
        internal("oauth.user.refresh_token", "OAuth Refresh Token", undefined, "TEXTFIELD_1000"),
        internal("oauth.user.refresh_interval", "OAuth Refresh Interval (s)", "3600", "TEXTFIELD_32"),
        internal("oauth.user.refresh_time", "OAuth Refresh Time", undefined, "TEXTFIELD_64"),
    ];
}

/** @internal An OAuth2 client's keys: `oauth.api.key`, `oauth.api.secret` (typed as text, as in element exports). */
export function oauthClient(required: boolean, modes?: readonly string[]): ItemSpec[] {
    return [
        item("oauth.api.key", "OAuth API Key", { required, modes }),
        item("oauth.api.secret", "OAuth API Secret", { required, modes }),
    ];
}

/** @internal What an element file says of its `element` block; {@link elementBlock} adds the usual rest. */
export interface BlockOptions {
    id: number;
    name: string;
    hookName: string;
    key: string;
    description: string;
    image: string;
    typeOauth: boolean;
    authentication: string;
    hub: string;
    cloneable?: boolean;
    extendable?: boolean;
    parameters?: readonly Record<string, unknown>[];
    /** Fields only some documented blocks show (`configDescription`, `signupURL`). */
    extra?: Record<string, string>;
}

/** @internal An `element` block in the field order of the documented responses. */
export function elementBlock(options: BlockOptions): ElementSpec["block"] {
    return Object.freeze({
        id: options.id,
        name: options.name,
        hookName: options.hookName,
        key: options.key,
        description: options.description,
        image: options.image,
        active: true,
        deleted: false,
        typeOauth: options.typeOauth,
        trialAccount: false,
        ...options.extra,
        resources: Object.freeze([]),
        transformationsEnabled: true,
        bulkDownloadEnabled: true,
        bulkUploadEnabled: true,
        cloneable: options.cloneable ?? true,
        extendable: options.extendable ?? true,
        beta: false,
        extended: false,
        authentication: Object.freeze({ type: options.authentication }),
        hub: options.hub,
        protocolType: "http",
        parameters: Object.freeze((options.parameters ?? []).map((parameter) => Object.freeze({ ...parameter }))),
    });
}
