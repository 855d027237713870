/**
 * A Freshdesk V2 element instance deployed from CI (see .github/workflows/pulumi.yml and the README).
 *
 * CI passes everything through environment variables from its secret store, so no stack config file needs to be
 * committed; stack config, when present, wins:
 * - `FRESHDESK_SUBDOMAIN` (or config `subdomain`);
 * - `FRESHDESK_API_KEY` (or secret config `apiKey`), marked secret here so it is encrypted in state;
 * - `CLOUD_ELEMENTS_BASE_URL`, `CLOUD_ELEMENTS_USER_SECRET`, `CLOUD_ELEMENTS_ORGANIZATION_SECRET`, read by the
 *   provider itself (or config `cloudelements:*`).
 */
import * as pulumi from "@pulumi/pulumi";
import { FreshdeskInstance } from "pulumi-cloudelements-freshdesk";

const config = new pulumi.Config();

function fromEnv(name: string): string {
    const value = process.env[name];
    if (!value) {
        throw new Error(`Set the stack config or the environment variable ${name}`);
    }
    return value;
}

const helpdesk = new FreshdeskInstance("helpdesk", {
    subdomain: config.get("subdomain") ?? fromEnv("FRESHDESK_SUBDOMAIN"),
    apiKey: config.getSecret("apiKey") ?? pulumi.secret(fromEnv("FRESHDESK_API_KEY")),
    name: `support-${pulumi.getStack()}`,
    tags: [`env:${pulumi.getStack()}`, "deployed-by:ci"],
});

/** The Cloud Elements instance id. */
export const instanceId = helpdesk.instanceId;
/** The element token (secret). */
export const token = helpdesk.token;
