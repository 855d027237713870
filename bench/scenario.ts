/**
 * One benchmark stack ("unit"): N instances of one path (see paths.ts: our dynamic resource, our plugin, the
 * documentation-style peer, or the no-op floor), taken through the six measured operations with the real CLI. For
 * every operation it records the CLI command's wall time, the Automation API call's wall time, the engine's change
 * summary, the emulator's request log and the peak memory of the path's provider process.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, type ProjectSettings, type Stack } from "@pulumi/pulumi/automation";
import type { StateResource } from "../cli/deployment";
import { devAccounts } from "../emulator/accounts";
import type { RequestLogEntry } from "../emulator/types";
import { pluginPackage } from "../provider/hosts/plugin/provider";
import type { BenchBackend, TimedPulumiCommand } from "./cli";
import type { EmulatorProcess } from "./emulator-process";
import { benchPaths, type PathName } from "./paths";
import { ProviderMemorySampler } from "./procmem";

/** The measured operations, in the order they run on every stack. */
export const operations = [
    { name: "create", label: "up (create)", verb: "up", minCallsPerInstance: 1 },
    { name: "preview", label: "preview (no change)", verb: "preview", minCallsPerInstance: 0 },
    { name: "upSame", label: "up (no change)", verb: "up", minCallsPerInstance: 0 },
    { name: "refresh", label: "refresh", verb: "refresh", minCallsPerInstance: 1 },
    { name: "update", label: "up (update all)", verb: "up", minCallsPerInstance: 1 },
    { name: "destroy", label: "destroy", verb: "destroy", minCallsPerInstance: 1 },
] as const;

/** Name of a measured operation. */
export type OpName = (typeof operations)[number]["name"];

/** One operation on one stack. */
export interface OpMeasurement {
    op: OpName;
    /** Wall time of the `pulumi` command itself (spawn to exit), ms: the figure the report uses. */
    cliMs?: number;
    /** CPU time of the `pulumi` command's process tree (engine, provider process, shim), ms. */
    cliCpuMs?: number;
    /** Wall time of the Automation API call (adds `stack output` and `stack history` after up/refresh/destroy), ms. */
    automationMs: number;
    /** The engine's change counts (`resourceChanges`, or `changeSummary` for preview). */
    changes?: Record<string, number>;
    /** Set when the change counts are not what the operation should produce (e.g. a preview that shows updates). */
    unexpectedChanges?: string;
    /** API requests the emulator received during the operation. */
    apiCalls?: number;
    /** The same, by `METHOD /path` with ids replaced by `{id}`. */
    apiCallsByRoute?: Record<string, number>;
    /** Requests answered with a status outside 2xx (retries show up here). */
    apiErrors?: number;
    /** Sum of the emulator-side durations of those requests, ms (latency included). */
    apiServerMs?: number;
    /** CPU time of the provider process, ms (sampled: short by at most one 50 ms interval). */
    providerCpuMs?: number;
    /** Peak resident set of the provider process (`VmHWM`), kB. */
    providerPeakKb?: number;
    /** How many provider processes were seen (normally 1). */
    providerProcesses?: number;
    /** When the (first) provider process was first seen, ms after the Automation API call started; how long it lived. */
    providerStartMs?: number;
    providerAliveMs?: number;
    /** The machine's 1-minute load average when the operation started (other people's work shows here). */
    load1: number;
    /** The error, if the operation failed. */
    error?: string;
}

/** Stack state right after the create. */
export interface StateMeasurement {
    /** Compact JSON of the deployment as stored (what `stack export` prints, secrets as ciphertext), bytes. */
    exportBytes: number;
    /** Size of the stack's checkpoint file in the `file://` backend (indented JSON), bytes. */
    fileBytes?: number;
    /** The path's instances in the deployment. */
    instances: number;
    /** Mean compact JSON size of one instance's entry in the deployment, bytes. */
    entryBytesMean?: number;
    /** UTF-8 size of one serialized `__provider` (the largest seen), bytes; undefined for the plugin (it has none). */
    providerBytes?: number;
    /** How many copies of `__provider` one resource entry holds (inputs and outputs). */
    providerCopies?: number;
    /** Whether `__provider` is stored as a secret (it captured a secret). */
    providerSecret?: boolean;
}

