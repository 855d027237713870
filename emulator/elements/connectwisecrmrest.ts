/**
 * ConnectWise REST (`connectwisecrmrest`, id 3012): devportal `docs/elements/connectwise-rest-crm/authenticate.md`
 * (key, id, block with authentication `custom` and hub `crm`, the four keys).
 */
import { elementBlock, events, filterNulls, paging, userKey } from "./items";
import type { ElementSpec } from "./types";

/** @internal ConnectWise REST: custom authentication with a public and a private key (a text field, in clear). */
export const connectwisecrmrest: ElementSpec = Object.freeze({
    block: elementBlock({
        id: 3012,
        name: "Connectwise CRM REST Beta",
        hookName: "ConnectWiseREST",
        key: "connectwisecrmrest",
        description:
            "Add a ConnectWise Instance to connect your existing ConnectWise account to the crm Hub, allowing you to " +
            "manage contacts , organizations and incidents across multiple Elements. You will need your ConnectWise " +
            "account and ConnectWise information to add an instance.",
        image: "elements/provider_connectwise.png",
        typeOauth: false,
        extendable: false,
        authentication: "custom",
        hub: "crm",
    }),
    items: [
        userKey("baseUrl", "ConnectWise URL", {
            type: "TEXTFIELD_1000",
            description: "https://api-<your site>/v4_6_release/apis/3.0",
        }),
        userKey("company", "Company", { description: "The company name that you use to log in" }),
        userKey("public.key", "Public Key"),
        userKey("private.key", "Private Key"),
        filterNulls(),
        ...paging("100", "page"),
        ...events({ vendorType: "polling", refreshInterval: "15" }),
    ],
    modes: [{ type: "custom", description: "Custom", oauth: false, requires: [] }],
    modeKey: false,
    unsetValue: null,
    clearSecrets: ["private.key"],
    primarySecret: "private.key",
    invalidCredentials: '{"code":"Unauthorized","message":"Unauthorized"}',
});
