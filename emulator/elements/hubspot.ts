/**
 * HubSpot Marketing (`hubspot`, id 43): devportal `docs/elements/hubspot/authenticate.md` (key, id, block with
 * authentication `oauth2`, `typeOauth: true`, hub `marketing`; the default scopes) and
 * `_includes/Elements/Hubspot/authenticate.md` (the two modes chosen by `authentication.type`, `oauth2` or
 * `apiKey`; the OAuth body with `providerData.code`, `oauth.api.key`, `oauth.api.secret`, `oauth.callback.url`; the
 * API-key body with `hubspot.authorization.apikey`; `create.bulk.properties`).
 */
import { baseUrl, elementBlock, events, filterNulls, item, oauthClient, oauthInternals } from "./items";
import type { ElementSpec } from "./types";

const oauth2 = ["oauth2"];

/** @internal HubSpot: an `oauth2` element with an `apiKey` mode. */
export const hubspot: ElementSpec = Object.freeze({
    block: elementBlock({
        id: 43,
        name: "Hubspot Marketing",
        hookName: "HubSpot",
        key: "hubspot",
        description:
            "Add a HubSpot Instance to connect your existing HubSpot account to the Marketing Hub, allowing you to " +
            "manage accounts, campaigns, contacts, leads etc. across multiple Marketing Elements. You will need your " +
            "HubSpot account information to add an instance.",
        image: "elements/provider_hubspot.png",
        typeOauth: true,
        cloneable: false,
        authentication: "oauth2",
        hub: "marketing",
    }),
    items: [
        item("authentication.type", "Authentication Type", {
            type: "COMBO",
            required: true,
            defaultValue: "oauth2",
            description: "Identifies how you are authenticating with Hubspot: oauth2 or apiKey",
            options: [
                { value: "oauth2", description: "OAuth 2.0" },
                { value: "apiKey", description: "API Key" },
            ],
        }),
        item("hubspot.authorization.apikey", "Hubspot API Key", { modes: ["apiKey"] }),
        ...oauthClient(false, oauth2),
        item("oauth.callback.url", "OAuth Callback URL", {
            type: "TEXTFIELD_1000",
            required: true,
            defaultValue: "https://console.cloud-elements.com/elements/jsp/home.jsp",
            modes: oauth2,
        }),
        item("oauth.scope", "OAuth Scope", {
            hidden: true,
            defaultValue: "contacts timeline files content reports social automation forms",
            modes: oauth2,
        }),
        ...oauthInternals("https://api.hubapi.com/oauth/v1/token", "https://app.hubspot.com/oauth/authorize", oauth2),
        item("create.bulk.properties", "Create Bulk Properties for Migration", {
            type: "BOOLEAN",
            defaultValue: "false",
        }),
        filterNulls(),
        baseUrl("https://api.hubapi.com"),
        ...events({ vendorType: "polling", refreshInterval: "15" }),
    ],
    modes: [
        { type: "oauth2", description: "OAuth 2.0", oauth: true, requires: ["oauth.api.key", "oauth.api.secret"] },
        { type: "apiKey", description: "API Key", oauth: false, requires: ["hubspot.authorization.apikey"] },
    ],
    modeKey: true,
    unsetValue: null,
    clearSecrets: ["hubspot.authorization.apikey"],
    primarySecret: "hubspot.authorization.apikey",
    invalidCredentials:
        '{"status":"error","message":"The API key provided is invalid.","category":"INVALID_AUTHENTICATION"}',
});