/** Everything measured on one stack. */
export interface UnitResult {
    path: PathName;
    n: number;
    /** The emulator latency during this unit's operations; undefined for a floor shared by every latency. */
    latencyMs?: number;
    run: number;
    stack: string;
    ops: OpMeasurement[];
    state?: StateMeasurement;
    error?: string;
}

/** What every unit shares. */
export interface BenchContext {
    repoRoot: string;
    backend: BenchBackend;
    cli: TimedPulumiCommand;
    emulator: EmulatorProcess;
    projectName: string;
    parallel?: number;
    verbose: boolean;
    /** The plugin's folder (holding `pulumi-resource-cloudelements`), for `plugins.providers[].path`. */
    pluginDir?: string;
}

const freshdesk = devAccounts.freshdesk[0];
const organization = devAccounts.organizations[0];

/** The emulator latency currently armed (undefined: unknown, clear it). */
let armedLatency: number | undefined;

async function armLatency(emulator: EmulatorProcess, latencyMs: number): Promise<void> {
    if (armedLatency === latencyMs) {
        return;
    }
    await emulator.control.clearFaults();
    if (latencyMs > 0) {
        await emulator.control.addFault({ kind: "latency", latencyMs, count: 0 });
    }
    armedLatency = latencyMs;
}

function route(entry: RequestLogEntry): string {
    const p = entry.path.replace(/^\/elements\/api-v2/, "").replace(/\/\d+(?=\/|$)/g, "/{id}");
    return `${entry.method} ${p}`;
}

function describeError(e: unknown): string {
    const text = e instanceof Error ? e.message : String(e);
    // CLI errors carry the whole output; the end says what went wrong.
    return text.length > 2000 ? `...${text.slice(-2000)}` : text;
}

function nonSame(changes: Record<string, number> | undefined): Record<string, number> {
    return Object.fromEntries(Object.entries(changes ?? {}).filter(([kind, count]) => kind !== "same" && count > 0));
}

/** Checks the engine's change counts against what each operation must do to N resources. */
function checkChanges(op: OpName, n: number, changes: Record<string, number> | undefined): string | undefined {
    const other = nonSame(changes);
    const describe = () => JSON.stringify(changes ?? {});
    switch (op) {
        case "create":
            return (other.create ?? 0) >= n && Object.keys(other).every((k) => k === "create")
                ? undefined
                : `expected ${n} creates, got ${describe()}`;
        case "update":
            return (other.update ?? 0) === n && Object.keys(other).every((k) => k === "update")
                ? undefined
                : `expected ${n} updates, got ${describe()}`;
        case "destroy":
            return (other.delete ?? 0) >= n && Object.keys(other).every((k) => k === "delete")
                ? undefined
                : `expected ${n} deletes, got ${describe()}`;
        default:
            return Object.keys(other).length === 0 ? undefined : `expected no change, got ${describe()}`;
    }
}

/** One stack of the benchmark. */
export class Unit {
    /** Bumped by the update operation: the tag every resource carries. */
    private generation = 1;
    private stack: Stack | undefined;
    readonly result: UnitResult;

    constructor(
        private readonly ctx: BenchContext,
        readonly path: PathName,
        readonly n: number,
        readonly latencyMs: number | undefined,
        run: number,
    ) {
        // Same length for every path, so URNs (and state sizes) do not differ by the stack name.
        const stack = `${benchPaths[path].stackLetter}${latencyMs ?? "x"}-n${n}-r${run}`;
        this.result = { path, n, latencyMs, run, stack, ops: [] };
    }

    /** A label for progress lines. */
    get label(): string {
        return this.latencyMs === undefined ? this.path : `${this.path}@${this.latencyMs}ms`;
    }

