/**
 * The resource's diff: a pure function of the old outputs and the new checked inputs, computed once per call as a
 * list of changed property paths (the detailed diff) from which everything else is derived.
 *
 * - `subdomain` replaces (a new instance is created first, then the old one deleted: names are not unique on Cloud
 *   Elements, so the default create-before-delete is safe and keeps the integration available).
 * - `name`, `tags`, `apiKey` (rotation), `filterResponseNulls` and `events` update in place; `events` by field
 *   (`events.callbackUrl`, ...), so the preview marks the field that changed.
 * - An unconfirmed create (`unconfirmedCreate` in the old outputs) is a change of `unconfirmedCreate`: the update
 *   looks the create up, deletes verified duplicates and clears the flag, so a plain `up` settles it.
 * - Nothing else is a change: not `createMarker` (fresh on every check), not `adoptInstanceId` or `adoptTakeOver`
 *   (only read by create), not `__provider`, not other output-only fields.
 *
 * `changes` is always a boolean: `undefined` would make the engine diff the inputs itself, `__provider` included.
 * See docs/diff.md for what each host shows.
 */
import { containsUnknown, type FreshdeskInstanceEvents } from "../model/instance";

/** A property's change, as the engine's `PropertyDiff.Kind` names it. */
export type PropertyChangeKind = "ADD" | "ADD_REPLACE" | "DELETE" | "DELETE_REPLACE" | "UPDATE" | "UPDATE_REPLACE";

/** One entry of the detailed diff. The old value is the old outputs' (never the old inputs'), as for `diffInstance`. */
export interface PropertyChange {
    readonly kind: PropertyChangeKind;
}

/** What {@link diffInstance} returns. */
export interface InstanceDiff {
    readonly changes: boolean;
    readonly replaces: string[];
    readonly deleteBeforeReplace: boolean;
    /** The top-level properties that differ (the engine's `diffs`). */
    readonly changed: string[];
    /**
     * Every changed property path (`apiKey`, `events.callbackUrl`, `unconfirmedCreate`) and its kind. The plugin
     * sends it to the engine; the dynamic-provider runtime cannot (docs/diff.md).
     */
    readonly detailedDiff: Readonly<Record<string, PropertyChange>>;
}

/** Properties whose change replaces the instance. */
export const replaceProperties: readonly string[] = ["subdomain"];
/** Properties updated in place. */
export const updateProperties: readonly string[] = [
    "name",
    "tags",
    "apiKey",
    "filterResponseNulls",
    "events",
    "enabled",
];
/** The bookkeeping property whose presence makes the next `up` an update that settles the create. */
export const unconfirmedCreateProperty = "unconfirmedCreate";

/** Compares old outputs with new inputs. Unknown values (preview) count as a possible change. */
export function diffInstance(olds: Record<string, unknown>, news: Record<string, unknown>): InstanceDiff {
    const detailedDiff: Record<string, PropertyChange> = {};
    for (const key of [...replaceProperties, ...updateProperties]) {
        if (!differs(key, olds[key], news[key])) {
            continue;
        }
        const replace = replaceProperties.includes(key);
        const eventPaths = key === "events" ? changedEventFields(olds[key], news[key]) : undefined;
        if (eventPaths !== undefined && eventPaths.length > 0) {
            for (const [field, kind] of eventPaths) {
                detailedDiff[`events.${field}`] = { kind };
            }
        } else {
            detailedDiff[key] = { kind: withReplace(kindOf(olds[key], news[key]), replace) };
        }
    }
    return summarize(detailedDiff, olds, news);
}

/**
 * The whole diff from the per-path changes: adds the account's changes and the unconfirmed create, and names the
 * top-level properties that changed and those that replace (any path whose kind replaces).
 */
export function summarize(
    detailedDiff: Record<string, PropertyChange>,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
): InstanceDiff {
    Object.assign(detailedDiff, accountChanges(olds.account, news.account));
    if (olds[unconfirmedCreateProperty] === true) {
        detailedDiff[unconfirmedCreateProperty] = { kind: "DELETE" };
    }
    const top = (path: string) => path.split(/[.[]/)[0];
    const changed = [...new Set(Object.keys(detailedDiff).map(top))];
    const replaces = [
        ...new Set(
            Object.entries(detailedDiff)
                .filter(([, change]) => change.kind.endsWith("_REPLACE"))
                .map(([path]) => top(path)),
        ),
    ];
    return { changes: changed.length > 0, replaces, deleteBeforeReplace: false, changed, detailedDiff };
}

/**
 * The account's changes by field. A new base URL is another Cloud Elements, where the instance does not exist: it
 * replaces (created there first, then deleted here with the old account). Any other field (a rotated secret, a
 * timeout) updates in place, proving the instance is reachable with it.
 */
export function accountChanges(old: unknown, next: unknown): Record<string, PropertyChange> {
    const result: Record<string, PropertyChange> = {};
    if (containsUnknown(next) && !isPlainObject(next)) {
        result.account = { kind: "UPDATE" };
        return result;
    }
    const o = isPlainObject(old) ? old : {};
    const n = isPlainObject(next) ? next : {};
    for (const field of [...new Set([...Object.keys(o), ...Object.keys(n)])].sort()) {
        if (containsUnknown(n[field]) || !sameJson(o[field] ?? null, n[field] ?? null)) {
            result[`account.${field}`] = { kind: withReplace(kindOf(o[field], n[field]), field === "baseUrl") };
        }
    }
    return result;
}

export function isAbsent(value: unknown): boolean {
    return value === undefined || value === null;
}

export function kindOf(old: unknown, next: unknown): PropertyChangeKind {
    if (isAbsent(old) && !isAbsent(next)) {
        return "ADD";
    }
    return !isAbsent(old) && isAbsent(next) ? "DELETE" : "UPDATE";
}

export function withReplace(kind: PropertyChangeKind, replace: boolean): PropertyChangeKind {
    return replace ? (`${kind}_REPLACE` as PropertyChangeKind) : kind;
}

/**
 * The fields of two events settings that differ, as stored (so the preview shows the values it has), or
 * `undefined` when either side is not an object or is unknown (the whole `events` is marked then). Only called when
 * the effective settings differ.
 */
function changedEventFields(old: unknown, next: unknown): [string, PropertyChangeKind][] | undefined {
    if (!isPlainObject(old) || !isPlainObject(next) || containsUnknown(next)) {
        return undefined;
    }
    const fields = [...new Set([...Object.keys(old), ...Object.keys(next)])].sort();
    const normal = (field: string, value: unknown) =>
        field === "resources" && Array.isArray(value) ? [...value].sort() : value;
    return fields
        .filter((field) => !sameJson(normal(field, old[field]), normal(field, next[field])))
        .map((field) => [field, kindOf(old[field], next[field])]);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
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
        case "enabled":
            // Older state may lack it; the default is true.
            return (old ?? true) !== (next ?? true);
        default:
            return !sameJson(old, next);
    }
}

/** Tags are a set to Cloud Elements: order and duplicates are not changes. */
export function tagSet(tags: unknown): unknown {
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

export function sameJson(a: unknown, b: unknown): boolean {
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
