/**
 * Freshdesk V2 (`freshdeskv2`, id 491): devportal `docs/elements/freshdesk/authenticate.md` (key, id, block, the
 * two required keys), `docs/elements/freshdesk/events.md` (polling only; `base.url` and `pagination.max` as an older
 * version of that page shows them), `_includes/common-instance-config.md` (`filter.response.nulls`, event keys).
 */
import { elementBlock, item, userKey } from "./items";
import type { ElementSpec } from "./types";

/** @internal Freshdesk V2. The API key travels as `username`, a text field the platform returns in clear. */
export const freshdeskv2: ElementSpec = Object.freeze({
    block: elementBlock({
        id: 491,
        name: "Freshdesk V2",
        hookName: "Freshdeskv2",
        key: "freshdeskv2",
        description:
            "Add a Freshdesk Instance to connect your existing Freshdesk account to the Helpdesk Hub, allowing you to " +
            "manage incidents, contacts, accounts and agents across multiple Helpdesk Elements.",
        image: "elements/provider_freshdesk.png",
        typeOauth: false,
        authentication: "basic",
        hub: "helpdesk",
    }),
    items: [
        userKey("subdomain", "Freshdesk Subdomain", { description: "The acme in https://acme.freshdesk.com" }),
        userKey("username", "API Key", { description: "Your Freshdesk API key" }),
        item("filter.response.nulls", "Filter null values from the response", {
            type: "BOOLEAN",
            defaultValue: "true",
        }),
        item("authentication.type", "Authentication Type", {
            type: "TEXTFIELD_32",
            internal: true,
            defaultValue: "basic",
        }),
        item("base.url", "Base URL", {
            type: "TEXTFIELD_1000",
            required: true,
            hidden: true,
            defaultValue: "https://{subdomain}.freshdesk.com",
        }),
        item("pagination.max", "Max Page Size (or limit)", { type: "TEXTFIELD_32", hidden: true, defaultValue: "30" }),
        item("bulk.add_metadata", "Bulk Add Metadata", { hidden: true, defaultValue: "false" }),
        item("bulk.relations", "Bulk Relations", { type: "TEXTAREA", hidden: true }),
        item("event.notification.enabled", "Event Notifications Enabled", {
            type: "BOOLEAN",
            defaultValue: "false",
            displayOrder: 102,
        }),
        item("event.vendor.type", "Event Type", { internal: true, defaultValue: "polling", displayOrder: 100 }),
        item("event.notification.callback.url", "Event Notification Callback URL", {
            type: "TEXTFIELD_1000",
            displayOrder: 103,
        }),
        item("event.notification.signature.key", "Callback Notification Signature Key", { displayOrder: 105 }),
        item("event.notification.subscription.id", "Event Subscription ID", { internal: true, displayOrder: 106 }),
        item("event.notification.basic.username", "Callback Basic Auth Username", { hidden: true, displayOrder: 107 }),
        item("event.notification.basic.password", "Callback Basic Auth Password", {
            type: "PASSWORD",
            hidden: true,
            displayOrder: 108,
        }),
        item("event.poller.refresh_interval", "Event poller refresh interval (mins)", { displayOrder: 101 }),
        item("event.poller.configuration", "Event Poller Resources Configuration", {
            type: "TEXTAREA",
            displayOrder: 104,
        }),
        item("event.poller.urls", "Event Poller URLs", { hidden: true, displayOrder: 109 }),
    ],
    modes: [{ type: "basic", description: "Basic", oauth: false, requires: [] }],
    modeKey: false,
    unsetValue: "",
    apiKeyInUsername: true,
    clearSecrets: ["username", "event.notification.signature.key"],
    primarySecret: "username",
    invalidCredentials: '{"code":"invalid_credentials","message":"You have to be logged in to perform this action."}',
});
