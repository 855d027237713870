/**
 * The emulator's element catalogue as the tests see it: every element key, a create body per element that the
 * emulator accepts (credentials made up, OAuth elements with a code), and the rule a generic client applies to an
 * element's metadata to know which keys a user must supply.
 */

/** Every element the emulator serves, in the order `GET /elements/keys` answers them. Written out, not read back. */
export const catalogueKeys = [
    "freshdeskv2",
    "freshservice",
    "servicenow",
    "jira",
    "hubspot",
    "connectwisecrmrest",
    "salesforcemarketingcloud",
    "sfdc",
] as const;

/** A key of {@link catalogueKeys}. */
export type CatalogueKey = (typeof catalogueKeys)[number];

/** The elements other than Freshdesk. */
export const otherKeys = catalogueKeys.filter((key) => key !== "freshdeskv2");

/** A configuration item of `GET /elements/{keyOrId}`, as the tests read it. */
export interface MetadataItem {
    id: number;
    key: string;
    name: string;
    description: string;
    type: string;
    required: boolean;
    hideFromConsole: boolean;
    internal: boolean;
    defaultValue?: string | null;
    displayOrder: number;
    active: boolean;
    options?: { value: string; description: string }[];
}

/** The keys a user must supply by the generic rule: `required && !internal && defaultValue == null`. */
export function userSuppliedKeys(items: readonly MetadataItem[]): string[] {
    return items
        .filter(
            (item) =>
                item.required && !item.internal && (item.defaultValue === undefined || item.defaultValue === null),
        )
        .map((item) => item.key);
}

/** Credentials each element's create accepts (with the default accounts, which list none but Freshdesk's). */
const credentials: Record<CatalogueKey, Record<string, unknown>> = {
    freshdeskv2: { configuration: { subdomain: "acme", username: "FRESHDESK_API_KEY" } },
    freshservice: { configuration: { username: "agent@acme.test", password: "fs-password-1", subdomain: "acme" } },
    servicenow: {
        configuration: { username: "admin", password: "sn-password-1", "servicenow.subdomain": "dev12345" },
    },
    jira: {
        configuration: { username: "jira-user", password: "jira-password-1", "base.url": "https://acme.atlassian.net" },
    },
    hubspot: { configuration: { "authentication.type": "apiKey", "hubspot.authorization.apikey": "hs-api-key-1" } },
    connectwisecrmrest: {
        configuration: {
            baseUrl: "https://api-na.myconnectwise.net/v4_6_release/apis/3.0",
            company: "acme",
            "public.key": "cw-public-1",
            "private.key": "cw-private-1",
        },
    },
    salesforcemarketingcloud: { configuration: { clientId: "sfmc-client-1", clientSecret: "sfmc-secret-1" } },
    sfdc: {
        providerData: { code: "sfdc-code-1" },
        configuration: { "oauth.api.key": "sfdc-consumer-key", "oauth.api.secret": "sfdc-consumer-secret" },
    },
};

/** A create body for `key` that the emulator accepts, with `name`, element and `overrides` (shallow) applied. */
export function elementBody(key: CatalogueKey, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { element: { key }, name: `${key}-instance`, ...credentials[key], ...overrides };
}

/** The configuration of {@link elementBody} for `key`, as sent. */
export function elementCredentials(key: CatalogueKey): Record<string, unknown> {
    return credentials[key].configuration as Record<string, unknown>;
}
