/**
 * One Freshdesk V2 element instance per environment: the same program for every stack, the differences live in
 * `Pulumi.<stack>.yaml` (no secrets there in clear text; see the README).
 *
 * Stack config:
 * - `subdomain` (required), `apiKey` (required, secret: `pulumi config set --secret apiKey ...`);
 * - `tags` (list, optional): added to `env:<stack>`;
 * - `filterResponseNulls` (boolean, default true);
 * - `eventsCallbackUrl` (optional): turns polling events on, posted to this https URL;
 *   `pollingIntervalMinutes` (default 15);
 * - connection: `cloudelements:baseUrl`, `cloudelements:userSecret` (secret), `cloudelements:organizationSecret`
 *   (secret), or the CLOUD_ELEMENTS_* environment variables.
 */
import * as pulumi from "@pulumi/pulumi";
import { FreshdeskInstance } from "pulumi-cloudelements-freshdesk";

const config = new pulumi.Config();
const environment = pulumi.getStack();
const eventsCallbackUrl = config.get("eventsCallbackUrl");

const helpdesk = new FreshdeskInstance("helpdesk", {
    subdomain: config.require("subdomain"),
    apiKey: config.requireSecret("apiKey"),
    name: `support-${environment}`,
    tags: [`env:${environment}`, ...(config.getObject<string[]>("tags") ?? [])],
    filterResponseNulls: config.getBoolean("filterResponseNulls") ?? true,
    events: eventsCallbackUrl
        ? {
              enabled: true,
              callbackUrl: eventsCallbackUrl,
              pollingIntervalMinutes: config.getNumber("pollingIntervalMinutes") ?? 15,
          }
        : undefined,
});

/** The Cloud Elements instance id of this environment. */
export const instanceId = helpdesk.instanceId;
/** The instance name: support-<stack>. */
export const instanceName = helpdesk.name;
/** Whether polling events are on in this environment. */
export const eventsEnabled = helpdesk.eventsEnabled;
/** The element token (secret): `pulumi stack output token --show-secrets`. */
export const token = helpdesk.token;
