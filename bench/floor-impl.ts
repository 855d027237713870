/**
 * The methods of the floor's provider (see floor.ts): the same input normalisation, diff keys and output keys as
 * `FreshdeskInstance`'s implementation, and no I/O. Loaded in the dynamic-provider process by the floor's stub, as
 * `bin/provider/implementation.js` is loaded by `FreshdeskInstance`'s, but with nothing to load beyond `node:crypto`.
 */
import { randomBytes, randomInt, randomUUID } from "node:crypto";

/** The `events` block, as a program passes it or as `check` normalised it. */
interface FloorEvents {
    enabled?: boolean;
    pollingIntervalMinutes?: number;
    resources?: string[];
}

/** Properties as the engine passes them: a program's raw inputs, checked inputs or state (plus `__provider`). */
interface FloorProps extends Record<string, unknown> {
    events?: FloorEvents;
    createMarker?: unknown;
}

/** Checked inputs: `check` always sets `events`. */
interface FloorInputs extends FloorProps {
    events: FloorEvents;
}

const diffKeys = ["subdomain", "name", "tags", "apiKey", "filterResponseNulls", "events"];

/**
 * Normalises like `FreshdeskInstance`, and keeps the create marker of the resource's state as it does (a new random
 * one only for a resource without state). A marker that changed on every check would make every unchanged resource
 * a changed "same" step, which the engine must write to the checkpoint: N writes of the whole state on an `up`
 * without changes.
 */
export async function check(olds: FloorProps | undefined, news: FloorProps) {
    const events = news.events ?? {};
    return {
        inputs: {
            subdomain: String(news.subdomain).trim().toLowerCase(),
            apiKey: news.apiKey,
            name: news.name,
            tags: news.tags ?? [],
            filterResponseNulls: news.filterResponseNulls ?? true,
            events: {
                enabled: events.enabled ?? false,
                pollingIntervalMinutes: events.pollingIntervalMinutes ?? 15,
                resources: events.resources ?? ["incidents", "contacts"],
            },
            createMarker: typeof olds?.createMarker === "string" ? olds.createMarker : randomUUID(),
        },
    };
}

/** The same compared keys as `FreshdeskInstance`; `changes` always a boolean. */
export async function diff(_id: string, olds: FloorProps, news: FloorProps) {
    const changed = diffKeys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return { changes: changed.length > 0, replaces: changed.filter((k) => k === "subdomain") };
}

/** The same output keys, with values of the emulator's sizes: a 6-digit id, a 44-character token, a date. */
export async function create(inputs: FloorInputs) {
    const { __provider: _provider, ...ins } = inputs;
    const instanceId = 100000 + randomInt(900000);
    const outs = {
        ...ins,
        instanceId,
        token: randomBytes(32).toString("base64"),
        createdDate: `${new Date().toISOString().slice(0, 19)}Z`,
        valid: true,
        disabled: false,
        eventsEnabled: ins.events.enabled,
        elementKey: "freshdeskv2",
        elementId: 491,
    };
    return { id: String(instanceId), outs };
}

/** Full props, and the inputs as the "instance" shows them (`FreshdeskInstance` returns both). */
export async function read(id: string, olds: FloorProps) {
    const { __provider: _provider, ...props } = olds;
    const { instanceId, token, createdDate, valid, disabled, eventsEnabled, elementKey, elementId, ...inputs } = props;
    return { id, props, inputs };
}

/** Complete outputs; the runtime adds the new `__provider`, and the create's marker is kept. */
export async function update(_id: string, olds: FloorProps, news: FloorInputs) {
    const { __provider: _p, ...old } = olds;
    const { __provider: _q, createMarker: _m, ...ins } = news;
    return { outs: { ...old, ...ins, eventsEnabled: ins.events.enabled } };
}

async function deleteInstance(): Promise<void> {}

export { deleteInstance as delete };
