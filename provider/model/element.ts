/**
 * `ElementInstance`: an instance of any element, its configuration a map of the element's own keys. Checked inputs,
 * request bodies and the inputs and outputs read back from an instance. Which keys an element requires or treats as
 * secret comes from its metadata (`metadata.ts`); this module only checks shapes.
 */
import type { ApiInstance } from "../api/wire";
import { checkAccount } from "./account";
import { type CheckFailure, type Fail, typeName } from "./failures";
import { accountSecretValues, defaultPollingIntervalMinutes, unknownValue } from "./instance";
import type { BaseInputs, BaseOutputs, InstanceKind, OutputExtras } from "./kind";
import { enabledFromInstance } from "./mapping";
import { isSecretKeyName } from "./metadata";
import { markerFromTags, markerTag, nonceFromTags, nonceTag, ownerTag, userTags } from "./tags";
import {
    checkAdoptInstanceId,
    checkBoolean,
    checkCallbackUrl,
    checkName,
    checkPollingInterval,
    checkSignatureKey,
    checkTags,
    isAbsent,
} from "./validation";

/** A configuration value as a program gives it; the platform stores every value as a string. */
export type ConfigurationValue = string | number | boolean;

/** Polling events of an element instance (the element's `event.*` configuration keys). */
export interface ElementInstanceEvents {
    readonly enabled: boolean;
    readonly callbackUrl?: string;
    readonly pollingIntervalMinutes: number;
    /** HMAC key of the `Elements-Webhook-Signature` header (secret). */
    readonly signatureKey?: string;
}

/** Checked inputs of an `ElementInstance`. */
export interface ElementInstanceInputs extends BaseInputs {
    /** The element's key (`servicenow`, `jira`, ...). Changing it replaces the instance. */
    readonly elementKey: string;
    /** The element configuration the user manages, by key. */
    readonly configuration: Readonly<Record<string, ConfigurationValue>>;
    /** The configuration keys whose values are secret (metadata, name and the program's own marking). */
    readonly secretConfigurationKeys: readonly string[];
    /** `initial`: an OAuth instance created from an external refresh token, without a browser. */
    readonly externalAuthentication?: "initial";
    /** Polling events; absent leaves the element's `event.*` keys alone. */
    readonly events?: ElementInstanceEvents;
}

/** Outputs of an `ElementInstance`. */
export interface ElementInstanceOutputs extends BaseOutputs, ElementInstanceInputs {
    readonly elementKey: string;
    readonly createMarker: string;
}

/** Configuration keys of polling events, common to the elements that poll. */
export const eventKeys = {
    enabled: "event.notification.enabled",
    vendorType: "event.vendor.type",
    callbackUrl: "event.notification.callback.url",
    refreshInterval: "event.poller.refresh_interval",
    signatureKey: "event.notification.signature.key",
} as const;

const elementKeyPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Validates and normalises `ElementInstance` inputs, shapes only (no I/O). Drops keys it does not know. */
export function checkElementInputs(news: Record<string, unknown>): {
    inputs: Record<string, unknown>;
    failures: CheckFailure[];
} {
    const failures: CheckFailure[] = [];
    const fail: Fail = (property, reason) => failures.push({ property, reason });
    const configuration = checkConfiguration(news.configuration ?? {}, fail);
    const inputs: Record<string, unknown> = {
        elementKey: checkElementKey(news.elementKey, fail),
        name: checkName(news.name, fail),
        configuration,
        secretConfigurationKeys: secretKeysByName(configuration, news.secretConfigurationKeys),
        tags: checkTags(news.tags ?? [], fail),
        externalAuthentication: checkExternalAuthentication(news.externalAuthentication, fail),
        events: checkElementEvents(news.events, configuration, fail),
        enabled: isAbsent(news.enabled) ? undefined : checkBoolean("enabled", news.enabled, fail),
        account: checkAccount(news.account, fail),
        adoptInstanceId: checkAdoptInstanceId(news.adoptInstanceId, fail),
        adoptTakeOver: isAbsent(news.adoptTakeOver)
            ? undefined
            : checkBoolean("adoptTakeOver", news.adoptTakeOver, fail),
        owner: typeof news.owner === "string" ? news.owner : undefined,
        __provider: typeof news.__provider === "string" ? news.__provider : undefined,
    };
    return { inputs: withoutUndefined(inputs), failures };
}

