/**
 * Rendering: the JSON bodies the instance API and the control API answer with, the error shape, and which
 * configuration values are masked.
 */
import { elementOf, mask } from "../elements/catalogue";
import type { ElementDefinition } from "../elements/types";
import { fingerprint } from "../fingerprint";
import type { StoredConfigEntry, StoredInstance } from "../store";
import type { EmulatedInstance } from "../types";
import type { ApiSettings, Outcome } from "./types";

/** @internal Builds an error outcome: `{requestId, message[, providerMessage]}`. */
export function errorOutcome(
    requestId: string,
    status: number,
    message: string,
    providerMessage?: string,
    headers?: Record<string, string>,
): Outcome {
    const json: Record<string, string> = { requestId, message };
    if (providerMessage !== undefined) {
        json.providerMessage = providerMessage;
    }
    return { status, json, headers };
}

/** @internal The control API's view of an instance: secrets replaced by fingerprints or the mask. */
export function toEmulatedInstance(instance: StoredInstance): EmulatedInstance {
    const element = elementOf(instance);
    const configuration: Record<string, string> = {};
    let primarySecret = "";
    for (const entry of instance.configuration) {
        const value = entry.value ?? "";
        if (entry.key === element.primarySecret) {
            primarySecret = value;
        }
        // An empty secret key is shown as empty: that it is unset is no secret.
        configuration[entry.key] = element.secretKeys.has(entry.key) && value !== "" ? mask : value;
    }
    return {
        id: instance.id,
        name: instance.name,
        tags: [...instance.tags],
        createdDate: instance.createdDate,
        organizationSecretFingerprint: instance.organizationSecretFingerprint,
        userEmail: instance.user.email,
        elementKey: instance.elementKey,
        configuration,
        apiKeyFingerprint: fingerprint(primarySecret),
        tokenFingerprint: fingerprint(instance.token),
        disabled: instance.disabled,
        valid: instance.valid,
        inUse: instance.inUse === true,
    };
}

/**
 * A value as the platform shows it: PASSWORD items and the OAuth client and refresh token masked when set
 * (reference section 12), Freshdesk's API key (`username`) only when asked to; unset values as they are.
 */
function shownValue(
    settings: ApiSettings,
    element: ElementDefinition,
    key: string,
    value: string | null,
): string | null {
    if (value === null || value === "") {
        return value;
    }
    const maskedKey =
        element.maskedKeys.has(key) || (key === "username" && element.apiKeyInUsername && settings.maskUsername);
    return maskedKey ? mask : value;
}

/** @internal The instance response of reference section 6 (`providerData` is never echoed). */
export function renderInstance(
    settings: ApiSettings,
    instance: StoredInstance,
    hydrate: boolean,
): Record<string, unknown> {
    const element = elementOf(instance);
    const configuration: Record<string, string | null> = {};
    for (const entry of instance.configuration) {
        configuration[entry.key] = shownValue(settings, element, entry.key, entry.value);
    }
    const rendered: Record<string, unknown> = {
        id: instance.id,
        name: instance.name,
        createdDate: instance.createdDate,
        token: instance.token,
        element: hydrate ? element.block : element.summary,
        elementId: element.id,
        tags: [...instance.tags],
        provisionInteractions: [],
        valid: instance.valid,
        disabled: instance.disabled,
        maxCacheSize: 0,
        cacheTimeToLive: 0,
    };
    if (hydrate) {
        rendered.configuration = configuration;
    }
    rendered.eventsEnabled = (configuration["event.notification.enabled"] ?? "").toLowerCase() === "true";
    rendered.traceLoggingEnabled = false;
    rendered.cachingEnabled = false;
    rendered.externalAuthentication = instance.externalAuthentication ?? "none";
    rendered.user = {
        id: instance.user.id,
        emailAddress: instance.user.email,
        firstName: instance.user.firstName,
        lastName: instance.user.lastName,
    };
    return rendered;
}

/** @internal One configuration entry as `GET /instances/{id}/configuration` lists it. */
export function renderEntry(
    settings: ApiSettings,
    element: ElementDefinition,
    entry: StoredConfigEntry,
): Record<string, unknown> {
    return { id: entry.id, key: entry.key, propertyValue: shownValue(settings, element, entry.key, entry.value) };
}
