/**
 * An instance's configuration: completing it with the element's keys, the required-key and credential checks, and
 * the handlers of the configuration-entry routes (`/instances[/{id}]/configuration[/{entryId}]`).
 */
import type { ElementDefinition } from "../element";
import { findElement, freshdeskV2 } from "../element";
import type { StoredConfigEntry, StoredInstance } from "../store";
import { ApiError, freshdeskInvalidCredentials } from "./errors";
import { configurationValue, quote } from "./input";
import { renderEntry } from "./render";
import type { ApiDeps, Context, Outcome } from "./types";

/** @internal Key to value of stored entries, in their order. */
export function configurationMap(entries: readonly StoredConfigEntry[]): Map<string, string> {
    return new Map(entries.map((entry) => [entry.key, entry.value]));
}

/**
 * @internal The element's configuration in its canonical order: every key the element declares (its default when
 * `values` lacks it), then the extra keys of `values` in their order.
 */
export function completeConfiguration(
    element: ElementDefinition,
    values: ReadonlyMap<string, string>,
): Map<string, string> {
    const complete = new Map<string, string>();
    for (const [key, fallback] of element.configurationDefaults) {
        complete.set(key, values.get(key) ?? fallback);
    }
    for (const [key, value] of values) {
        if (!complete.has(key)) {
            complete.set(key, value);
        }
    }
    return complete;
}

/** @internal Entries for `values`, keeping the ids of keys that already existed. */
export function configEntries(
    deps: ApiDeps,
    values: Map<string, string>,
    previous: readonly StoredConfigEntry[],
): StoredConfigEntry[] {
    const ids = new Map(previous.map((entry) => [entry.key, entry.id]));
    return [...values].map(([key, value]) => ({ id: ids.get(key) ?? deps.store.allocateConfigId(), key, value }));
}

/** @internal 400 when a key the element requires is empty. */
export function requireConfiguration(element: ElementDefinition, values: Map<string, string>): void {
    const missing = element.requiredConfiguration.filter((key) => (values.get(key) ?? "").trim() === "");
    if (missing.length > 0) {
        throw new ApiError(
            400,
            `Missing required configuration ${missing.length > 1 ? "entries" : "entry"} for ${element.key}: ${missing.join(", ")}`,
        );
    }
}

/** @internal The fake Freshdesk check: the API key must be one of the subdomain's keys (an unknown subdomain fails). */
export function checkCredentials(deps: ApiDeps, element: ElementDefinition, values: Map<string, string>): void {
    if (!deps.settings.validateCredentials) {
        return;
    }
    if (!deps.accounts().freshdeskAccepts(values.get("subdomain") ?? "", values.get("username") ?? "")) {
        throw new ApiError(400, `Failed to validate credentials for ${element.key}`, freshdeskInvalidCredentials);
    }
}

/** @internal `GET .../configuration`: every entry. */
export function listConfiguration(deps: ApiDeps, instance: StoredInstance): Outcome {
    return { status: 200, json: instance.configuration.map((entry) => renderEntry(deps.settings, entry)) };
}

function findEntry(instance: StoredInstance, entryIdText: string): StoredConfigEntry {
    const entry = /^\d{1,15}$/.test(entryIdText)
        ? instance.configuration.find((candidate) => candidate.id === Number(entryIdText))
        : undefined;
    if (!entry) {
        throw new ApiError(
            404,
            `No configuration entry found with ID ${quote(entryIdText)} on instance ${instance.id}`,
        );
    }
    return entry;
}

/** @internal `GET .../configuration/{entryId}`. */
export function readConfigurationEntry(deps: ApiDeps, instance: StoredInstance, entryIdText: string): Outcome {
    return { status: 200, json: renderEntry(deps.settings, findEntry(instance, entryIdText)) };
}

/** The new value a `PATCH .../configuration/{entryId}` body sets, once its id and key match the entry. */
function patchedValue(body: Record<string, unknown>, entry: StoredConfigEntry): string {
    if (body.id !== undefined && String(body.id) !== String(entry.id)) {
        throw new ApiError(400, `The id in the body does not match configuration entry ${entry.id}`);
    }
    if (body.key !== undefined && body.key !== entry.key) {
        throw new ApiError(400, `The key in the body does not match configuration entry ${entry.id} (${entry.key})`);
    }
    if (body.propertyValue === undefined || body.propertyValue === null) {
        throw new ApiError(400, "propertyValue is required");
    }
    return configurationValue(body.propertyValue) as string;
}

/** @internal `PATCH .../configuration/{entryId}`: one value, with the same checks as an instance update. */
export async function patchConfigurationEntry(
    deps: ApiDeps,
    ctx: Context,
    instance: StoredInstance,
    entryIdText: string,
): Promise<Outcome> {
    const entry = findEntry(instance, entryIdText);
    const value = patchedValue(ctx.body, entry);
    const element = findElement(instance.elementKey) ?? freshdeskV2;
    const values = configurationMap(instance.configuration);
    values.set(entry.key, value);
    requireConfiguration(element, values);
    if ((entry.key === "subdomain" || entry.key === "username") && value !== entry.value) {
        checkCredentials(deps, element, values);
    }
    const updated: StoredConfigEntry = { ...entry, value };
    const next: StoredInstance = {
        ...instance,
        configuration: instance.configuration.map((candidate) => (candidate.id === entry.id ? updated : candidate)),
    };
    deps.store.put(next);
    await deps.store.commit();
    return { status: 200, json: renderEntry(deps.settings, updated) };
}
