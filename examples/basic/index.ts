/**
 * One Freshdesk V2 element instance on Cloud Elements.
 *
 * Stack config:
 *   pulumi config set subdomain acme
 *   pulumi config set --secret apiKey <Freshdesk API key>
 *   pulumi config set cloudelements:baseUrl https://api.cloud-elements.com
 *   pulumi config set --secret cloudelements:userSecret <user secret>
 *   pulumi config set --secret cloudelements:organizationSecret <organization secret>
 * (or the CLOUD_ELEMENTS_BASE_URL / CLOUD_ELEMENTS_USER_SECRET / CLOUD_ELEMENTS_ORGANIZATION_SECRET variables).
 */
import * as pulumi from "@pulumi/pulumi";
import { FreshdeskInstance } from "pulumi-cloudelements-freshdesk";

const config = new pulumi.Config();

const helpdesk = new FreshdeskInstance("helpdesk", {
    subdomain: config.require("subdomain"),
    apiKey: config.requireSecret("apiKey"),
    name: config.get("instanceName") ?? `${pulumi.getProject()}-${pulumi.getStack()}`,
    tags: ["example:basic"],
});

/** The Cloud Elements instance id. */
export const instanceId = helpdesk.instanceId;
/** The instance name on Cloud Elements. */
export const instanceName = helpdesk.name;
/** The element token for hub calls: secret, `pulumi stack output token --show-secrets` reveals it. */
export const token = helpdesk.token;
