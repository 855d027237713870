/**
 * The ways of managing a Freshdesk instance that the benchmark compares, each declared by the same inline program
 * with the same inputs and the same stack config:
 *
 * - `dynamic`: `FreshdeskInstance`, our dynamic resource (its `__provider` is a stub that loads the installed
 *   package);
 * - `plugin`: `cloudelements:index:FreshdeskInstance` served by our provider plugin `pulumi-resource-cloudelements`
 *   over the same implementation, declared as a generic `CustomResource` with that type token (what a generated SDK
 *   or a Pulumi YAML program declares), through the default provider configured by the same stack config;
 * - `peer`: the documentation-style dynamic provider of `peer.ts` (what a user would write without this package);
 * - `floor`: `FloorInstance`, a no-op dynamic resource of `FreshdeskInstance`'s shape and state size: what the
 *   engine and the dynamic-provider runtime cost with no provider work at all.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { FreshdeskInstance } from "../provider";
import { freshdeskInstanceToken as pluginResourceType } from "../provider/hosts/plugin/provider";
import { pluginBinary } from "../scripts/plugin-build";
import { FloorInstance } from "./floor";
import { PeerInstance } from "./peer";

/** Name of a benchmarked path. */
export type PathName = "dynamic" | "plugin" | "peer" | "floor";

/** The paths that manage real instances, in report order (the floor is always run next to them). */
export const measuredPaths = ["dynamic", "plugin", "peer"] as const satisfies readonly PathName[];

/** The inputs every path's resources get (the API key already a secret). */
export interface InstanceArgs {
    subdomain: string;
    apiKey: pulumi.Output<string>;
    name: string;
    tags: string[];
}

/** How one path is declared, recognised and described. */
export interface BenchPath {
    name: PathName;
    /** One letter that starts its stack names (every stack name has the same length, so URNs do too). */
    stackLetter: string;
    /** What it is, for the report. */
    title: string;
    /** Whether its resources call the API (the floor's do not, so latency does not apply to it). */
    callsApi: boolean;
    /** Declares one resource in the running program. */
    declare(name: string, args: InstanceArgs): void;
    /** Whether a process's argv is this path's provider process (the one whose memory and CPU are reported). */
    isProviderProcess(argv: readonly string[]): boolean;
    /** Whether a resource type in the deployment is one of this path's instances. */
    isInstanceType(type: string): boolean;
}

/**
 * The plugin's resource as a program without a generated SDK declares it: a custom resource with the type token.
 * The token is marked secret as `FreshdeskInstance` marks it.
 */
class PluginInstance extends pulumi.CustomResource {
    constructor(name: string, args: InstanceArgs) {
        super(pluginResourceType, name, { ...args }, { additionalSecretOutputs: ["token"] });
    }
}

/** `node …/@pulumi/pulumi/cmd/dynamic-provider[/index.js]` (not the shim's `node -e require.resolve(...)`). */
function isDynamicProviderProcess(argv: readonly string[]): boolean {
    return argv.length >= 2 && /node/.test(argv[0]) && /cmd[/\\]dynamic-provider([/\\]index\.js)?$/.test(argv[1]);
}

/** The plugin's launcher execs `node <plugin>/bin/provider/hosts/plugin/main.js <engine address>`. */
function isPluginProcess(argv: readonly string[]): boolean {
    return (
        argv.length >= 2 &&
        ((/node/.test(argv[0]) && /hosts[/\\]plugin[/\\]main\.js$/.test(argv[1])) ||
            path.basename(argv[0]) === pluginBinary)
    );
}

const isDynamicType = (type: string) => type.startsWith("pulumi-nodejs:dynamic");

/** Every path, by name. */
export const benchPaths: Record<PathName, BenchPath> = {
    dynamic: {
        name: "dynamic",
        stackLetter: "d",
        title: "`FreshdeskInstance` (this package's dynamic resource)",
        callsApi: true,
        declare: (name, args) => new FreshdeskInstance(name, args),
        isProviderProcess: isDynamicProviderProcess,
        isInstanceType: isDynamicType,
    },
    plugin: {
        name: "plugin",
        stackLetter: "g",
        title: `\`${pluginResourceType}\` through the provider plugin \`${pluginBinary}\``,
        callsApi: true,
        declare: (name, args) => new PluginInstance(name, args),
        isProviderProcess: isPluginProcess,
        isInstanceType: (type) => type === pluginResourceType,
    },
    peer: {
        name: "peer",
        stackLetter: "p",
        title: "a documentation-style dynamic provider (`bench/peer.ts`)",
        callsApi: true,
        declare: (name, args) => new PeerInstance(name, args),
        isProviderProcess: isDynamicProviderProcess,
        isInstanceType: isDynamicType,
    },
    floor: {
        name: "floor",
        stackLetter: "f",
        title: "no-op dynamic resources of `FreshdeskInstance`'s shape and state size",
        callsApi: false,
        declare: (name, args) => new FloorInstance(name, args),
        isProviderProcess: isDynamicProviderProcess,
        isInstanceType: isDynamicType,
    },
};
