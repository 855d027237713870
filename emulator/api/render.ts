/**
 * Rendering: the JSON bodies the instance API and the control API answer with, the error shape, and which
 * configuration values are masked.
 */
import { findElement, freshdeskV2, mask, passwordKeys, secretKeys } from "../element";
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
    const configuration: Record<string, string> = {};
    let apiKey = "";
    for (const entry of instance.configuration) {
        if (entry.key === "username") {
            apiKey = entry.value;
        }
        // An empty secret key is shown as empty: that it is unset is no secret.
        configuration[entry.key] = secretKeys.has(entry.key) && entry.value !== "" ? mask : entry.value;
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
        apiKeyFingerprint: fingerprint(apiKey),
        tokenFingerprint: fingerprint(instance.token),
        disabled: instance.disabled,
        valid: instance.valid,
        inUse: instance.inUse === true,
    };
}

/** Only PASSWORD-type values are masked (reference section 12); `username` only when asked to. */
function shownValue(settings: ApiSettings, key: string, value: string): string {
    if (value === "") {
        return value;
    }
    return (key === "username" && settings.maskUsername) || passwordKeys.has(key) ? mask : value;
}

/** @internal The instance response of reference section 6 (`providerData` is never echoed). */
export function renderInstance(
    settings: ApiSettings,
    instance: StoredInstance,
    hydrate: boolean,
): Record<string, unknown> {
    const element = findElement(instance.elementKey) ?? freshdeskV2;
    const configuration: Record<string, string> = {};
    for (const entry of instance.configuration) {
        configuration[entry.key] = shownValue(settings, entry.key, entry.value);
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
    rendered.externalAuthentication = "none";
    rendered.user = {
        id: instance.user.id,
        emailAddress: instance.user.email,
        firstName: instance.user.firstName,
        lastName: instance.user.lastName,
    };
    return rendered;
}

/** @internal One configuration entry as `GET /instances/{id}/configuration` lists it. */
export function renderEntry(settings: ApiSettings, entry: StoredConfigEntry): Record<string, unknown> {
    return { id: entry.id, key: entry.key, propertyValue: shownValue(settings, entry.key, entry.value) };
}
