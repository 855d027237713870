/**
 * JIRA (`jira`, id 1): devportal `docs/elements/jira/jira-create-instance.md` (key, id, block, the three keys) and
 * `docs/elements/jira/events.md` (webhooks); churros `src/test/platform/elements/instances.js` (a GET returns
 * `password` as `********` and `username` in clear). The authentication type is not stated: basic is a choice.
 */
import { elementBlock, events, filterNulls, item, userKey } from "./items";
import type { ElementSpec } from "./types";

/** @internal JIRA: username (in clear), PASSWORD-typed password, and the site's `base.url` (no default). */
export const jira: ElementSpec = Object.freeze({
    block: elementBlock({
        id: 1,
        name: "JIRA",
        hookName: "JIRA",
        key: "jira",
        description: "JIRA element",
        image: "elements/provider_jira.png",
        typeOauth: false,
        extra: {
            configDescription: "If you do not have an JIRA account, you can create one at JIRA Signup",
            signupURL: "http://www.atlassian.com/software/jira/pricing",
        },
        authentication: "basic",
        hub: "helpdesk",
    }),
    items: [
        userKey("username", "Username"),
        userKey("password", "Password", { type: "PASSWORD" }),
        userKey("base.url", "JIRA URL", {
            type: "TEXTFIELD_1000",
            description: "Your JIRA site, e.g. https://acme.atlassian.net",
        }),
        filterNulls(),
        item("pagination.max", "Max Page Size (or limit)", { type: "TEXTFIELD_32", hidden: true, defaultValue: "50" }),
        ...events({ vendorType: "webhook" }),
    ],
    modes: [{ type: "basic", description: "Basic", oauth: false, requires: [] }],
    modeKey: false,
    unsetValue: null,
    clearSecrets: [],
    primarySecret: "password",
    invalidCredentials:
        '{"errorMessages":["You are not authenticated. Authentication required to perform this operation."],"errors":{}}',
});
