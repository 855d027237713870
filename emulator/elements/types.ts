/**
 * The shapes of the element catalogue: a configuration item as the platform's element metadata shows it, an
 * authentication mode, and an element as the catalogue describes it and as the instance API uses it.
 */

/** @internal The configuration item types the platform's element metadata uses (reference: the platform Swagger). */
export type ItemType =
    | "TEXTFIELD_32"
    | "TEXTFIELD_64"
    | "TEXTFIELD_128"
    | "TEXTFIELD_1000"
    | "TEXTAREA"
    | "BOOLEAN"
    | "PASSWORD"
    | "COMBO";

/** @internal One choice of a `COMBO` item. */
export interface ItemOption {
    value: string;
    description: string;
}

/**
 * @internal A configuration item as `GET /elements/{keyOrId}` lists it. `defaultValue` is absent when the item has
 * no default, as in the exported element metadata (a client must read absent as null).
 */
export interface ConfigItem {
    id: number;
    key: string;
    name: string;
    description: string;
    defaultValue?: string;
    type: ItemType;
    required: boolean;
    hideFromConsole: boolean;
    internal: boolean;
    displayOrder: number;
    active: boolean;
    companyConfig: boolean;
    resellerConfig: boolean;
    groupControl: boolean;
    options?: readonly ItemOption[];
}

/** @internal A configuration item as an element file writes it: the catalogue gives it its id. */
export type ItemSpec = Omit<ConfigItem, "id"> & {
    /** The authentication modes the item belongs to (absent: every mode). */
    modes?: readonly string[];
};

/** @internal One way to authenticate an instance of an element. */
export interface AuthMode {
    /** The element's `authentication.type`, or the value of its `authentication.type` configuration key. */
    type: string;
    description: string;
    /**
     * An OAuth2 authorization-code mode: a create needs `providerData.code`, or `externalAuthentication: "initial"`
     * with a refresh token and the client's key and secret.
     */
    oauth: boolean;
    /** Keys this mode needs a user to supply besides the element's own required keys. */
    requires: readonly string[];
}

/** @internal An element as one file of the catalogue describes it. */
export interface ElementSpec {
    /** The `element` block of a hydrated instance response (and of `GET /elements/{keyOrId}`). */
    block: Readonly<Record<string, unknown>> & { id: number; key: string; name: string; hub: string };
    /** Every configuration item, in the order an instance's configuration lists them. */
    items: readonly ItemSpec[];
    /**
     * The element's authentication modes. One mode unless the element chooses it with its `authentication.type`
     * configuration key, when the first mode is the default.
     */
    modes: readonly AuthMode[];
    /** True when the configuration key `authentication.type` chooses the mode. */
    modeKey: boolean;
    /** The value of an unset key that has no default: `""` or `null` (documented responses show both). */
    unsetValue: "" | null;
    /** `username` holds an API key the platform returns in clear (Freshdesk): `maskUsername` masks it. */
    apiKeyInUsername?: boolean;
    /** Keys holding secrets that are not PASSWORD-typed, so the platform returns them in clear. */
    clearSecrets: readonly string[];
    /** The key whose fingerprint the control API shows as `apiKeyFingerprint`. */
    primarySecret: string;
    /** What the provider answers to bad credentials, passed through as `providerMessage`. */
    invalidCredentials: string;
}

/** @internal An element as the instance API uses it: its spec plus what is derived from it. */
export interface ElementDefinition extends ElementSpec {
    id: number;
    key: string;
    /** The `element` block of a `hydrate=false` list. */
    summary: Readonly<Record<string, unknown>>;
    /** The metadata items, with their ids. */
    configuration: readonly ConfigItem[];
    /** Each item's mode restriction, by key (absent: every mode). */
    itemModes: ReadonlyMap<string, readonly string[]>;
    /**
     * Every configuration key with the value an instance has while the key was never set: its default, else the
     * element's unset value. A GET returns all of them, in this order, then any extra key a client sent.
     */
    configurationDefaults: ReadonlyMap<string, string | null>;
    /** The keys a user must supply in every mode: `required && !internal` and no default. */
    requiredConfiguration: readonly string[];
    /** Keys whose set values are masked as `********` in responses. */
    maskedKeys: ReadonlySet<string>;
    /** Keys the control API, the request log and the access log never show (masked ones included). */
    secretKeys: ReadonlySet<string>;
}