function checkElementKey(key: unknown, fail: Fail): unknown {
    if (key === unknownValue) {
        return key;
    }
    if (typeof key !== "string" || key.trim() === "") {
        fail(
            "elementKey",
            `elementKey is required: the element's key, e.g. "servicenow" or "jira", got ${typeName(key)}`,
        );
        return key;
    }
    if (!elementKeyPattern.test(key.trim())) {
        fail("elementKey", `elementKey ${JSON.stringify(key)} is not an element key: letters, digits, ".", "_" or "-"`);
    }
    return key.trim();
}

function checkConfiguration(configuration: unknown, fail: Fail): unknown {
    if (configuration === unknownValue) {
        return configuration;
    }
    if (typeof configuration !== "object" || configuration === null || Array.isArray(configuration)) {
        fail(
            "configuration",
            `configuration must be a map from the element's configuration keys to values, got ${typeName(configuration)}`,
        );
        return configuration;
    }
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(configuration as Record<string, unknown>)) {
        if (value === undefined) {
            continue;
        }
        result[key] = value;
        if (key.trim() === "") {
            fail("configuration", "configuration has an empty key");
        } else if (value !== unknownValue && !isConfigurationValue(value)) {
            // Never echoed: it may be a credential.
            fail(
                `configuration.${key}`,
                `configuration.${key} must be a string, a number or a boolean, got ${typeName(value)}`,
            );
        }
    }
    return result;
}

function isConfigurationValue(value: unknown): value is ConfigurationValue {
    return (
        typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))
    );
}

/** The keys whose values are secret by their name, plus those given (the host passes the program's secret keys). */
function secretKeysByName(configuration: unknown, given: unknown): string[] {
    const keys = new Set(Array.isArray(given) ? given.filter((k): k is string => typeof k === "string") : []);
    if (typeof configuration === "object" && configuration !== null) {
        for (const key of Object.keys(configuration)) {
            if (isSecretKeyName(key)) {
                keys.add(key);
            }
        }
    }
    return [...keys].sort();
}

function checkExternalAuthentication(value: unknown, fail: Fail): unknown {
    if (isAbsent(value) || value === unknownValue) {
        return isAbsent(value) ? undefined : value;
    }
    if (value !== "initial") {
        fail(
            "externalAuthentication",
            `externalAuthentication must be "initial" (create an OAuth instance from an existing refresh token), got ${
                typeof value === "string" ? JSON.stringify(value) : typeName(value)
            }`,
        );
    }
    return value;
}

const elementEventFields = new Set(["enabled", "callbackUrl", "pollingIntervalMinutes", "signatureKey"]);

function checkElementEvents(value: unknown, configuration: unknown, fail: Fail): unknown {
    if (isAbsent(value) || value === unknownValue) {
        return isAbsent(value) ? undefined : value;
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        fail("events", `events must be an object ({${[...elementEventFields].join(", ")}}), got ${typeName(value)}`);
        return value;
    }
    const raw = value as Record<string, unknown>;
    for (const key of Object.keys(raw)) {
        if (!elementEventFields.has(key) && raw[key] !== undefined) {
            fail(
                `events.${key}`,
                `events.${key} is not a known field: expected one of ${[...elementEventFields].join(", ")}`,
            );
        }
    }
    const clash = Object.values(eventKeys).find(
        (key) => typeof configuration === "object" && configuration !== null && key in configuration,
    );
    if (clash !== undefined) {
        fail(`configuration.${clash}`, `configuration.${clash} and events both set polling events: use one of them`);
    }
    const enabled = checkBoolean("events.enabled", raw.enabled ?? true, fail);
    const callbackUrl = checkCallbackUrl(raw.callbackUrl, enabled, fail);
    const signatureKey = checkSignatureKey(raw.signatureKey, fail);
    return withoutUndefined({
        enabled,
        callbackUrl,
        pollingIntervalMinutes: checkPollingInterval(raw.pollingIntervalMinutes ?? defaultPollingIntervalMinutes, fail),
        signatureKey,
    });
}

