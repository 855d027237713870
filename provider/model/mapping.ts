/**
 * Translation between the resource's inputs/outputs and the Cloud Elements instance representation: request bodies
 * for create and update, and outputs/inputs reconstructed from an instance the API returned. Pure functions.
 */

import { CloudElementsError } from "../api/errors";
import type { ApiInstance } from "../api/wire";
import { configKeys, defaultEventResources, freshdeskElementKey, normalizeSubdomain } from "./freshdesk";
import {
    defaultPollingIntervalMinutes,
    type FreshdeskInstanceEvents,
    type InstanceInputs,
    type InstanceOutputs,
    secretsOf,
} from "./instance";
import type { InstanceKind } from "./kind";
import { markerFromTags, markerTag, nonceFromTags, nonceTag, ownerTag, userTags } from "./tags";

const dateFormat = "yyyy-MM-dd'T'HH:mm:ssXXX";

/** The tags the provider adds to the user's: marker, owner (when known), nonce (when the instance has one). */
function providerTags(inputs: InstanceInputs, marker: string | undefined, nonce: string | undefined): string[] {
    return [
        ...(marker === undefined ? [] : [markerTag(marker)]),
        ...(typeof inputs.owner === "string" ? [ownerTag(inputs.owner)] : []),
        ...(nonce === undefined ? [] : [nonceTag(nonce)]),
    ];
}

/**
 * The per-resource poll definitions, shaped like the element's documented default for `incidents` and `contacts`
 * (devportal `docs/elements/freshdesk/events.md`), for any list of hub resources.
 */
export function pollerConfiguration(resources: readonly string[]): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (const resource of resources) {
        result[resource] = {
            ...(resource === "contacts" ? { createdCheckTolerance: 5 } : {}),
            url: `/hubs/helpdesk/${resource}?where=updated_since='\${gmtDate:yyyy-MM-dd'T'HH:mm:ss'Z'}'`,
            idField: "id",
            datesConfiguration: {
                updatedDateField: "updated_at",
                updatedDateFormat: dateFormat,
                createdDateField: "created_at",
                createdDateFormat: dateFormat,
            },
        };
    }
    return result;
}

/**
 * The configuration the user manages, as sent on create and update. With events off only
 * `event.notification.enabled: false` is sent about events (PATCH merges keys, so the rest is left as it was).
 * `previousEvents` lets an update clear a signature key the user removed.
 */
export function buildConfiguration(
    inputs: InstanceInputs,
    previousEvents?: Partial<FreshdeskInstanceEvents>,
): Record<string, unknown> {
    const config: Record<string, unknown> = {
        [configKeys.subdomain]: inputs.subdomain,
        [configKeys.apiKey]: inputs.apiKey,
        [configKeys.filterResponseNulls]: inputs.filterResponseNulls,
        [configKeys.eventsEnabled]: inputs.events.enabled,
    };
    const events = inputs.events;
    if (events.enabled) {
        config[configKeys.vendorType] = "polling";
        config[configKeys.callbackUrl] = events.callbackUrl;
        config[configKeys.refreshInterval] = String(events.pollingIntervalMinutes);
        config[configKeys.pollerConfiguration] = pollerConfiguration(events.resources);
        config[configKeys.pollerUrls] = events.resources.join("|");
        if (events.signatureKey !== undefined) {
            config[configKeys.signatureKey] = events.signatureKey;
        } else if (previousEvents?.signatureKey !== undefined) {
            config[configKeys.signatureKey] = "";
        }
    }
    return config;
}

/** The `POST /instances` body: the user's tags plus the marker and the nonce of this create call. */
export function buildCreateBody(inputs: InstanceInputs, marker: string, nonce: string): Record<string, unknown> {
    return {
        element: { key: freshdeskElementKey },
        name: inputs.name,
        tags: [...inputs.tags, ...providerTags(inputs, marker, nonce)],
        configuration: buildConfiguration(inputs),
    };
}

/**
 * The `PATCH /instances/{id}` body: tags are replaced by the user's plus the marker (and the create's nonce, when
 * the instance has one), configuration merged.
 */
export function buildPatchBody(
    inputs: InstanceInputs,
    marker: string | undefined,
    previousEvents?: Partial<FreshdeskInstanceEvents>,
    nonce?: string,
): Record<string, unknown> {
    return {
        name: inputs.name,
        tags: [...inputs.tags, ...providerTags(inputs, marker, nonce)],
        configuration: buildConfiguration(inputs, previousEvents),
    };
}

/**
 * Throws unless `instance` is an instance of element `elementKey` (of some element when it is not known: an import
 * without state). `what` says where it came from, for the message.
 */
export function assertInstanceOf(instance: ApiInstance, elementKey: string | undefined, what: string): void {
    const key = instance.element?.key;
    if (elementKey === undefined ? typeof key !== "string" : key !== elementKey) {
        throw new CloudElementsError(
            "response",
            `${what}: instance ${instance.id} is ${
                typeof key === "string"
                    ? `an instance of element "${key}"`
                    : "not tied to a known element (no element.key)"
            }; expected ${expectedInstance(elementKey)}.`,
        );
    }
}

