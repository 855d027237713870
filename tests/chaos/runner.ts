/**
 * Runs one chaos sequence through the real Pulumi CLI (program directory `tests/fixtures/chaos`, `file://` backend)
 * against the emulator, and checks the invariant after every step and after a final fault-free `refresh` + `up`:
 *
 * - every `FreshdeskInstance` in state points at a live `freshdeskv2` instance that carries its marker tag;
 * - no other instance of the stack exists (no orphan, no duplicate, no two resources on one id), nothing is pending;
 * - no secret appears in anything the CLI printed.
 *
 * Failed steps are allowed (that is what faults do); a violated invariant is not. Between steps two exceptions are
 * accepted, both part of the provider's guarantees: a resource whose instance the sequence itself deleted out of band may point
 * at nothing until a refresh, and an instance carrying the marker of a resource whose outputs say
 * `unconfirmedCreate: true` may exist until the next refresh or update sweeps it. The final check accepts neither.
 *
 * Jest-free: used by `npm run chaos` (tests/chaos/cli.ts) and by tests/engine/chaos.test.ts.
 */
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import type { Deployment } from "../../cli/deployment";
import type { EmulatedInstance, FaultLogEntry, FaultSpec } from "../../emulator";
import { programStack, repoRoot, runPulumi } from "../helpers/pulumi";
import { emulatorIdle, type ReliabilityContext, Transcript } from "../helpers/reliability";
import type { FreshdeskStateResource } from "../helpers/stacks";
import { freshdeskResources, workProgram } from "../helpers/stacks";
import {
    applyChange,
    chaosTuning,
    describeStep,
    initialModel,
    isChange,
    type ModelResource,
    maxFaultDelayMs,
    type Sequence,
    type Step,
} from "./sequence";

const fixture = path.join(repoRoot, "tests", "fixtures", "chaos");
const markerPrefix = "pulumi-marker:";

/** One invariant violation: after which step, and what was wrong. */
export interface Violation {
    /** Index of the step after which the invariant failed; `steps.length` for the final check. */
    readonly afterStep: number;
    readonly step: string;
    readonly problems: readonly string[];
}

/** What one sequence did. */
export interface RunResult {
    readonly sequence: Sequence;
    /** The stack's name (its program folder stays under tests/.work when the run failed). */
    readonly stack: string;
    /** Empty when the invariant held throughout. */
    readonly violations: readonly Violation[];
    /** Steps whose CLI command failed (allowed: faults). */
    readonly failedSteps: number;
    /** Faults armed by fault steps. */
    readonly faults: number;
    /** Of those, faults that fired (the emulator's fault log shows they shaped a request). */
    readonly faultsFired: number;
    /** Of those, faults no request reached before the final fault-free convergence cleared them. */
    readonly faultsUnreached: number;
    /** Secrets found in captured output (names only). */
    readonly leaks: readonly string[];
    readonly seconds: number;
    /** One line per step: what ran, exit status, seconds. */
    readonly log: readonly string[];
}

/** Options of {@link runSequence}. */
export interface RunOptions {
    /** Receives a line per step as the run goes (progress). */
    readonly progress?: (line: string) => void;
}

interface Exported {
    deployment: Deployment;
}

/**
 * Runs `sequence` on a fresh stack of the chaos program, in the world of `ctx` (one emulator and backend; runs must
 * not overlap since faults are global). Never throws for a failed CLI step; throws only when the world itself breaks
 * (the emulator or the backend unreachable) or the fault-free first `up` fails.
 */