function withoutUndefined(values: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

/** The provider's tags added to the user's: marker, owner (when known), nonce (when the instance has one). */
function providerTags(inputs: BaseInputs, marker: string | undefined, nonce: string | undefined): string[] {
    return [
        ...(marker === undefined ? [] : [markerTag(marker)]),
        ...(typeof inputs.owner === "string" ? [ownerTag(inputs.owner)] : []),
        ...(nonce === undefined ? [] : [nonceTag(nonce)]),
    ];
}

/** The configuration sent: the user's keys as given, plus the polling keys `events` stands for. */
export function elementConfiguration(
    inputs: ElementInstanceInputs,
    previous?: Partial<ElementInstanceInputs>,
): Record<string, unknown> {
    const config: Record<string, unknown> = { ...inputs.configuration };
    const events = inputs.events;
    if (events !== undefined) {
        config[eventKeys.enabled] = events.enabled;
        if (events.enabled) {
            config[eventKeys.vendorType] = "polling";
            config[eventKeys.callbackUrl] = events.callbackUrl;
            config[eventKeys.refreshInterval] = String(events.pollingIntervalMinutes);
            if (events.signatureKey !== undefined) {
                config[eventKeys.signatureKey] = events.signatureKey;
            } else if (previous?.events?.signatureKey !== undefined) {
                config[eventKeys.signatureKey] = "";
            }
        }
    } else if (previous?.events?.enabled === true) {
        // `events` removed: stop the polling it started.
        config[eventKeys.enabled] = false;
    }
    return config;
}

/** Values of password-type keys come back as asterisks. */
function isMasked(value: unknown): boolean {
    return typeof value === "string" && /^\*+$/.test(value);
}

/**
 * The configuration as the instance shows it, for the keys the user manages: a secret key is never read back (it
 * may come back masked or in clear; state holds the program's value), a masked value is never compared, a key the
 * GET leaves out keeps its value, and a readable value equal to the state's (as a string) keeps the state's type.
 * Anything else is drift, recorded as the instance shows it.
 */
function configurationFromInstance(
    instance: ApiInstance,
    old: Partial<ElementInstanceOutputs>,
): Record<string, ConfigurationValue> {
    const shown = instance.configuration ?? {};
    const secret = new Set(old.secretConfigurationKeys ?? []);
    const result: Record<string, ConfigurationValue> = {};
    for (const [key, value] of Object.entries(old.configuration ?? {})) {
        const now = shown[key];
        const keep =
            secret.has(key) || now === undefined || now === null || isMasked(now) || String(now) === String(value);
        result[key] = keep ? value : typeof now === "object" ? JSON.stringify(now) : (now as ConfigurationValue);
    }
    return result;
}

function eventsFromInstance(
    instance: ApiInstance,
    old: ElementInstanceEvents | undefined,
): ElementInstanceEvents | undefined {
    if (old === undefined) {
        return undefined;
    }
    const shown = instance.configuration ?? {};
    const enabledNow = shown[eventKeys.enabled];
    const enabled = enabledNow === undefined ? old.enabled : String(enabledNow).toLowerCase() === "true";
    const url = shown[eventKeys.callbackUrl];
    const interval = Number(shown[eventKeys.refreshInterval]);
    return withoutUndefined({
        ...old,
        enabled,
        ...(enabled && typeof url === "string" && url !== "" ? { callbackUrl: url } : {}),
        ...(enabled && Number.isSafeInteger(interval) && interval > 0 ? { pollingIntervalMinutes: interval } : {}),
    }) as unknown as ElementInstanceEvents;
}

/** Inputs as an instance shows them (refresh); what it does not show keeps its value from `old`. */
export function elementInputsFromInstance(
    instance: ApiInstance,
    old: Partial<ElementInstanceOutputs>,
): ElementInstanceInputs {
    const events = eventsFromInstance(instance, old.events);
    const marker = old.createMarker ?? markerFromTags(instance.tags);
    return withoutUndefined({
        elementKey: instance.element?.key ?? old.elementKey,
        name: typeof instance.name === "string" ? instance.name : (old.name ?? ""),
        configuration: configurationFromInstance(instance, old),
        secretConfigurationKeys: [...(old.secretConfigurationKeys ?? [])],
        tags: Array.isArray(instance.tags) ? userTags(instance.tags) : [...(old.tags ?? [])],
        externalAuthentication: old.externalAuthentication,
        events,
        ...enabledFromInstance(instance, old.enabled),
        account: old.account,
        adoptInstanceId: old.adoptInstanceId,
        adoptTakeOver: old.adoptTakeOver,
        owner: old.owner,
        createMarker: marker,
    }) as unknown as ElementInstanceInputs;
}

/** The complete outputs for an instance: the desired inputs plus the server's own fields. */
export function elementOutputsFromInstance(
    instance: ApiInstance,
    desired: ElementInstanceInputs,
    extra: OutputExtras,
): ElementInstanceOutputs {
    const elementId = instance.elementId ?? instance.element?.id;
    const { __provider: _, ...kept } = desired;
    return withoutUndefined({
        ...kept,
        name: typeof instance.name === "string" ? instance.name : desired.name,
        tags: Array.isArray(instance.tags) ? userTags(instance.tags) : [...desired.tags],
        createMarker: extra.createMarker ?? desired.createMarker ?? markerFromTags(instance.tags),
        createNonce: extra.createNonce ?? nonceFromTags(instance.tags),
        instanceId: instance.id,
        token: extra.token ?? instance.token,
        createdDate: typeof instance.createdDate === "string" ? instance.createdDate : undefined,
        valid: typeof instance.valid === "boolean" ? instance.valid : true,
        disabled: typeof instance.disabled === "boolean" ? instance.disabled : false,
        eventsEnabled:
            typeof instance.eventsEnabled === "boolean" ? instance.eventsEnabled : (desired.events?.enabled ?? false),
        elementKey: instance.element?.key ?? desired.elementKey,
        elementId: typeof elementId === "number" ? elementId : undefined,
    }) as unknown as ElementInstanceOutputs;
}

/** The secret values of an `ElementInstance`'s inputs or outputs, to redact from every message. */
export function elementSecretsOf(values: Partial<ElementInstanceOutputs> | undefined): (string | undefined)[] {
    const config = values?.configuration ?? {};
    const keys = new Set([...(values?.secretConfigurationKeys ?? []), ...Object.keys(config).filter(isSecretKeyName)]);
    return [
        values?.token,
        values?.events?.signatureKey,
        ...[...keys].map((key) => (config[key] === undefined ? undefined : String(config[key]))),
        ...accountSecretValues(values?.account),
    ];
}

/** The lifecycle's view of `ElementInstance` (see `kind.ts`). */
export const elementKind: InstanceKind<ElementInstanceInputs, ElementInstanceOutputs> = {
    resourceName: "ElementInstance",
    elementKey: (values) => (typeof values.elementKey === "string" ? values.elementKey : undefined),
    createBody: (inputs, marker, nonce) => ({
        element: { key: inputs.elementKey },
        name: inputs.name,
        tags: [...inputs.tags, ...providerTags(inputs, marker, nonce)],
        configuration: elementConfiguration(inputs),
        ...(inputs.externalAuthentication === undefined
            ? {}
            : { externalAuthentication: inputs.externalAuthentication }),
    }),
    patchBody: (inputs, marker, previous, nonce) => ({
        name: inputs.name,
        tags: [...inputs.tags, ...providerTags(inputs, marker, nonce)],
        configuration: elementConfiguration(inputs, previous as Partial<ElementInstanceInputs> | undefined),
    }),
    inputsFromInstance: elementInputsFromInstance,
    outputsFromInstance: elementOutputsFromInstance,
    secretsOf: (values) => elementSecretsOf(values as Partial<ElementInstanceOutputs> | undefined),
};
