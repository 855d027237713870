/**
 * The one element this emulator knows: Freshdesk V2 (reference sections 5, 6 and 8).
 */

/** @internal Static description of an element. */
export interface ElementDefinition {
    id: number;
    key: string;
    /** The `element` block of a hydrated instance response. */
    block: Readonly<Record<string, unknown>>;
    /** The `element` block of a `hydrate=false` list. */
    summary: Readonly<Record<string, unknown>>;
    /** Configuration keys a create must carry. */
    requiredConfiguration: readonly string[];
    /**
     * Every configuration key the element declares, with the value an instance has when the key was never set
     * (`""` for an empty key). A GET returns all of them (reference section 12), in this order, then any extra key a
     * client sent.
     */
    configurationDefaults: ReadonlyMap<string, string>;
}

const freshdeskBlock = Object.freeze({
    id: 491,
    name: "Freshdesk V2",
    hookName: "Freshdeskv2",
    key: "freshdeskv2",
    description:
        "Add a Freshdesk Instance to connect your existing Freshdesk account to the Helpdesk Hub, allowing you to " +
        "manage incidents, contacts, accounts and agents across multiple Helpdesk Elements.",
    image: "elements/provider_freshdesk.png",
    active: true,
    deleted: false,
    typeOauth: false,
    trialAccount: false,
    resources: Object.freeze([]),
    transformationsEnabled: true,
    bulkDownloadEnabled: true,
    bulkUploadEnabled: true,
    cloneable: true,
    extendable: true,
    beta: false,
    extended: false,
    authentication: Object.freeze({ type: "basic" }),
    hub: "helpdesk",
    protocolType: "http",
    parameters: Object.freeze([]),
});

/** @internal Freshdesk V2, element id 491. */
export const freshdeskV2: ElementDefinition = Object.freeze({
    id: 491,
    key: "freshdeskv2",
    block: freshdeskBlock,
    summary: Object.freeze({
        id: 491,
        key: "freshdeskv2",
        name: "Freshdesk V2",
        hub: "helpdesk",
        authentication: freshdeskBlock.authentication,
    }),
    requiredConfiguration: Object.freeze(["subdomain", "username"]),
    configurationDefaults: new Map<string, string>([
        // The element's own keys (reference section 5).
        ["subdomain", ""],
        ["username", ""],
        ["filter.response.nulls", "true"],
        // Internal keys the platform fills in itself (section 12: `authentication.type`, `bulk.*`; section 5:
        // `base.url`, `pagination.max` as an older freshdesk doc shows them). The bulk keys are an emulator choice.
        ["authentication.type", "basic"],
        ["base.url", "https://{subdomain}.freshdesk.com"],
        ["pagination.max", "30"],
        ["bulk.add_metadata", "false"],
        ["bulk.relations", ""],
        // Event keys (sections 5 and 12): empty until set, `event.notification.signature.key` included.
        ["event.notification.enabled", "false"],
        ["event.vendor.type", "polling"],
        ["event.notification.callback.url", ""],
        ["event.notification.signature.key", ""],
        ["event.notification.subscription.id", ""],
        ["event.notification.basic.username", ""],
        ["event.notification.basic.password", ""],
        ["event.poller.refresh_interval", ""],
        ["event.poller.configuration", ""],
        ["event.poller.urls", ""],
    ]),
});

const elements: readonly ElementDefinition[] = [freshdeskV2];

/** @internal The element with this key or numeric id (as a string or number), if the emulator knows it. */
export function findElement(keyOrId: string | number): ElementDefinition | undefined {
    const text = String(keyOrId);
    return elements.find((element) => element.key === text || String(element.id) === text);
}

/**
 * @internal Keys whose values are masked in responses when set (PASSWORD-type entries, reference sections 6 and 12:
 * only PASSWORD-type fields are masked; the API key `username` and the signature key are not).
 */
export const passwordKeys: ReadonlySet<string> = new Set(["event.notification.basic.password", "user.password"]);

/**
 * @internal Keys that hold secrets although the platform may return them in clear: the control API, the request log
 * and the access log never show their values (the control API replaces a set value by `********`).
 */
export const secretKeys: ReadonlySet<string> = new Set([
    "username",
    "event.notification.signature.key",
    ...passwordKeys,
]);

/** @internal The mask the platform shows for PASSWORD-type values. */
export const mask = "********";
