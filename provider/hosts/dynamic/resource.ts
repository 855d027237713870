import * as pulumi from "@pulumi/pulumi";
import type { FreshdeskInstanceEvents } from "../../model/instance";
import type { Account } from "./account";
import { guardSdkDebugLog } from "./debug-log";
import { stubProvider } from "./stub";
import { dynamicModuleName, dynamicTypeName } from "./type-token";

/** Polling events of a Freshdesk V2 instance (the `event.*` configuration of the instance). */
export interface FreshdeskInstanceEventsArgs {
    /**
     * Whether Cloud Elements polls Freshdesk and posts the changes to {@link callbackUrl}
     * (`event.notification.enabled`; `event.vendor.type` is always `polling`, the only kind Freshdesk V2 supports).
     * @default true when `events` is given
     */
    readonly enabled?: pulumi.Input<boolean>;
    /**
     * Where events are posted (`event.notification.callback.url`). Required when events are enabled. Must be https;
     * http is accepted only for loopback hosts (local testing).
     */
    readonly callbackUrl?: pulumi.Input<string>;
    /**
     * Minutes between polls (`event.poller.refresh_interval`); a positive whole number.
     * @default 15
     */
    readonly pollingIntervalMinutes?: pulumi.Input<number>;
    /**
     * The Freshdesk hub resources to poll, e.g. `incidents`, `contacts`, `accounts`, `agents`. Each gets the poll
     * definition of the element's documented default (`event.poller.configuration`, `event.poller.urls`).
     * @default ["incidents", "contacts"]
     */
    readonly resources?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Key of the `Elements-Webhook-Signature` HMAC on posted events (`event.notification.signature.key`). Always
     * stored as a secret. Leave it out to send unsigned events.
     */
    readonly signatureKey?: pulumi.Input<string>;
}

/** The arguments of a {@link FreshdeskInstance}. */
export interface FreshdeskInstanceArgs {
    /**
     * The Freshdesk account: `acme` for acme.freshdesk.com. `acme.freshdesk.com` and `https://acme.freshdesk.com/`
     * are accepted and normalised to `acme`. Changing it replaces the instance (the new one is created first).
     */
    readonly subdomain: pulumi.Input<string>;
    /**
     * The Freshdesk API key (configuration key `username`). Always stored as a secret, whatever is passed. Changing
     * it updates the instance in place (key rotation).
     */
    readonly apiKey: pulumi.Input<string>;
    /**
     * The instance name (1-255 characters, no `<` or `>`). Names need not be unique on Cloud Elements.
     * @default the resource name
     */
    readonly name?: pulumi.Input<string>;
    /**
     * Tags of the instance. Tags starting with `pulumi-marker:`, `pulumi-owner:` or `pulumi-create:` are
     * reserved: the provider keeps such tags on the instance to recognise it (they never show in the `tags` output).
     * @default []
     */
    readonly tags?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * Drop `null` fields from hub responses (`filter.response.nulls`).
     * @default true
     */
    readonly filterResponseNulls?: pulumi.Input<boolean>;
    /**
     * Polling events. Leave it out to keep events off.
     * @default events off
     */
    readonly events?: pulumi.Input<FreshdeskInstanceEventsArgs>;
    /**
     * Adopt this existing freshdeskv2 instance (its id, a number or a numeric string) instead of creating one: the
     * first `up` reads it, applies this resource's settings with `PUT /instances/{id}?reAuthenticate=true` (Cloud
     * Elements re-checks the API key), tags it with this resource's marker, keeps its id and token, and from then
     * on manages it (`destroy` deletes it).
     *
     * Only read when the resource is created: changing or removing it later is not a change. Adoption happens once:
     * when the resource is later replaced (a `subdomain` change, `up --replace`), the replacement is a fresh
     * instance and the adopted one is deleted like any replaced instance. If the adopted instance was deleted
     * outside Pulumi, `refresh` drops it from state and the next `up` creates a fresh instance.
     *
     * An instance that carries another Pulumi resource's marker tag (`pulumi-marker:...`) is refused unless
     * {@link adoptTakeOver} is true. This is the way to bring an existing instance under management: Pulumi's
     * `import` does not work for dynamic resources.
     */
    readonly adoptInstanceId?: pulumi.Input<number | string>;
    /**
     * Take over an instance named by {@link adoptInstanceId} even though another Pulumi resource (another stack,
     * or another resource of this one) manages it, i.e. it carries a different `pulumi-marker:` tag. Set it only
     * after removing the instance from the other resource's state (`pulumi state delete <urn>` there, or
     * `retainOnDelete` and removing the resource), or both would manage one instance and a `destroy` of either
     * would delete it under the other. Only read when the resource is created, like `adoptInstanceId`.
     * @default false
     */
    readonly adoptTakeOver?: pulumi.Input<boolean>;
    /**
     * Whether the instance is enabled (`PUT`/`DELETE /instances/{id}/enabled`); disabling keeps its configuration
     * and is an update in place.
     * @default true
     */
    readonly enabled?: pulumi.Input<boolean>;
    /** The account to manage the instance in (see {@link Account}). @default stack config and environment */
    readonly account?: Account;
}

