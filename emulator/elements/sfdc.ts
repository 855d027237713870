/**
 * Salesforce Sales Cloud (`sfdc`, id 23 in the page's front matter; its example response shows 39): devportal
 * `docs/elements/salesforce/salesforce-create-instance.md` (OAuth2 authorization code only: `providerData.code`
 * with `oauth.api.key`, `oauth.api.secret`, `oauth.callback.url`; scope `full refresh_token`) and
 * `docs/elements/salesforce/salesforce-events.md` (polling or webhooks, `event.objects`).
 */
import { elementBlock, events, filterNulls, item, oauthClient, oauthInternals } from "./items";
import type { ElementSpec } from "./types";

/** @internal Salesforce: an OAuth2 element whose only mode needs a browser (or an external refresh token). */
export const sfdc: ElementSpec = Object.freeze({
    block: elementBlock({
        id: 23,
        name: "Salesforce Sales Cloud",
        hookName: "Salesforce",
        key: "sfdc",
        description:
            "The Salesforce.com allows you to deliver revolutionary CRM automation functionality, such as account and " +
            "contact creation, from anywhere, anytime, on any device.",
        image: "elements/provider_salesforce.png",
        typeOauth: true,
        extra: {
            configDescription:
                "If you do not have a Salesforce.com account, you can create one at Salesforce.com Signup",
            signupURL: "http://www.salesforce.com",
        },
        authentication: "oauth2",
        hub: "crm",
    }),
    items: [
        ...oauthClient(true),
        item("oauth.callback.url", "OAuth Callback URL", {
            type: "TEXTFIELD_1000",
            required: true,
            defaultValue: "https://console.cloud-elements.com/elements/jsp/home.jsp",
        }),
        item("oauth.scope", "OAuth Scope", { hidden: true, defaultValue: "full refresh_token" }),
        ...oauthInternals(
            "https://login.salesforce.com/services/oauth2/token",
            "https://login.salesforce.com/services/oauth2/authorize",
        ),
        filterNulls(),
        ...events({ vendorType: "polling", both: true, refreshInterval: "15" }),
        item("event.objects", "Event Objects", { type: "TEXTFIELD_1000", displayOrder: 107 }),
    ],
    modes: [{ type: "oauth2", description: "OAuth 2.0", oauth: true, requires: [] }],
    modeKey: false,
    unsetValue: null,
    clearSecrets: ["oauth.user.token"],
    primarySecret: "oauth.user.refresh_token",
    invalidCredentials: '{"error":"invalid_grant","error_description":"expired access/refresh token"}',
});