    /** Whether an earlier step failed (later operations are skipped). */
    get failed(): boolean {
        return this.result.error !== undefined;
    }

    private program = async () => {
        const tags = ["bench", `generation:${this.generation}`];
        const apiKey = pulumi.secret(freshdesk.apiKeys[0]);
        const path = benchPaths[this.path];
        for (let i = 0; i < this.n; i++) {
            path.declare(`instance-${i}`, { subdomain: freshdesk.subdomain, apiKey, name: `bench-${i}`, tags });
        }
    };

    /** Creates the stack and its config (not timed). */
    async init(): Promise<void> {
        const { ctx } = this;
        try {
            const projectSettings: ProjectSettings & { plugins?: unknown } = {
                name: ctx.projectName,
                runtime: "nodejs",
                // The dynamic-provider process runs here: `@pulumi/pulumi` and bin/provider must resolve.
                main: ctx.repoRoot,
                backend: { url: ctx.backend.backendUrl },
            };
            if (this.path === "plugin") {
                if (!ctx.pluginDir) {
                    throw new Error("the plugin is not available");
                }
                // Written to Pulumi.yaml as is: the engine starts the plugin from this folder.
                projectSettings.plugins = { providers: [{ name: pluginPackage, path: ctx.pluginDir }] };
            }
            this.stack = await LocalWorkspace.createOrSelectStack(
                { projectName: ctx.projectName, stackName: this.result.stack, program: this.program },
                {
                    pulumiCommand: ctx.cli.command,
                    pulumiHome: ctx.backend.home,
                    envVars: ctx.backend.env,
                    projectSettings,
                },
            );
            // `stack.up()` runs `pulumi stack output` after the update only to return the outputs; these programs
            // export none, so skip that command (it is not timed, but it lengthens the whole benchmark).
            this.stack.outputs = async () => ({});
            // Every path gets the same config: the engine sends the whole stack config to every provider's configure
            // (the plugin's default provider and the peer read it there).
            await this.stack.setAllConfig({
                "cloudelements:baseUrl": { value: ctx.emulator.baseUrl },
                "cloudelements:userSecret": { value: organization.users[0].userSecret, secret: true },
                "cloudelements:organizationSecret": { value: organization.organizationSecret, secret: true },
            });
        } catch (e) {
            this.result.error = `stack setup: ${describeError(e)}`;
        }
    }

    /** Runs one operation and records it. Skipped when an earlier step failed. */
    async runOp(op: OpName): Promise<OpMeasurement | undefined> {
        const stack = this.stack;
        if (!stack || this.failed) {
            return undefined;
        }
        const { ctx } = this;
        const spec = operations.find((o) => o.name === op)!;
        await armLatency(ctx.emulator, this.latencyMs ?? 0);
        await ctx.emulator.control.reset({ requests: true });
        if (op === "update") {
            this.generation++;
        }
        const onOutput = ctx.verbose ? (out: string) => process.stderr.write(out) : undefined;
        const common = { onOutput, parallel: ctx.parallel };
        const mark = ctx.cli.timings.length;
        const sampler = new ProviderMemorySampler(benchPaths[this.path].isProviderProcess);
        const measurement: OpMeasurement = { op, automationMs: 0, load1: os.loadavg()[0] };
        sampler.start();
        const start = performance.now();
        try {
            switch (op) {
                case "preview":
                    measurement.changes = (await stack.preview(common)).changeSummary as Record<string, number>;
                    break;
                case "refresh":
                    measurement.changes = (await stack.refresh(common)).summary.resourceChanges;
                    break;
                case "destroy":
                    measurement.changes = (await stack.destroy(common)).summary.resourceChanges;
                    break;
                default:
                    measurement.changes = (await stack.up(common)).summary.resourceChanges;
            }
        } catch (e) {
            measurement.error = describeError(e);
            this.result.error = `${op}: ${measurement.error}`;
        }
        measurement.automationMs = performance.now() - start;
        const memory = sampler.stop();
        measurement.providerPeakKb = memory.peakKb;
        measurement.providerProcesses = memory.processes.length;
        if (memory.processes.length > 0) {
            const first = memory.processes[0];
            measurement.providerStartMs = first.firstSeenMs;
            measurement.providerAliveMs = first.lastSeenMs - first.firstSeenMs;
            measurement.providerCpuMs = memory.processes.reduce((sum, p) => sum + p.cpuMs, 0);
        }
        const timing = ctx.cli.timings.slice(mark).find((t) => t.verb === spec.verb);
        measurement.cliMs = timing?.ms;
        measurement.cliCpuMs = timing?.cpuMs;
        if (!measurement.error) {
            measurement.unexpectedChanges = checkChanges(op, this.n, measurement.changes);
        }
        const requests = await ctx.emulator.control.requests();
        measurement.apiCalls = requests.length;
        measurement.apiErrors = requests.filter((r) => r.status < 200 || r.status > 299).length;
        measurement.apiServerMs = requests.reduce((sum, r) => sum + r.durationMs, 0);
        measurement.apiCallsByRoute = {};
        for (const r of requests) {
            const key = route(r);
            measurement.apiCallsByRoute[key] = (measurement.apiCallsByRoute[key] ?? 0) + 1;
        }
        this.result.ops.push(measurement);
        return measurement;
    }

