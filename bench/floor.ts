/**
 * The engine's floor: `FloorInstance`, a dynamic resource whose provider calls nothing, with the same props, outputs,
 * secrets and methods as `FreshdeskInstance`. What the benchmark measures for it is the cost of the Pulumi engine,
 * the CLI, the Automation API and the Node.js dynamic-provider runtime alone. The difference to `FreshdeskInstance`
 * is what our provider adds: its module loading, client setup and HTTP calls.
 *
 * Like `FreshdeskInstance`, the serialized provider is a stub whose `configure` loads the methods from a module
 * (`bin/bench/floor-impl.js`, which loads nothing heavy) and installs them. The stub carries padding chosen by
 * {@link matchFloorProviderSize} so that its `__provider` has exactly the size of `FreshdeskInstance`'s. State
 * size matters for time, because the engine writes the checkpoint after every step. A floor with a different
 * state size would skew the comparison at large N.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { FreshdeskInstanceArgs } from "../provider";

/** Where the stub loads the methods from: an absolute path, fixed at serialization time. */
const floorImplementation = path.join(__dirname, "floor-impl.js");
/** Filler that makes the serialized stub as large as `FreshdeskInstance`'s; set before the first serialization. */
let padding = "";

// The dynamic-provider runtime awaits `configure` before it calls any other method; the cast is honest after that.
const floorProvider = {
    configure(this: Record<string, unknown>) {
        Object.assign(this, require(floorImplementation), { padding: padding.length });
    },
} as unknown as pulumi.dynamic.ResourceProvider;

/** UTF-8 size of a provider object serialized as `dynamic.Resource` serializes it into `__provider`. */
export async function serializedProviderBytes(provider: object): Promise<number> {
    const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");
    const serialized = await serializeFunction(() => provider, { allowSecrets: true });
    return Buffer.byteLength(serialized.text);
}

/**
 * Pads the floor's stub to `targetBytes` when serialized. Must run before the first `FloorInstance` is created in
 * this process: the SDK serializes a provider object once and caches the text. Returns the floor's size.
 */
export async function matchFloorProviderSize(targetBytes: number): Promise<number> {
    padding = "";
    const base = await serializedProviderBytes(floorProvider);
    padding = "x".repeat(Math.max(0, targetBytes - base));
    return serializedProviderBytes(floorProvider);
}

/** Arguments of {@link FloorInstance}: those of `FreshdeskInstance` the benchmark uses. */
export type FloorInstanceArgs = Pick<FreshdeskInstanceArgs, "subdomain" | "apiKey" | "name" | "tags">;

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
