/**
 * Salesforce Marketing Cloud (`salesforcemarketingcloud`, id 1357 in the page's front matter; its example response
 * shows 2102): devportal `docs/elements/salesforce-marketing-cloud/salesforce-marketing-cloud-create-instance.md`
 * (key, block with authentication `custom`, the client id and secret, and a returned configuration with the secret
 * in clear and the platform's token bookkeeping keys).
 */
import { baseUrl, bulk, elementBlock, filterNulls, item, paging, userKey } from "./items";
import type { ElementSpec } from "./types";

/** @internal Salesforce Marketing Cloud: client credentials; `clientSecret` is a text field, returned in clear. */
export const salesforcemarketingcloud: ElementSpec = Object.freeze({
    block: elementBlock({
        id: 1357,
        name: "Salesforce Marketing Cloud",
        hookName: "SalesforceMarketingCloud",
        key: "salesforcemarketingcloud",
        description:
            "Add a Salesforce Marketing Cloud Instance to connect your existing Salesforce Marketing Cloud account to " +
            "the Marketing Hub, allowing you to manage activities, campaigns, and contacts across multiple Marketing " +
            "Elements and other Salesforce services. You will need your Salesforce Marketing Cloud account " +
            "information to add an instance.",
        image: "elements/provider_sfdcmarketingcloud.png",
        typeOauth: false,
        authentication: "custom",
        hub: "marketing",
        parameters: [
            {
                id: 1672,
                createdDate: "2016-11-04T04:26:24Z",
                name: "requestToken",
                vendorName: "Authorization",
                type: "configuration",
                vendorType: "header",
                source: "request",
                elementId: 1357,
                required: false,
            },
        ],
    }),
    items: [
        userKey("clientId", "Client ID"),
        userKey("clientSecret", "Client Secret"),
        filterNulls(),
        baseUrl("https://www.exacttargetapis.com/"),
        ...paging("50", "page"),
        item("pagination.page.startindex", "Pagination Start Index", {
            type: "TEXTFIELD_32",
            hidden: true,
            defaultValue: "1",
        }),
        ...bulk({
            "bulk.add_metadata": undefined,
            "bulk.relations": undefined,
            "bulk.query.field_name": "modifiedDate",
            "bulk.query.operator": ">",
            "bulk.query.date_mask": "yyyy-MM-dd'T'HH:mm:ssXXX",
            "bulk.query.download_format": "JSON",
        }),
        item("requestToken", "Request Token", { type: "TEXTFIELD_1000", internal: true }),
        item("authentication.time", "Authentication Time", { type: "TEXTFIELD_64", internal: true }),
        item("expires_in", "Expires In", { type: "TEXTFIELD_32", internal: true }),
    ],
    modes: [{ type: "custom", description: "Client credentials", oauth: false, requires: [] }],
    modeKey: false,
    unsetValue: null,
    clearSecrets: ["clientSecret", "requestToken"],
    primarySecret: "clientSecret",
    invalidCredentials:
        '{"error":"invalid_client","error_description":"Invalid client ID. Use the client ID in Marketing Cloud Installed Packages."}',
});