    /**
     * Measures the stack state (after the create), from the checkpoint file in the `file://` backend: the deployment
     * as stored, secrets as ciphertext. (`stack.exportStack()` would not do: the Automation API exports with
     * `--show-secrets`, so its secrets are plaintext and sizes differ from what is stored.)
     */
    async measureState(): Promise<StateMeasurement | undefined> {
        if (!this.stack || this.failed) {
            return undefined;
        }
        try {
            const file = path.join(
                new URL(this.ctx.backend.backendUrl).pathname,
                ".pulumi",
                "stacks",
                this.ctx.projectName,
                `${this.result.stack}.json`,
            );
            const checkpoint = JSON.parse(fs.readFileSync(file, "utf8"));
            const deployment = checkpoint?.checkpoint?.latest;
            if (!deployment) {
                throw new Error(`no deployment in ${file}`);
            }
            const resources: StateResource[] = deployment.resources ?? [];
            const instances = resources.filter((r) => benchPaths[this.path].isInstanceType(String(r.type)));
            const state: StateMeasurement = {
                // What `pulumi stack export` prints (without --show-secrets), compacted.
                exportBytes: Buffer.byteLength(JSON.stringify({ version: checkpoint.version ?? 3, deployment })),
                fileBytes: fs.statSync(file).size,
                instances: instances.length,
            };
            if (instances.length > 0) {
                state.entryBytesMean =
                    instances.reduce((sum, r) => sum + Buffer.byteLength(JSON.stringify(r)), 0) / instances.length;
                let largest = 0;
                let copies = 0;
                let secret = false;
                for (const where of [instances[0].inputs, instances[0].outputs]) {
                    const value = where?.__provider;
                    if (value === undefined) {
                        continue;
                    }
                    copies++;
                    secret ||= typeof value !== "string";
                    const bytes = Buffer.byteLength(typeof value === "string" ? value : JSON.stringify(value));
                    largest = Math.max(largest, bytes);
                }
                if (copies > 0) {
                    state.providerBytes = largest;
                    state.providerCopies = copies;
                    state.providerSecret = secret;
                }
            }
            this.result.state = state;
            return state;
        } catch (e) {
            this.result.error = `state: ${describeError(e)}`;
            return undefined;
        }
    }

    /** Destroys what is left (after a failure) and removes the stack; never throws. */
    async dispose(): Promise<void> {
        if (!this.stack) {
            return;
        }
        try {
            if (this.failed) {
                await this.stack.destroy({ parallel: this.ctx.parallel }).catch(() => undefined);
            }
            await this.stack.workspace.removeStack(this.result.stack, { force: true });
        } catch {
            // A leftover stack in the temp backend does no harm; the folder is deleted at the end.
        }
    }
}
