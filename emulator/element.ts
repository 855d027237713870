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
    /** Configuration keys a create (or a replacing PUT) must carry. */
    requiredConfiguration: readonly string[];
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
export const FRESHDESK_V2: ElementDefinition = Object.freeze({
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
});

const ELEMENTS: readonly ElementDefinition[] = [FRESHDESK_V2];

/** @internal The element with this key or numeric id (as a string or number), if the emulator knows it. */
export function findElement(keyOrId: string | number): ElementDefinition | undefined {
    const text = String(keyOrId);
    return ELEMENTS.find((element) => element.key === text || String(element.id) === text);
}

/** @internal Keys whose values are always masked in responses (PASSWORD-type entries, reference section 6). */
export const PASSWORD_KEYS: ReadonlySet<string> = new Set(["event.notification.basic.password", "user.password"]);

/** @internal Keys the control API never shows (it replaces them by `********`). */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
    "username",
    "event.notification.signature.key",
    ...PASSWORD_KEYS,
]);

/** @internal The mask the platform shows for PASSWORD-type values. */
export const MASK = "********";
