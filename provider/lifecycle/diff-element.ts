/**
 * The diff of an `ElementInstance`, on the same rules as `diff.ts`: a list of changed property paths, one per
 * configuration key (`configuration["servicenow.subdomain"]`), from which the rest is derived.
 *
 * - `elementKey` and `account.baseUrl` replace (create first, then delete the old one).
 * - `name`, `tags`, `enabled`, each configuration key, `events` and the rest of `account` update in place; a
 *   rotated password is an update of its key, never a replacement.
 * - Not changes: `externalAuthentication` (read by create only), the adoption inputs, `createMarker`, `__provider`.
 */
import { containsUnknown } from "../model/instance";
import {
    type InstanceDiff,
    isAbsent,
    isPlainObject,
    kindOf,
    type PropertyChange,
    sameJson,
    summarize,
    tagSet,
    withReplace,
} from "./diff";

/** Compares an `ElementInstance`'s old outputs with its new checked inputs. */
export function diffElementInstance(olds: Record<string, unknown>, news: Record<string, unknown>): InstanceDiff {
    const detailed: Record<string, PropertyChange> = {};
    const mark = (path: string, old: unknown, next: unknown, replace = false) => {
        detailed[path] = { kind: withReplace(kindOf(old, next), replace) };
    };
    if (containsUnknown(news.elementKey) || olds.elementKey !== news.elementKey) {
        mark("elementKey", olds.elementKey, news.elementKey, true);
    }
    if (containsUnknown(news.name) || olds.name !== news.name) {
        mark("name", olds.name, news.name);
    }
    if (containsUnknown(news.tags) || !sameJson(tagSet(olds.tags ?? []), tagSet(news.tags ?? []))) {
        mark("tags", olds.tags, news.tags);
    }
    if ((olds.enabled ?? true) !== (news.enabled ?? true)) {
        mark("enabled", olds.enabled, news.enabled);
    }
    Object.assign(detailed, configurationChanges(olds.configuration, news.configuration));
    Object.assign(detailed, eventChanges(olds.events, news.events));
    return summarize(detailed, olds, news);
}

/** A property path for a configuration key, in the engine's syntax (keys with dots are quoted). */
export function configurationPath(key: string): string {
    return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `configuration.${key}` : `configuration[${JSON.stringify(key)}]`;
}

/** One change per configuration key whose value differs (as a string: the platform stores strings). */
function configurationChanges(old: unknown, next: unknown): Record<string, PropertyChange> {
    if (!isPlainObject(next)) {
        return containsUnknown(next) || !sameJson(old ?? {}, next ?? {}) ? { configuration: { kind: "UPDATE" } } : {};
    }
    const o = isPlainObject(old) ? old : {};
    const result: Record<string, PropertyChange> = {};
    for (const key of [...new Set([...Object.keys(o), ...Object.keys(next)])].sort()) {
        const a = o[key];
        const b = next[key];
        if (containsUnknown(b) || isAbsent(a) !== isAbsent(b) || (!isAbsent(a) && String(a) !== String(b))) {
            result[configurationPath(key)] = { kind: kindOf(a, b) };
        }
    }
    return result;
}

/** The events fields that matter (with events off only `enabled` is sent), one change per field. */
function eventChanges(old: unknown, next: unknown): Record<string, PropertyChange> {
    if (containsUnknown(next)) {
        return { events: { kind: "UPDATE" } };
    }
    const effective = (events: unknown): Record<string, unknown> => {
        if (!isPlainObject(events)) {
            return {};
        }
        return events.enabled === false ? { enabled: false } : events;
    };
    const o = effective(old);
    const n = effective(next);
    if (isAbsent(old) !== isAbsent(next) && Object.keys(n).length + Object.keys(o).length > 0) {
        return { events: { kind: kindOf(old, next) } };
    }
    const result: Record<string, PropertyChange> = {};
    for (const field of [...new Set([...Object.keys(o), ...Object.keys(n)])].sort()) {
        if (!sameJson(o[field] ?? null, n[field] ?? null)) {
            result[`events.${field}`] = { kind: kindOf(o[field], n[field]) };
        }
    }
    return result;
}