function expectedInstance(elementKey: string | undefined): string {
    if (elementKey === freshdeskElementKey) {
        return `a Freshdesk V2 (element key "${freshdeskElementKey}") instance`;
    }
    return elementKey === undefined ? "an element instance" : `an instance of element "${elementKey}"`;
}

/** Throws unless `instance` is a freshdeskv2 instance (see {@link assertInstanceOf}). */
export function assertFreshdeskInstance(instance: ApiInstance, what: string): void {
    assertInstanceOf(instance, freshdeskElementKey, what);
}

function configValue(instance: ApiInstance, key: string): unknown {
    const config = instance.configuration;
    return typeof config === "object" && config !== null ? config[key] : undefined;
}

function parseBoolean(value: unknown): boolean | undefined {
    if (typeof value === "boolean") {
        return value;
    }
    if (typeof value === "string" && /^(true|false)$/i.test(value.trim())) {
        return value.trim().toLowerCase() === "true";
    }
    return undefined;
}

function nonEmptyString(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** Values of password-type keys come back as asterisks. */
function isMasked(value: string): boolean {
    return /^\*+$/.test(value);
}

/**
 * What `read` records as `events.signatureKey` when the instance has a signature key this resource did not set
 * (changed or set outside Pulumi, in clear or masked). The value itself never goes into state: unlike the program's
 * key, it would not be marked secret there. Differing from the program's key, it shows as drift, and the next
 * update writes the program's key (or clears it).
 */
export const foreignSignatureKey = "(set outside Pulumi; value not recorded)";

function eventsFromInstance(
    instance: ApiInstance,
    old: Partial<FreshdeskInstanceEvents> | undefined,
): FreshdeskInstanceEvents {
    // A key the GET leaves out (or a missing configuration) keeps its value from state: no invented drift.
    const kept = <T>(key: string, fromApi: (value: unknown) => T, fromState: T): T => {
        const value = configValue(instance, key);
        return value === undefined ? fromState : fromApi(value);
    };
    const enabled =
        parseBoolean(configValue(instance, configKeys.eventsEnabled)) ??
        parseBoolean(instance.eventsEnabled) ??
        old?.enabled ??
        false;
    const pollingIntervalMinutes = kept(
        configKeys.refreshInterval,
        (value) => {
            const interval = Number(value);
            return Number.isSafeInteger(interval) && interval > 0 ? interval : defaultPollingIntervalMinutes;
        },
        old?.pollingIntervalMinutes ?? defaultPollingIntervalMinutes,
    );
    const resources =
        resourcesFromInstance(instance) ??
        (configValue(instance, configKeys.pollerUrls) === undefined &&
        configValue(instance, configKeys.pollerConfiguration) === undefined
            ? old?.resources
            : undefined);
    const callbackUrl = kept(configKeys.callbackUrl, nonEmptyString, old?.callbackUrl);
    const signatureKey = kept(
        configKeys.signatureKey,
        (value) => {
            const raw = nonEmptyString(value);
            if (raw === undefined) {
                return undefined;
            }
            // Masked (a password-type key) or in clear, only the key this resource set may be recorded: state holds
            // it as a secret. Anything else is recorded as a placeholder, never as the value.
            if (isMasked(raw)) {
                return old?.signatureKey ?? foreignSignatureKey;
            }
            return raw === old?.signatureKey ? old.signatureKey : foreignSignatureKey;
        },
        old?.signatureKey,
    );
    return {
        enabled,
        ...(callbackUrl !== undefined ? { callbackUrl } : {}),
        pollingIntervalMinutes,
        resources: resources?.length ? [...resources] : [...defaultEventResources],
        ...(signatureKey !== undefined ? { signatureKey } : {}),
    };
}

/** The polled resources an instance names (`event.poller.urls`, else the keys of `event.poller.configuration`). */
function resourcesFromInstance(instance: ApiInstance): string[] | undefined {
    const urls = nonEmptyString(configValue(instance, configKeys.pollerUrls))
        ?.split("|")
        .filter((r) => r !== "");
    if (urls?.length) {
        return urls;
    }
    let poller = configValue(instance, configKeys.pollerConfiguration);
    if (typeof poller === "string") {
        try {
            poller = JSON.parse(poller);
        } catch {
            poller = undefined;
        }
    }
    const keys =
        typeof poller === "object" && poller !== null && !Array.isArray(poller) ? Object.keys(poller) : undefined;
    return keys?.length ? keys : undefined;
}

/**
 * `enabled` as an instance shows it, for inputs read back: only when the resource has the input or the instance is
 * disabled, so state written before the input existed reads back unchanged.
 */
export function enabledFromInstance(instance: ApiInstance, old: boolean | undefined): { enabled?: boolean } {
    if (typeof instance.disabled !== "boolean") {
        return old === undefined ? {} : { enabled: old };
    }
    return old === undefined && !instance.disabled ? {} : { enabled: !instance.disabled };
}

/**
 * Inputs as an instance shows them: what `read` reports, so refresh records drift and an unchanged one shows none.
 * Whatever the instance does not show (a configuration key the GET leaves out, no `configuration` at all, no
 * `tags`) keeps its value from `old` (state). The API key is never read from the instance (it may come back in
 * clear): the one in state is kept, and it is stored as a secret.
 */
export function inputsFromInstance(instance: ApiInstance, old: Partial<InstanceOutputs>): InstanceInputs {
    const subdomain = nonEmptyString(configValue(instance, configKeys.subdomain));
    const inputs: InstanceInputs = {
        subdomain: subdomain !== undefined ? normalizeSubdomain(subdomain) : (old.subdomain ?? ""),
        // The API may mask the key, so the one in state is the best knowledge; diff compares it with the program's.
        ...(old.apiKey !== undefined ? { apiKey: old.apiKey } : {}),
        name: typeof instance.name === "string" ? instance.name : (old.name ?? ""),
        tags: Array.isArray(instance.tags) ? userTags(instance.tags) : [...(old.tags ?? [])],
        filterResponseNulls:
            parseBoolean(configValue(instance, configKeys.filterResponseNulls)) ?? old.filterResponseNulls ?? true,
        events: eventsFromInstance(instance, old.events),
        ...(old.adoptInstanceId !== undefined ? { adoptInstanceId: old.adoptInstanceId } : {}),
        ...(old.adoptTakeOver !== undefined ? { adoptTakeOver: old.adoptTakeOver } : {}),
        ...(old.owner !== undefined ? { owner: old.owner } : {}),
        ...enabledFromInstance(instance, old.enabled),
        ...(old.account !== undefined ? { account: old.account } : {}),
    } as InstanceInputs;
    const marker = old.createMarker ?? markerFromTags(instance.tags);
    return marker !== undefined ? { ...inputs, createMarker: marker } : inputs;
}

/**
 * The complete outputs for an instance. `desired` supplies the user-managed settings (the inputs just applied, or
 * those reconstructed by {@link inputsFromInstance}); the server supplies its own fields. The token comes from
 * `token` when given (state is the source of truth for it), else from the instance; the create nonce from
 * `createNonce` when given, else from the instance's tags.
 */
export function outputsFromInstance(
    instance: ApiInstance,
    desired: InstanceInputs,
    extra: { token?: string; createMarker?: string; createNonce?: string },
): InstanceOutputs {
    const token = extra.token ?? instance.token;
    const marker = extra.createMarker ?? desired.createMarker ?? markerFromTags(instance.tags);
    const elementId = instance.elementId ?? instance.element?.id;
    const outputs: Record<string, unknown> = {
        subdomain: desired.subdomain,
        apiKey: desired.apiKey,
        name: typeof instance.name === "string" ? instance.name : desired.name,
        tags: Array.isArray(instance.tags) ? userTags(instance.tags) : [...desired.tags],
        filterResponseNulls: desired.filterResponseNulls,
        events: desired.events,
        adoptInstanceId: desired.adoptInstanceId,
        adoptTakeOver: desired.adoptTakeOver,
        owner: desired.owner,
        enabled: desired.enabled,
        account: desired.account,
        createMarker: marker,
        createNonce: extra.createNonce ?? nonceFromTags(instance.tags),
        instanceId: instance.id,
        token,
        createdDate: typeof instance.createdDate === "string" ? instance.createdDate : undefined,
        valid: typeof instance.valid === "boolean" ? instance.valid : true,
        disabled: typeof instance.disabled === "boolean" ? instance.disabled : false,
        eventsEnabled: typeof instance.eventsEnabled === "boolean" ? instance.eventsEnabled : desired.events.enabled,
        elementKey: instance.element?.key ?? freshdeskElementKey,
        elementId: typeof elementId === "number" ? elementId : undefined,
    };
    // Struct.fromJavaScript (the runtime's conversion) rejects undefined.
    for (const key of Object.keys(outputs)) {
        if (outputs[key] === undefined) {
            delete outputs[key];
        }
    }
    return outputs as unknown as InstanceOutputs;
}

/** The lifecycle's view of `FreshdeskInstance` (see `kind.ts`). */
export const freshdeskKind: InstanceKind<InstanceInputs, InstanceOutputs> = {
    resourceName: "FreshdeskInstance",
    elementKey: () => freshdeskElementKey,
    createBody: buildCreateBody,
    patchBody: (inputs, marker, previous, nonce) =>
        buildPatchBody(inputs, marker, (previous as Partial<InstanceInputs> | undefined)?.events, nonce),
    inputsFromInstance,
    outputsFromInstance,
    secretsOf: (values) => secretsOf(values as Partial<InstanceOutputs> | undefined),
};
