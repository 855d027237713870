/**
 * The engine's floor: a dynamic resource whose provider calls nothing, with the same inputs, outputs, secrets and
 * methods (check, diff, create, read, update, delete) as `FreshdeskInstance`. Whatever the benchmark measures for it is
 * the cost of the Pulumi engine, the CLI, the Automation API and the Node.js dynamic-provider runtime alone; the
 * difference to `FreshdeskInstance` is what our provider adds (its module loading, client setup, HTTP calls and
 * larger state).
 *
 * The provider object is serialized by value into `__provider` (it is small and self-contained: it requires only
 * `node:crypto`, inside a method, so nothing is captured as a deep module path).
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * The floor's provider: the same methods, input normalisation and output keys as `FreshdeskInstance`'s, no I/O.
 * Comments stay outside the method bodies, which are serialized verbatim: the floor's `__provider` should not be
 * larger than the stub it is compared with.
 */
const floorProvider: pulumi.dynamic.ResourceProvider = {
    // FreshdeskInstance reads its connection here; the engine sends the whole stack config either way.
    async configure() {},

    // Normalises like FreshdeskInstance, and stamps a fresh random create marker on every check as it does.
    async check(_olds: any, news: any) {
        const e = news.events ?? {};
        const inputs = {
            subdomain: String(news.subdomain).trim().toLowerCase(),
            apiKey: news.apiKey,
            name: news.name,
            tags: news.tags ?? [],
            filterResponseNulls: news.filterResponseNulls ?? true,
            events: {
                enabled: e.enabled ?? false,
                pollingIntervalMinutes: e.pollingIntervalMinutes ?? 15,
                resources: e.resources ?? ["incidents", "contacts"],
            },
            createMarker: require("node:crypto").randomUUID(),
        };
        return { inputs };
    },

    async diff(_id: string, olds: any, news: any) {
        const keys = ["subdomain", "name", "tags", "apiKey", "filterResponseNulls", "events"];
        const changed = keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
        return { changes: changed.length > 0, replaces: changed.filter((k) => k === "subdomain") };
    },

    // Values of the emulator's sizes: a 6-digit id, a 44-character token, a date to the second.
    async create(inputs: any) {
        const crypto = require("node:crypto");
        const { __provider: _p, ...ins } = inputs;
        const instanceId = 100000 + crypto.randomInt(900000);
        const outs = {
            ...ins,
            instanceId,
            token: crypto.randomBytes(32).toString("base64"),
            createdDate: `${new Date().toISOString().slice(0, 19)}Z`,
            valid: true,
            disabled: false,
            eventsEnabled: ins.events.enabled,
            elementKey: "freshdeskv2",
            elementId: 491,
        };
        return { id: String(instanceId), outs };
    },

    // Full props, and the inputs as the "instance" shows them (FreshdeskInstance returns both).
    async read(id: string, olds: any) {
        const { __provider: _p, ...props } = olds;
        const { instanceId, token, createdDate, valid, disabled, eventsEnabled, elementKey, elementId, ...inputs } =
            props;
        return { id, props, inputs };
    },

    // The runtime adds the new `__provider` to the outputs; the create marker of the create is kept.
    async update(_id: string, olds: any, news: any) {
        const { __provider: _p, ...old } = olds;
        const { __provider: _q, createMarker: _m, ...ins } = news;
        return { outs: { ...old, ...ins, eventsEnabled: ins.events.enabled } };
    },

    async delete() {},
};

/** Arguments of {@link FloorInstance}: those of `FreshdeskInstance` the benchmark uses. */
export interface FloorInstanceArgs {
    readonly subdomain: pulumi.Input<string>;
    readonly apiKey: pulumi.Input<string>;
    readonly name?: pulumi.Input<string>;
    readonly tags?: pulumi.Input<pulumi.Input<string>[]>;
}

/** A no-op stand-in for `FreshdeskInstance`: the same inputs, outputs and secrets, no API call. */
export class FloorInstance extends pulumi.dynamic.Resource {
    declare readonly instanceId: pulumi.Output<number>;
    declare readonly token: pulumi.Output<string>;

    constructor(name: string, args: FloorInstanceArgs, opts?: pulumi.CustomResourceOptions) {
        // The same props as FreshdeskInstance passes (seeded outputs included), so the engine moves the same shape.
        const props: Record<string, unknown> = {
            subdomain: args.subdomain,
            apiKey: pulumi.secret(args.apiKey),
            name: args.name ?? name,
            tags: args.tags,
            filterResponseNulls: undefined,
            events: undefined,
            adoptInstanceId: undefined,
            instanceId: undefined,
            token: undefined,
            createdDate: undefined,
            valid: undefined,
            disabled: undefined,
            eventsEnabled: undefined,
            elementKey: undefined,
            elementId: undefined,
        };
        super(
            floorProvider,
            name,
            props,
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token"] }),
            "cloudelements",
            "FreshdeskFloor",
        );
    }
}