export async function runSequence(
    ctx: ReliabilityContext,
    sequence: Sequence,
    name: string,
    options: RunOptions = {},
): Promise<RunResult> {
    const t0 = Date.now();
    const log: string[] = [];
    const say = (line: string) => {
        log.push(line);
        options.progress?.(line);
    };
    const transcript = new Transcript();
    const tag = `chaos-${name}`;
    const dir = workProgram(fixture, `chaos-${name}`, "symlink");
    const stack = await programStack({ backend: ctx.backend, workDir: dir, stackName: name });
    const world = new World(ctx, stack, dir, tag, transcript);
    await ctx.control.clearFaults();
    await world.settle();
    const faultLogBefore = new Set((await ctx.control.faultLog()).map((f) => f.id));

    let model = initialModel();
    await world.configure(model);
    const first = await world.cli(["up", "--yes", "--skip-preview"]);
    if (!first.ok) {
        throw new Error(`chaos ${name}: the fault-free first up failed:\n${first.output}`);
    }
    say(`setup: up ok (${first.seconds.toFixed(1)} s)`);
    const violations: Violation[] = [];
    let failedSteps = 0;
    let faults = 0;
    const steps = sequence.steps;
    for (let i = 0; i < steps.length && violations.length === 0; i++) {
        const step = steps[i];
        const started = Date.now();
        let outcome = "done";
        if (step.op === "fault") {
            const { id } = await ctx.control.addFault(step.fault);
            world.armed(id);
            faults++;
            outcome = "armed";
        } else if (isChange(step)) {
            model = applyChange(model, step);
            if (step.op === "add" && step.adopt) {
                await world.createAdoptee(step.key);
            }
            await world.configure(model);
            outcome = await world.run(["up", "--yes", "--skip-preview"]);
        } else if (step.op === "refresh") {
            outcome = await world.run(["refresh", "--yes", "--skip-preview"]);
        } else if (step.op === "replace") {
            const urn = (await world.resourceOf(step.key))?.urn;
            outcome = urn
                ? await world.run(["up", "--yes", "--skip-preview", "--replace", urn])
                : "skipped (not in state)";
        } else {
            outcome = await world.outOfBand(step);
        }
        if (outcome.startsWith("failed")) {
            failedSteps++;
        }
        const problems = await world.check(false);
        say(
            `step ${i + 1}/${steps.length}: ${describeStep(step)}: ${outcome} (${((Date.now() - started) / 1000).toFixed(1)} s)` +
                (problems.length > 0 ? ` INVARIANT VIOLATED:\n  ${problems.join("\n  ")}` : ""),
        );
        if (problems.length > 0) {
            violations.push({ afterStep: i + 1, step: describeStep(step), problems });
        }
    }
    if (violations.length === 0) {
        // Converge without faults: refresh (the sweep of unconfirmed creates, out-of-band deletes), then up.
        await ctx.control.clearFaults();
        await world.quiesce();
        let refreshed = await world.cli(["refresh", "--yes", "--skip-preview"]);
        let up = await world.cli(["up", "--yes", "--skip-preview"]);
        if (!refreshed.ok || !up.ok) {
            // Once more: with a 1.5 s client timeout, a loaded machine alone can fail one round (allowed, as any
            // failed step); a second failing round without faults is a convergence failure.
            say(`final: refresh ${refreshed.ok ? "ok" : "failed"}, up ${up.ok ? "ok" : "failed"}; once more`);
            await world.quiesce();
            refreshed = await world.cli(["refresh", "--yes", "--skip-preview"]);
            up = await world.cli(["up", "--yes", "--skip-preview"]);
        }
        const problems = await world.check(true);
        if (!refreshed.ok) {
            problems.push(`the final fault-free refresh failed:\n${tail(refreshed.output)}`);
        }
        if (!up.ok) {
            problems.push(`the final fault-free up failed:\n${tail(up.output)}`);
        }
        const inState = new Set(freshdeskResources(await world.exported()).map((r) => urnName(r.urn)));
        const missing = model.filter((r) => !inState.has(r.key)).map((r) => r.key);
        if (up.ok && missing.length > 0) {
            problems.push(`after the final up, not in state: ${missing.join(", ")}`);
        }
        say(
            `final: refresh ${refreshed.ok ? "ok" : "failed"}, up ${up.ok ? "ok" : "failed"}` +
                (problems.length > 0 ? ` INVARIANT VIOLATED:\n  ${problems.join("\n  ")}` : ""),
        );
        if (problems.length > 0) {
            violations.push({ afterStep: steps.length, step: "final refresh + up", problems });
        }
    }
    await ctx.control.clearFaults();
    const { fired: faultsFired, unreached: faultsUnreached } = world.faultsFired(
        (await ctx.control.faultLog()).filter((f) => !faultLogBefore.has(f.id)),
    );
    say(`faults: ${faults} armed, ${faultsFired} fired, ${faultsUnreached} armed and never reached`);
    if (violations.length === 0) {
        ctx.trackDir(dir); // a failed run's program folder stays, for inspection
    }

    // The secret sweep: every CLI output of this run, against every credential and every token of the stack.
    const tokens: Record<string, string> = {};
    for (const instance of await world.stackInstances()) {
        try {
            tokens[`token(${instance.id})`] = await ctx.tokenOf(instance.id);
        } catch {
            // Deleted in between: its token cannot be read any more, and it was never printed by a later step.
        }
    }
    const leaks = transcript.findSecrets({ ...ctx.knownSecrets(), ...tokens }).map((l) => `${l.secret} in ${l.source}`);
    if (leaks.length > 0) {
        violations.push({ afterStep: steps.length, step: "secret sweep", problems: leaks.map((l) => `secret: ${l}`) });
    }
    return {
        sequence,
        stack: name,
        violations,
        failedSteps,
        faults,
        faultsFired,
        faultsUnreached,
        leaks,
        seconds: (Date.now() - t0) / 1000,
        log,
    };
}

