/**
 * The main program: one Freshdesk V2 element instance per environment this stack asks for.
 *
 * Stack config (namespace `cloudelements-freshdesk`):
 * - `subdomain` (required): the Freshdesk subdomain.
 * - `apiKey` (required, secret): the Freshdesk API key.
 * - `environments` (optional, list): the environments to provision; default `[<stack name>]`.
 * - `tags` (optional, list): extra tags on every instance (exported per environment as `instanceTags`).
 * - `eventsCallbackUrl` (optional): turns polling events on, delivered to this HTTPS URL.
 * Connection (namespace `cloudelements`): `baseUrl`, `userSecret` (secret), `organizationSecret` (secret),
 * or the CLOUD_ELEMENTS_* environment variables.
 */
import * as pulumi from "@pulumi/pulumi";
import { FreshdeskInstance } from "./provider";

const config = new pulumi.Config();
const subdomain = config.require("subdomain");
const apiKey = config.requireSecret("apiKey");
const environments = config.getObject<string[]>("environments") ?? [pulumi.getStack()];
const extraTags = config.getObject<string[]>("tags") ?? [];
const eventsCallbackUrl = config.get("eventsCallbackUrl");

const instances = environments.map(
    (environment) =>
        [
            environment,
            new FreshdeskInstance(`freshdesk-${environment}`, {
                subdomain,
                apiKey,
                name: `${pulumi.getProject()}-${environment}`,
                tags: [`env:${environment}`, ...extraTags],
                events: eventsCallbackUrl ? { enabled: true, callbackUrl: eventsCallbackUrl } : undefined,
            }),
        ] as const,
);

/** Instance ids per environment. */
export const instanceIds = Object.fromEntries(instances.map(([env, instance]) => [env, instance.instanceId]));
/** Instance names per environment. */
export const instanceNames = Object.fromEntries(instances.map(([env, instance]) => [env, instance.name]));
/** Instance tags per environment, as the instance has them (the provider's own marker tags are hidden). */
export const instanceTags = Object.fromEntries(instances.map(([env, instance]) => [env, instance.tags]));
/** Element tokens per environment: always secret (`pulumi stack output --show-secrets` to read them). */
export const tokens = pulumi.secret(Object.fromEntries(instances.map(([env, instance]) => [env, instance.token])));
