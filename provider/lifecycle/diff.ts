/**
 * The resource's diff: a pure function of the old outputs and the new checked inputs.
 *
 * - `subdomain` replaces (a new instance is created first, then the old one deleted: names are not unique on Cloud
 *   Elements, so the default create-before-delete is safe and keeps the integration available).
 * - `name`, `tags`, `apiKey` (rotation), `filterResponseNulls` and `events` update in place.
 * - Nothing else is a change: not `createMarker` (fresh on every check), not `adoptInstanceId` or `adoptTakeOver`
 *   (only read by create), not `__provider`, not output-only fields.
 *
 * `changes` is always a boolean: `undefined` would make the engine diff the inputs itself, `__provider` included.
 */
import { containsUnknown, type FreshdeskInstanceEvents } from "../model/instance";

/** What {@link diffInstance} returns; the subset of `DiffResult` the dynamic-provider runtime forwards. */
export interface InstanceDiff {
    readonly changes: boolean;
    readonly replaces: string[];
    readonly deleteBeforeReplace: boolean;
    /** The properties that differ; informational (the runtime does not forward it). */
    readonly changed: string[];
}

/** Properties whose change replaces the instance. */
export const replaceProperties: readonly string[] = ["subdomain"];
/** Properties updated in place. */
export const updateProperties: readonly string[] = ["name", "tags", "apiKey", "filterResponseNulls", "events"];

/** Compares old outputs with new inputs. Unknown values (preview) count as a possible change. */
export function diffInstance(olds: Record<string, unknown>, news: Record<string, unknown>): InstanceDiff {
    const changed: string[] = [];
    for (const key of [...replaceProperties, ...updateProperties]) {
        if (differs(key, olds[key], news[key])) {
            changed.push(key);
        }
    }
    const replaces = changed.filter((key) => replaceProperties.includes(key));
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false, changed };
}

function differs(key: string, old: unknown, next: unknown): boolean {
    if (containsUnknown(next)) {
        return true;
    }
    switch (key) {
        case "tags":
            return !sameJson(tagSet(old), tagSet(next));
        case "events":
            return !sameJson(effectiveEvents(old), effectiveEvents(next));
        case "filterResponseNulls":
            // Older state may lack it; the default is true.
            return (old ?? true) !== (next ?? true);
        default:
            return !sameJson(old, next);
    }
}

/** Tags are a set to Cloud Elements: order and duplicates are not changes. */
function tagSet(tags: unknown): unknown {
    return Array.isArray(tags) ? [...new Set(tags)].sort() : tags;
}

/**
 * The part of the events settings that matters: with events off, the other fields are not sent to the API, so
 * changing them is not a change.
 */
function effectiveEvents(events: unknown): unknown {
    if (events === undefined || events === null) {
        return { enabled: false };
    }
    if (typeof events !== "object") {
        return events;
    }
    const e = events as Partial<FreshdeskInstanceEvents>;
    if (e.enabled !== true) {
        return { enabled: false };
    }
    return {
        enabled: true,
        callbackUrl: e.callbackUrl ?? null,
        pollingIntervalMinutes: e.pollingIntervalMinutes ?? null,
        resources: Array.isArray(e.resources) ? [...e.resources].sort() : (e.resources ?? null),
        signatureKey: e.signatureKey ?? null,
    };
}

function sameJson(a: unknown, b: unknown): boolean {
    return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(canonical);
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}
