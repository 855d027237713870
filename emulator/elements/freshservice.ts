/**
 * Freshservice (`freshservice`, id 252): devportal `docs/elements/freshservice/freshservice-create-instance.md` (key,
 * id in the front matter, the three keys, the returned configuration with `base.url`, paging and event keys) and
 * `docs/elements/freshservice/events.md` (polling). The authentication type is not stated: basic is a choice.
 */
import { baseUrl, elementBlock, events, filterNulls, item, userKey } from "./items";
import type { ElementSpec } from "./types";

/** @internal Freshservice: username and password (PASSWORD-typed here, an emulator choice) and the subdomain. */
export const freshservice: ElementSpec = Object.freeze({
    block: elementBlock({
        id: 252,
        name: "Freshservice",
        hookName: "Freshservice",
        key: "freshservice",
        description: "Add a Freshservice element instance",
        image: "elements/provider_freshservice.png",
        typeOauth: false,
        authentication: "basic",
        hub: "helpdesk",
    }),
    items: [
        userKey("username", "Username"),
        userKey("password", "Password", { type: "PASSWORD" }),
        userKey("subdomain", "Subdomain", { description: "Your Freshservice subdomain, the name only" }),
        filterNulls(),
        baseUrl("https://{subdomain}.freshservice.com"),
        item("pagination.max", "Max Page Size (or limit)", { type: "TEXTFIELD_32", hidden: true, defaultValue: "30" }),
        item("pagination.offset", "Pagination Offset", { type: "BOOLEAN", hidden: true, defaultValue: "false" }),
        item("pagination.type", "Pagination Type", { type: "TEXTFIELD_32", hidden: true }),
        ...events({ vendorType: "polling", refreshInterval: "15", pollerConfiguration: " " }),
    ],
    modes: [{ type: "basic", description: "Basic", oauth: false, requires: [] }],
    modeKey: false,
    unsetValue: null,
    clearSecrets: [],
    primarySecret: "password",
    invalidCredentials: '{"code":"invalid_credentials","message":"You have to be logged in to perform this action."}',
});
