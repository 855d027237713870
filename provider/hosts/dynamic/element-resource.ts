import * as pulumi from "@pulumi/pulumi";
import type { Account } from "./account";
import { guardSdkDebugLog } from "./debug-log";
import { elementStubProvider } from "./stub";
import { dynamicModuleName } from "./type-token";

/** Polling events of an element instance (the element's `event.*` configuration keys). */
export interface ElementInstanceEventsArgs {
    /** Whether Cloud Elements polls and posts events. @default true when `events` is given */
    readonly enabled?: pulumi.Input<boolean>;
    /** Where events are posted; https (http only for loopback hosts). Required when enabled. */
    readonly callbackUrl?: pulumi.Input<string>;
    /** Minutes between polls. @default 15 */
    readonly pollingIntervalMinutes?: pulumi.Input<number>;
    /** Key of the `Elements-Webhook-Signature` HMAC. Always stored as a secret. */
    readonly signatureKey?: pulumi.Input<string>;
}

/** The arguments of an {@link ElementInstance}. */
export interface ElementInstanceArgs {
    /** The element's key: `servicenow`, `jira`, `freshservice`, ... Changing it replaces the instance. */
    readonly elementKey: pulumi.Input<string>;
    /**
     * The instance's configuration: the element's own keys (`GET /elements/{key}/configuration` lists them) to
     * strings, numbers or booleans. Keys the element requires are checked before any instance call; a key it does
     * not declare is sent with a warning. PASSWORD-type keys, keys named like credentials and every value passed
     * as a secret are stored as secrets. Changing a value updates the instance in place.
     */
    readonly configuration?: pulumi.Input<Record<string, pulumi.Input<string | number | boolean>>>;
    /** The instance name (1-255 characters, no `<` or `>`). @default the resource name */
    readonly name?: pulumi.Input<string>;
    /** Tags; `pulumi-marker:`, `pulumi-owner:` and `pulumi-create:` are reserved. @default [] */
    readonly tags?: pulumi.Input<pulumi.Input<string>[]>;
    /** Polling events, where the element declares them. @default events left as the element has them */
    readonly events?: pulumi.Input<ElementInstanceEventsArgs>;
    /**
     * `"initial"`: create an OAuth 2.0 instance from an existing refresh token (configuration
     * `oauth.user.refresh_token`, `oauth.api.key`, `oauth.api.secret`) instead of a browser. Read by create only.
     */
    readonly externalAuthentication?: pulumi.Input<"initial">;
    /** Whether the instance is enabled; disabling keeps its configuration. @default true */
    readonly enabled?: pulumi.Input<boolean>;
    /** The account to manage the instance in. @default stack config and environment */
    readonly account?: Account;
    /** Adopt this existing instance of the element instead of creating one (see `FreshdeskInstanceArgs`). */
    readonly adoptInstanceId?: pulumi.Input<number | string>;
    /** Adopt even when another Pulumi resource's marker is on the instance. @default false */
    readonly adoptTakeOver?: pulumi.Input<boolean>;
}

/**
 * An instance of any Cloud Elements (SAP Open Connectors) element whose authentication needs no browser, driven by
 * the element's own metadata. The resource id is the instance id; `token` is always secret.
 */
export class ElementInstance extends pulumi.dynamic.Resource {
    /** The Cloud Elements instance id. */
    declare readonly instanceId: pulumi.Output<number>;
    /** The element instance token. Secret. */
    declare readonly token: pulumi.Output<string>;
    /** The element key. */
    declare readonly elementKey: pulumi.Output<string>;
    /** The element id. */
    declare readonly elementId: pulumi.Output<number>;
    /** Whether the instance is disabled. */
    declare readonly disabled: pulumi.Output<boolean>;
    /** Whether Cloud Elements considers the credentials valid. */
    declare readonly valid: pulumi.Output<boolean>;
    /** The instance name. */
    declare readonly name: pulumi.Output<string>;
    /** The instance's tags (without the provider's own). */
    declare readonly tags: pulumi.Output<string[]>;
    /** The managed configuration; secret values stay secret. */
    declare readonly configuration: pulumi.Output<Record<string, string | number | boolean>>;
    /** When the instance was created. */
    declare readonly createdDate: pulumi.Output<string>;

    /**
     * @param name
     *  The resource name; also the default instance name.
     * @param args
     *  The instance's settings.
     * @param opts
     *  Resource options. `additionalSecretOutputs: ["token"]` is always added.
     */
    constructor(name: string, args: ElementInstanceArgs, opts?: pulumi.CustomResourceOptions) {
        guardSdkDebugLog();
        const a: Partial<ElementInstanceArgs> = args ?? {};
        const props: Record<string, unknown> = {
            elementKey: a.elementKey,
            configuration: a.configuration,
            name: a.name ?? name,
            tags: a.tags,
            // Its signature key is marked secret by the provider, in the inputs it stores.
            events: a.events,
            externalAuthentication: a.externalAuthentication,
            enabled: a.enabled,
            account: a.account?.settings,
            adoptInstanceId: a.adoptInstanceId,
            adoptTakeOver: a.adoptTakeOver,
            owner: `${pulumi.getProject()}/${pulumi.getStack()}/${name}`,
            instanceId: undefined,
            token: undefined,
            elementId: undefined,
            disabled: undefined,
            valid: undefined,
            createdDate: undefined,
        };
        super(
            elementStubProvider,
            name,
            props,
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token"] }),
            dynamicModuleName,
            "ElementInstance",
        );
    }
}