/**
 * A Cloud Elements (SAP Open Connectors) Freshdesk V2 element instance.
 *
 * The connection comes from stack config `cloudelements:baseUrl`, `cloudelements:userSecret` and
 * `cloudelements:organizationSecret` (optionally `cloudelements:timeoutMs`, `cloudelements:maxRetries`,
 * `cloudelements:allowInsecureHttp`), or the environment variables `CLOUD_ELEMENTS_BASE_URL`,
 * `CLOUD_ELEMENTS_USER_SECRET`, `CLOUD_ELEMENTS_ORGANIZATION_SECRET` (`CLOUD_ELEMENTS_TIMEOUT_MS`,
 * `CLOUD_ELEMENTS_MAX_RETRIES`, `CLOUD_ELEMENTS_ALLOW_INSECURE_HTTP`); stack config wins; never from resource
 * arguments. The base URL is any https host; plain http only for loopback hosts, or for any host with
 * `allowInsecureHttp` true.
 *
 * The resource id is the instance id as a string. `token` (the element token for hub calls) is always secret.
 */
export class FreshdeskInstance extends pulumi.dynamic.Resource {
    /** The Cloud Elements instance id (the resource id is its string form). */
    declare readonly instanceId: pulumi.Output<number>;
    /** The element instance token, for `Authorization: User ..., Organization ..., Element <token>`. Secret. */
    declare readonly token: pulumi.Output<string>;
    /** The instance name as Cloud Elements stores it. */
    declare readonly name: pulumi.Output<string>;
    /** The instance's tags (without the provider's own `pulumi-marker:`, `pulumi-owner:` and `pulumi-create:` tags). */
    declare readonly tags: pulumi.Output<string[]>;
    /** When the instance was created (ISO-8601, UTC). */
    declare readonly createdDate: pulumi.Output<string>;
    /** Whether Cloud Elements considers the instance's credentials valid. */
    declare readonly valid: pulumi.Output<boolean>;
    /** Whether the instance is disabled (hub calls answer 403). */
    declare readonly disabled: pulumi.Output<boolean>;
    /** Whether events are enabled on the instance. */
    declare readonly eventsEnabled: pulumi.Output<boolean>;
    /** The element key: `freshdeskv2`. */
    declare readonly elementKey: pulumi.Output<string>;
    /** The element id (491 for Freshdesk V2). */
    declare readonly elementId: pulumi.Output<number>;
    /** The normalised subdomain (`acme`). */
    declare readonly subdomain: pulumi.Output<string>;
    /** Whether hub responses drop `null` fields. */
    declare readonly filterResponseNulls: pulumi.Output<boolean>;
    /** The normalised events settings (`signatureKey`, when set, is secret). */
    declare readonly events: pulumi.Output<FreshdeskInstanceEvents>;

    /**
     * @param name
     *  The resource name; also the default instance name.
     * @param args
     *  The instance's settings.
     * @param opts
     *  Resource options. `additionalSecretOutputs: ["token"]` is always added.
     */
    constructor(name: string, args: FreshdeskInstanceArgs, opts?: pulumi.CustomResourceOptions) {
        guardSdkDebugLog();
        const a: Partial<FreshdeskInstanceArgs> = args ?? {};
        // A fresh object every time: the base class adds `__provider` to it.
        const props: Record<string, unknown> = {
            subdomain: a.subdomain,
            apiKey: pulumi.secret(a.apiKey),
            name: a.name ?? name,
            tags: a.tags,
            filterResponseNulls: a.filterResponseNulls,
            events: secretEvents(a.events),
            adoptInstanceId: a.adoptInstanceId,
            adoptTakeOver: a.adoptTakeOver,
            enabled: a.enabled,
            account: a.account?.settings,
            // Which resource manages the instance, stable across replacements (see InstanceInputs.owner).
            owner: `${pulumi.getProject()}/${pulumi.getStack()}/${name}`,
            instanceId: undefined,
            token: undefined,
            createdDate: undefined,
            valid: undefined,
            disabled: undefined,
            eventsEnabled: undefined,
            elementKey: undefined,
            elementId: undefined,
        };
        super(
            stubProvider,
            name,
            props,
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token"] }),
            dynamicModuleName,
            dynamicTypeName,
        );
    }
}

/**
 * Marks `events.signatureKey` secret. A plain object keeps the rest of `events` in clear text; an `events` that is
 * itself an Output or a Promise can only be marked secret as a whole (when it holds a signature key).
 */
function secretEvents(
    events: pulumi.Input<FreshdeskInstanceEventsArgs> | undefined,
): pulumi.Input<FreshdeskInstanceEventsArgs> | undefined {
    if (events === undefined || events === null) {
        return undefined;
    }
    if (pulumi.Output.isInstance(events) || typeof (events as PromiseLike<unknown>).then === "function") {
        return pulumi
            .output(events)
            .apply((e) =>
                e?.signatureKey !== undefined && e?.signatureKey !== null ? pulumi.secret(e) : e,
            ) as pulumi.Output<FreshdeskInstanceEventsArgs>;
    }
    const plain = events as FreshdeskInstanceEventsArgs;
    return plain.signatureKey === undefined || plain.signatureKey === null
        ? { ...plain }
        : { ...plain, signatureKey: pulumi.secret(plain.signatureKey) };
}
