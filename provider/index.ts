/**
 * pulumi-cloudelements-freshdesk: a Pulumi dynamic resource for Cloud Elements (SAP Open Connectors) Freshdesk V2
 * element instances.
 *
 * Only the resource, its argument and output types and the error classes are public. The provider itself lives in
 * `bin/provider/implementation.js`, loaded at run time by the resource's serialized stub.
 */
export { CloudElementsError, type CloudElementsErrorKind, HttpError, PartialCreateError } from "./api/errors";
export { Account, type AccountArgs } from "./hosts/dynamic/account";
export {
    ElementInstance,
    type ElementInstanceArgs,
    type ElementInstanceEventsArgs,
} from "./hosts/dynamic/element-resource";
export {
    FreshdeskInstance,
    type FreshdeskInstanceArgs,
    type FreshdeskInstanceEventsArgs,
} from "./hosts/dynamic/resource";
export type { FreshdeskInstanceEvents } from "./model/instance";
