/**
 * ServiceNow (`servicenow`, id 145): devportal `docs/elements/servicenow/authenticate.md` (key, id, the element
 * block with its `servicenow.subdomain` parameter, the keys, and a returned configuration with `password` masked,
 * every bulk, paging and event key, and nulls kept).
 */
import { baseUrl, bulk, elementBlock, events, filterNulls, paging, userKey } from "./items";
import type { ElementSpec } from "./types";

/** @internal ServiceNow: basic authentication with a PASSWORD-typed `password`. */
export const servicenow: ElementSpec = Object.freeze({
    block: elementBlock({
        id: 145,
        name: "ServiceNow",
        hookName: "ServiceNow",
        key: "servicenow",
        description:
            "ServiceNow is changing the way people work, offering service management for every department in the " +
            "enterprise including IT, human resources, facilities & more.",
        image: "elements/provider_servicenow.png",
        typeOauth: false,
        authentication: "basic",
        hub: "helpdesk",
        parameters: [
            {
                id: 11,
                createdDate: "2015-04-26T16:11:49Z",
                name: "servicenow.subdomain",
                vendorName: "subdomain",
                type: "configuration",
                vendorType: "path",
                source: "request",
                elementId: 145,
                required: false,
            },
        ],
    }),
    items: [
        userKey("username", "Username", { description: "Your ServiceNow user name" }),
        userKey("password", "Password", { type: "PASSWORD", description: "Your ServiceNow password" }),
        userKey("servicenow.subdomain", "The ServiceNow Subdomain", {
            description:
                "The part of your URL specific to your organization: domain12345 in https://domain12345.service-now.com/",
        }),
        filterNulls(),
        baseUrl("https://{subdomain}.service-now.com/api/now/v1/table"),
        ...paging("200", "offset"),
        ...bulk({
            "bulk.add_metadata": "false",
            "bulk.relations": "{}",
            "bulk.query.field_name": "sys_updated_on",
            "bulk.query.operator": ">=",
            "bulk.query.date_mask": "yyyy/MM/dd HH:mm:ss",
            "bulk.attribute.created_time": "sys_created_on",
            "bulk.query.download_format": "json",
        }),
        ...events({ vendorType: "polling", refreshInterval: "15", pollerConfiguration: "{}" }),
    ],
    modes: [{ type: "basic", description: "Basic", oauth: false, requires: [] }],
    modeKey: false,
    unsetValue: null,
    clearSecrets: [],
    primarySecret: "password",
    invalidCredentials:
        '{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}',
});
