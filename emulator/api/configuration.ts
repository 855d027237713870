/**
 * An instance's configuration: completing it with the element's keys, and the handlers of the configuration-entry
 * routes (`/instances[/{id}]/configuration[/{entryId}]`).
 */
import { elementOf } from "../elements/catalogue";
import type { ElementDefinition } from "../elements/types";
import type { StoredConfigEntry, StoredInstance } from "../store";
import { authenticateUpdate } from "./authentication";
import { ApiError } from "./errors";
import { configurationValue, quote } from "./input";
import { renderEntry } from "./render";
import type { ApiDeps, Context, Outcome } from "./types";

/** @internal Key to value of stored entries, in their order. */
export function configurationMap(entries: readonly StoredConfigEntry[]): Map<string, string | null> {
    return new Map(entries.map((entry) => [entry.key, entry.value]));
}

/**
 * @internal The element's configuration in its canonical order: every key the element declares (its unset value
 * when `values` lacks it or holds null), then the extra keys of `values` in their order.
 */
export function completeConfiguration(
    element: ElementDefinition,
    values: ReadonlyMap<string, string | null>,
): Map<string, string | null> {
    const complete = new Map<string, string | null>();
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
    values: ReadonlyMap<string, string | null>,
    previous: readonly StoredConfigEntry[],
): StoredConfigEntry[] {
    const ids = new Map(previous.map((entry) => [entry.key, entry.id]));
    return [...values].map(([key, value]) => ({ id: ids.get(key) ?? deps.store.allocateConfigId(), key, value }));
}

/** @internal `GET .../configuration`: every entry. */
export function listConfiguration(deps: ApiDeps, instance: StoredInstance): Outcome {
    const element = elementOf(instance);
    return { status: 200, json: instance.configuration.map((entry) => renderEntry(deps.settings, element, entry)) };
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
    const entry = findEntry(instance, entryIdText);
    return { status: 200, json: renderEntry(deps.settings, elementOf(instance), entry) };
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
    const element = elementOf(instance);
    const previous = configurationMap(instance.configuration);
    const values = new Map(previous).set(entry.key, value);
    const external = authenticateUpdate(deps, element, {
        previous,
        values,
        body: {},
        reAuthenticate: false,
        external: instance.externalAuthentication ?? "none",
    });
    const updated: StoredConfigEntry = { ...entry, value };
    const next: StoredInstance = {
        ...withExternal(instance, external),
        configuration: instance.configuration.map((candidate) => (candidate.id === entry.id ? updated : candidate)),
    };
    deps.store.put(next);
    await deps.store.commit();
    return { status: 200, json: renderEntry(deps.settings, element, updated) };
}

/** @internal `instance` with its `externalAuthentication` set (the field is absent for `"none"`). */
export function withExternal(instance: StoredInstance, external: "none" | "initial"): StoredInstance {
    const { externalAuthentication: _previous, ...rest } = instance;
    return external === "initial" ? { ...rest, externalAuthentication: "initial" } : rest;
}