function urnName(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

function tail(text: string, lines = 15): string {
    return text.trim().split("\n").slice(-lines).join("\n");
}

/** The stack, its program and what the sequence did out of band: the runner's view of one run. */
class World {
    /** Every marker ever seen in this stack's state: instances carrying one belong to the stack. */
    private readonly markers = new Set<string>();
    /** Instance ids the sequence deleted out of band: their resources may dangle until a refresh. */
    private readonly deletedOutOfBand = new Set<string>();
    /** Ids of the instances created directly on the emulator for adoption, by resource key. */
    private readonly adoptees = new Map<string, number>();
    /** Fault ids by the id its fault step armed (a fault set aside and re-armed gets a new id). */
    private readonly faultOrigins = new Map<string, string>();
    /** The request-log sequence number of the last probe: every request before it had finished. */
    private settledSeq = 0;

    constructor(
        private readonly ctx: ReliabilityContext,
        private readonly stack: Stack,
        private readonly dir: string,
        private readonly tag: string,
        private readonly transcript: Transcript,
    ) {}

    /** Records a fault a fault step armed. */
    armed(id: string): void {
        this.faultOrigins.set(id, id);
    }

    /** Of the faults the fault steps armed, how many fired (in any of their re-armed copies) and how many never did. */
    faultsFired(log: readonly FaultLogEntry[]): { fired: number; unreached: number } {
        const fired = new Set<string>();
        for (const entry of log) {
            const origin = this.faultOrigins.get(entry.id);
            if (origin !== undefined && entry.fired > 0) {
                fired.add(origin);
            }
        }
        const origins = new Set(this.faultOrigins.values());
        return { fired: fired.size, unreached: origins.size - fired.size };
    }

    /** Writes the program (the model) and the connection into the stack config. */
    async configure(model: readonly ModelResource[]): Promise<void> {
        const resources = model.map((r) => ({
            key: r.key,
            name: r.name,
            tags: [...r.tags, this.tag],
            account: r.account,
            keyIndex: r.keyIndex,
            ...(r.adopt && this.adoptees.has(r.key) ? { adoptInstanceId: this.adoptees.get(r.key) } : {}),
        }));
        const accounts = this.ctx.accounts.freshdesk.slice(0, 2);
        await this.stack.setAllConfig({
            ...this.ctx.connectionConfig(chaosTuning),
            "chaos:resources": { value: JSON.stringify(resources) },
            "chaos:subdomains": { value: JSON.stringify(accounts.map((a) => a.subdomain)) },
            "chaos:apiKeys": { value: JSON.stringify(accounts.map((a) => a.apiKeys)), secret: true },
        });
    }

    /** Runs the CLI in the program folder; records the output for the secret sweep. */
    async cli(args: string[]): Promise<{ ok: boolean; output: string; seconds: number }> {
        const t0 = Date.now();
        const result = await runPulumi([...args, "--stack", this.stack.name], {
            cwd: this.dir,
            backend: this.ctx.backend,
        });
        const output = `${result.stdout}${result.stderr}`;
        this.transcript.add(`${this.stack.name}: pulumi ${args.join(" ")}`, output);
        return { ok: result.code === 0, output, seconds: (Date.now() - t0) / 1000 };
    }

    /** {@link cli} as a step outcome: `ok`, or `failed: <the error line>`. */
    async run(args: string[]): Promise<string> {
        const result = await this.cli(args);
        if (result.ok) {
            return "ok";
        }
        const errorLine =
            result.output
                .split("\n")
                .map((l) => l.trim())
                .find((l) => /^error:/.test(l) && !/update failed|refresh failed/.test(l)) ?? "";
        return `failed: ${errorLine.slice(0, 300)}`;
    }

    /** The state as `pulumi stack export` prints it; remembers every marker in it. */
    async exported(): Promise<Exported> {
        const result = await runPulumi(["stack", "export", "--stack", this.stack.name], {
            cwd: this.dir,
            backend: this.ctx.backend,
        });
        if (result.code !== 0) {
            throw new Error(`pulumi stack export failed:\n${result.stdout}${result.stderr}`);
        }
        this.transcript.add(`${this.stack.name}: pulumi stack export`, result.stdout);
        const exported = JSON.parse(result.stdout) as Exported;
        const pending = (exported.deployment?.pending_operations ?? []).map((op) => op.resource);
        for (const r of [...freshdeskResources(exported), ...pending]) {
            for (const m of [r.outputs?.createMarker, r.inputs?.createMarker]) {
                if (typeof m === "string") {
                    this.markers.add(m);
                }
            }
        }
        return exported;
    }

    /** The state entry of resource `key` (not one pending deletion), from a fresh export. */
    async resourceOf(key: string): Promise<FreshdeskStateResource | undefined> {
        const exported = await this.exported();
        return freshdeskResources(exported).find((r) => urnName(r.urn) === key && !r.delete);
    }

    /** The emulator's instances that belong to this stack: its tag, or a marker its state ever held. */
    async stackInstances(): Promise<EmulatedInstance[]> {
        return (await this.ctx.control.instances()).filter(
            (i) =>
                i.tags.includes(this.tag) ||
                i.tags.some((t) => t.startsWith(markerPrefix) && this.markers.has(t.slice(markerPrefix.length))),
        );
    }

    /** Creates, directly on the emulator, the instance that resource `key` will adopt. */
    async createAdoptee(key: string): Promise<void> {
        const [account] = this.ctx.accounts.freshdesk;
        const created = await this.withoutFaults(() =>
            this.ctx.api.createInstance({
                name: `adoptee-${key}`,
                subdomain: account.subdomain,
                apiKey: account.apiKeys[0],
                tags: [`${this.tag}-adoptee`],
            }),
        );
        this.adoptees.set(key, Number(created.id));
    }

    /** An out-of-band edit or delete of resource `key`'s instance through the public API. */
    async outOfBand(step: Extract<Step, { op: "oob-edit" | "oob-delete" }>): Promise<string> {
        const resource = await this.resourceOf(step.key);
        if (!resource) {
            return "skipped (not in state)";
        }
        const id = String(resource.id);
        if (this.deletedOutOfBand.has(id)) {
            return "skipped (already deleted)";
        }
        try {
            if (step.op === "oob-edit") {
                await this.withoutFaults(() => this.ctx.api.patchInstance(id, { name: step.name }));
                return `renamed instance ${id}`;
            }
            await this.withoutFaults(() => this.ctx.api.deleteInstance(id));
            this.deletedOutOfBand.add(id);
            return `deleted instance ${id}`;
        } catch (error) {
            return `failed: ${(error as Error).message}`;
        }
    }

    /**
     * Runs an out-of-band call with the armed faults set aside (they are meant for the provider's requests; an
     * out-of-band call they hit would make the sequence depend on timing), then re-arms them with their counts left.
     */
    private async withoutFaults<T>(call: () => Promise<T>): Promise<T> {
        const armed = await this.ctx.control.faults();
        await this.ctx.control.clearFaults();
        try {
            return await call();
        } finally {
            for (const { id, remaining, ...spec } of armed) {
                if (remaining === null || remaining > 0) {
                    const again = await this.ctx.control.addFault({ ...spec, count: remaining ?? 0 } as FaultSpec);
                    const origin = this.faultOrigins.get(id);
                    if (origin !== undefined) {
                        this.faultOrigins.set(again.id, origin);
                    }
                }
            }
        }
    }

    /** Starts the request-log watch of {@link quiesce} here (earlier runs' requests are not this run's concern). */
    async settle(): Promise<void> {
        this.settledSeq = await emulatorIdle(this.ctx, Number.MAX_SAFE_INTEGER);
    }

    /** Waits until the emulator finished every request (a late commit has landed) before the invariant is checked. */
    async quiesce(): Promise<void> {
        this.settledSeq = await emulatorIdle(this.ctx, this.settledSeq, maxFaultDelayMs * 3 + 10_000);
    }

    /** The invariant; `strict` for the final check (no dangling resource, no unconfirmed duplicate). */
    async check(strict: boolean): Promise<string[]> {
        await this.quiesce();
        const exported = await this.exported();
        const problems: string[] = [];
        const resources = freshdeskResources(exported);
        const instances = new Map((await this.ctx.control.instances()).map((i) => [String(i.id), i]));
        const unconfirmedMarkers = new Set<string>();
        const ids = new Map<string, string>();
        for (const r of resources) {
            const id = String(r.id);
            const label = `${urnName(r.urn)}${r.delete ? " (pending delete)" : ""}`;
            const marker = r.outputs?.createMarker ?? r.inputs?.createMarker;
            if (r.outputs?.unconfirmedCreate === true && typeof marker === "string") {
                unconfirmedMarkers.add(marker);
            }
            if (ids.has(id)) {
                problems.push(`${label} and ${ids.get(id)} both point at instance ${id}`);
            }
            ids.set(id, label);
            const instance = instances.get(id);
            if (!instance) {
                if (strict || !this.deletedOutOfBand.has(id)) {
                    problems.push(`${label} points at instance ${id}, which does not exist (lost)`);
                }
                continue;
            }
            if (instance.elementKey !== "freshdeskv2") {
                problems.push(`${label}: instance ${id} is not freshdeskv2`);
            }
            if (typeof marker !== "string") {
                problems.push(`${label}: no createMarker in state`);
            } else if (!instance.tags.includes(`${markerPrefix}${marker}`)) {
                problems.push(`${label}: instance ${id} does not carry its marker ${markerPrefix}${marker}`);
            }
        }
        for (const instance of await this.stackInstances()) {
            if (ids.has(String(instance.id))) {
                continue;
            }
            const marker = instance.tags.find((t) => t.startsWith(markerPrefix))?.slice(markerPrefix.length);
            if (!strict && marker !== undefined && unconfirmedMarkers.has(marker)) {
                continue;
            }
            const what =
                marker !== undefined && resources.some((r) => r.outputs?.createMarker === marker)
                    ? "duplicate"
                    : "orphan";
            problems.push(
                `${what}: instance ${instance.id} (${instance.name}; ${instance.tags.join(", ")}) is not in state`,
            );
        }
        const pending = exported.deployment?.pending_operations ?? [];
        if (pending.length > 0) {
            problems.push(
                `pending operations left: ${pending.map((op) => `${op.type} ${urnName(op.resource.urn)}`).join(", ")}`,
            );
        }
        return problems;
    }
}
