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

/** The floor's provider: the same methods and output keys as `FreshdeskInstance`'s, and no I/O at all. */
const floorProvider: pulumi.dynamic.ResourceProvider = {
    // FreshdeskInstance reads its connection here; the engine sends the whole stack config either way.
    async configure() {},

    async check(_olds: any, news: any) {
        const crypto = require("node:crypto");
        const events = news.events ?? {};
        return {
            inputs: {
                subdomain: String(news.subdomain).trim().toLowerCase(),
                apiKey: news.apiKey,
                name: news.name,
                tags: Array.isArray(news.tags) ? news.tags : [],
                filterResponseNulls: news.filterResponseNulls ?? true,
                events: {
                    enabled: events.enabled ?? false,
                    pollingIntervalMinutes: events.pollingIntervalMinutes ?? 15,
                    resources: events.resources ?? ["incidents", "contacts"],
                },
                // FreshdeskInstance stamps a fresh random marker in every check; so does the floor.
                createMarker: crypto.randomUUID(),
            },
        };
    },

    async diff(_id: string, olds: any, news: any) {
        const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
        const changed = ["subdomain", "name", "tags", "apiKey", "filterResponseNulls", "events"].filter(
            (key) => !same(olds[key], news[key]),
        );
        const replaces = changed.filter((key) => key === "subdomain");
        return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
    },

    async create(inputs: any) {
        const crypto = require("node:crypto");
        // Values of the same size as the emulator's: a 6-digit id, a 44-character token, a second-precision date.
        const instanceId = 100000 + crypto.randomInt(900000);
        return {
            id: String(instanceId),
            outs: {
                subdomain: inputs.subdomain,
                apiKey: inputs.apiKey,
                name: inputs.name,
                tags: inputs.tags,
                filterResponseNulls: inputs.filterResponseNulls,
                events: inputs.events,
                createMarker: inputs.createMarker,
                instanceId,
                token: crypto.randomBytes(32).toString("base64"),
                createdDate: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
                valid: true,
                disabled: false,
                eventsEnabled: inputs.events.enabled,
                elementKey: "freshdeskv2",
                elementId: 491,
            },
        };
    },

    async read(id: string, props: any) {
        const { __provider: _provider, ...outs } = props;
        const inputs = {
            subdomain: outs.subdomain,
            apiKey: outs.apiKey,
            name: outs.name,
            tags: outs.tags,
            filterResponseNulls: outs.filterResponseNulls,
            events: outs.events,
            createMarker: outs.createMarker,
        };
        return { id, props: outs, inputs };
    },

    async update(_id: string, olds: any, news: any) {
        // The runtime adds the new `__provider` to the outputs itself.
        const { __provider: _provider, ...old } = olds;
        return {
            outs: {
                ...old,
                subdomain: news.subdomain,
                apiKey: news.apiKey,
                name: news.name,
                tags: news.tags,
                filterResponseNulls: news.filterResponseNulls,
                events: news.events,
                eventsEnabled: news.events.enabled,
            },
        };
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
