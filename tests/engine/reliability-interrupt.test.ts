/**
 * Reliability, interruption: the CLI killed with SIGKILL while 20 creates are in flight, then the documented
 * recovery (`npm run recover`, i.e. `node bin/cli/recover.js`) and one `pulumi up`, after which every instance is
 * managed exactly once; Ctrl-C (SIGINT) in the middle of an `up`, after which one more `up` converges; and the
 * engine behaviour that makes the recovery command necessary (`refresh --import-pending-creates` drops the pending
 * create in v3.276).
 *
 * The interrupted runs are program directories (`tests/fixtures/reliability`) run by the plain CLI, as a user would,
 * so the test has the CLI's pid. Latency on POST keeps the creates in flight while the signal arrives. No fixed
 * sleep: each signal is sent once the emulator has received every POST the latency fault was armed for (the fault's
 * count is used up on arrival), and everything after it waits on the request log, the state or process exits.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { RequestLogEntry } from "../../emulator";
import { FreshdeskInstance } from "../../provider";
import { pulumiBinDir, runPulumi, runStackCommand } from "../helpers/pulumi";
import {
    attempt,
    captureEmulatorLogs,
    commandLine,
    countFaults,
    descendants,
    exportState,
    isAlive,
    isClean,
    killAll,
    type RunningCli,
    reconcile,
    reliabilityProgram,
    runRecover,
    Summary,
    startCase,
    startCli,
    Transcript,
    tally,
    tokensOf,
    until,
    useReliability,
} from "../helpers/reliability";
import { freshdeskResources, freshdeskType, inlineStack, routeOf } from "../helpers/stacks";

jest.setTimeout(600_000);

const ctx = useReliability("rel-interrupt", { beforeClose: () => killAll(started) });
const summary = new Summary("reliability-interrupt");
const transcript = new Transcript();
const tokens: Record<string, string> = {};
/** Every process a test started (CLI and its plugins), killed at the end if still alive. */
const started: number[] = [];

beforeAll(async () => {});

/** A copy of the reliability program with its own stack (2 retries), configured for this emulator. */
function programWithStack(label: string, config: { count: number; dependents?: number }) {
    return reliabilityProgram(ctx, label, config);
}

/** Resource names the CLI reported as `creating` so far. */
function creating(output: string, prefix: string): Set<string> {
    return new Set(
        [...output.matchAll(new RegExp(`FreshdeskInstance\\s+(${prefix}-\\d+)\\s+creating`, "g"))].map((m) => m[1]),
    );
}

/**
 * `pulumi up` with room for every create at once: the CLI's default `--parallel` is 4 per CPU (8 on a 2-core
 * machine), which would queue the creates behind each other.
 */
function startUp(dir: string, stackName: string): RunningCli {
    const run = startCli(
        ["up", "--yes", "--skip-preview", "--parallel", "32", "--stack", stackName],
        dir,
        ctx.cliEnv(),
    );
    started.push(run.pid);
    return run;
}

/** Runs the recovery command as `npm run recover -- --stack <s> --cwd <dir>` runs it. */
function recover(dir: string, stackName: string): Promise<{ code: number; output: string }> {
    return runRecover(ctx, dir, stackName, transcript);
}

/**
 * Resolves once the emulator has received every request a `latency` fault was armed for (its count is used up on
 * arrival, so the fault disappears from the control API): the requests are then held in the emulator, in flight.
 */
async function allArrived(faultId: string, timeoutMs = 60_000): Promise<void> {
    const arrived = await until(async () => !(await ctx.control.faults()).some((f) => f.id === faultId), timeoutMs);
    if (!arrived) {
        throw new Error(`the requests of fault ${faultId} did not all reach the emulator in ${timeoutMs} ms`);
    }
}

function postsIn(entries: RequestLogEntry[]): RequestLogEntry[] {
    return entries.filter((e) => e.method === "POST" && routeOf(e) === "/instances");
}

test("SIGKILL while 20 creates are in flight: recover, then one up, leaves every instance managed exactly once", async () => {
    const row = summary.row("interruption: SIGKILL + recover");
    row.cases++;
    const t0 = await startCase(ctx.control);
    const { dir, stack, tag } = await programWithStack("kill", { count: 20 });

    // Every create waits 6 s in the emulator before it is processed; the first 4 are then refused with a 503
    // (nothing created). Killed in the meantime, 16 creates commit with nobody to record them, 4 never happen.
    const latency = await ctx.control.addFault({
        kind: "latency",
        method: "POST",
        path: "^/instances$",
        latencyMs: 6_000,
        count: 20,
    });
    await ctx.control.addFault({ kind: "status", status: 503, method: "POST", path: "^/instances$", count: 4 });
    const mark = await ctx.log.mark();
    const run = startUp(dir, "kill");
    await run.waitFor((out) => creating(out, "inst").size === 20, 180_000);
    // Kill only once all 20 POSTs are in the emulator (held by the latency), not when the engine reports them.
    await allArrived(latency.id);
    const tree = descendants(run.pid);
    started.push(...tree);
    const killedAt = Date.now();
    process.kill(run.pid, "SIGKILL");
    expect((await run.exited).signal).toBe("SIGKILL");
    transcript.add("kill: up output until SIGKILL", run.output());

    // Observed engine behaviour: the dynamic-provider plugin runs in its own process group and outlives the CLI,
    // still holding the in-flight creates. The recovery refuses to run while it lives.
    const providers = tree.filter((pid) => (commandLine(pid) ?? "").includes("dynamic-provider"));
    expect(providers.length).toBeGreaterThan(0);
    const orphansAlive = providers.filter(isAlive);
    process.stdout.write(
        `[reliability] after SIGKILL of pulumi (pid ${run.pid}): ${orphansAlive.length} of ${providers.length} ` +
            `dynamic-provider process(es) still alive (pid ${orphansAlive.join(", ")})\n`,
    );
    if (orphansAlive.length > 0) {
        const refused = await recover(dir, "kill");
        expect(refused.code).toBe(2);
        expect(refused.output).toContain("still running");
    }
    // Documented step: stop what is left of the interrupted run (here: the processes this test started).
    killAll(tree);
    expect(await until(() => tree.every((pid) => !isAlive(pid)), 10_000)).toBe(true);

    // The 20 POSTs were in the emulator when the CLI died; let them finish.
    expect(await until(async () => postsIn(await ctx.log.since(mark)).length >= 20, 30_000)).toBe(true);
    const posts = postsIn(await ctx.log.since(mark));
    const inFlight = posts.filter((e) => {
        const start = Date.parse(e.startedAt);
        return start <= killedAt && start + e.durationMs >= killedAt;
    });
    expect(inFlight).toHaveLength(20);
    // Nobody was left to read the answers (logged as status 0); 16 committed, the 4 refused ones did not.
    expect(posts.every((e) => e.status === 0)).toBe(true);
    expect((await ctx.control.instances()).filter((i) => i.tags.includes(tag))).toHaveLength(16);
    await ctx.control.clearFaults();

    // What the engine recorded: 20 pending creates whose inputs hold the marker, no resource, and a stale lock.
    const interrupted = await exportState(stack, ctx.backend, transcript, "kill: export after SIGKILL");
    const pending = interrupted.deployment.pending_operations ?? [];
    expect(pending.map((op) => op.type)).toEqual(Array(20).fill("creating"));
    expect(pending.every((op) => op.resource.type === freshdeskType)).toBe(true);
    expect(pending.every((op) => typeof op.resource.inputs?.createMarker === "string")).toBe(true);
    expect(freshdeskResources(interrupted)).toHaveLength(0);
    const lockDir = path.join(ctx.backend.dir, "state", ".pulumi", "locks");
    expect(fs.readdirSync(lockDir, { recursive: true }).some((f) => String(f).endsWith(".json"))).toBe(true);
    const before = await reconcile(ctx.control, interrupted, tag);
    expect(before.orphans).toHaveLength(16);

    // A duplicate of one of them, as a retried POST whose first answer was lost would leave it: same name, same
    // marker. The recovery must keep exactly one instance per resource.
    const markers = new Map(
        pending.map((op) => [op.resource.inputs?.name as string, op.resource.inputs?.createMarker as string]),
    );
    const [original] = before.orphans;
    const [account] = ctx.accounts.freshdesk;
    const duplicate = await ctx.api.createInstance({
        name: original.name,
        subdomain: account.subdomain,
        apiKey: account.apiKeys[0],
        tags: [tag, `pulumi-marker:${markers.get(original.name)}`],
    });
    expect((await reconcile(ctx.control, interrupted, tag)).duplicates).toBe(1);

    // Without recovery, the engine only warns: the next up would create all 20 again (16 duplicates).
    const preview = await runPulumi(["preview", "--stack", "kill"], { cwd: dir, backend: ctx.backend });
    transcript.add("kill: preview before recover", `${preview.stdout}${preview.stderr}`);
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(/20 to create/);

    // The recovery: 16 recorded, 4 cleared, the duplicate deleted.
    const recoverMark = await ctx.log.mark();
    const recovered = await recover(dir, "kill");
    expect(recovered.output).toContain("removing the stale lock");
    expect(recovered.output).toContain(
        "done: 16 instance(s) recorded, 4 pending create(s) cleared (never created), 1 duplicate(s) deleted",
    );
    expect(recovered.code).toBe(0);
    // Lookups, and the one DELETE of the duplicate (the later of the two ids); nothing created or changed.
    const recoverRequests = await ctx.log.since(recoverMark);
    expect(recoverRequests.filter((e) => e.method !== "GET").map((e) => `${e.method} ${routeOf(e)}`)).toEqual([
        `DELETE /instances/${Math.max(original.id, Number(duplicate.id))}`,
    ]);
    const afterRecover = await exportState(stack, ctx.backend, transcript, "kill: export after recover");
    expect(afterRecover.deployment.pending_operations ?? []).toEqual([]);
    expect(freshdeskResources(afterRecover)).toHaveLength(16);
    // The refresh read every recorded instance: full outputs, the token secret.
    for (const resource of freshdeskResources(afterRecover)) {
        expect(resource.outputs.instanceId).toBe(Number(resource.id));
        expect(resource.outputs.token?.["4dabf18193072939515e22adb298388d"]).toBe("1b47061264138c4ac30d75fd1eb44270");
    }
    const recRecovered = await reconcile(ctx.control, afterRecover, tag);
    expect(recRecovered.orphans).toEqual([]);
    expect(recRecovered.dangling).toEqual([]);

    // The next up creates only the 4 that never existed, and changes nothing else.
    const upMark = await ctx.log.mark();
    const up = await attempt((io) => runStackCommand(stack, "up", io));
    transcript.add("kill: up after recover", up.output);
    expect(up.ok).toBe(true);
    const upRequests = await ctx.log.since(upMark, "provider");
    expect(postsIn(upRequests)).toHaveLength(4);
    expect(upRequests.filter((e) => e.method === "PATCH" || e.method === "DELETE")).toEqual([]);
    const final = await reconcile(
        ctx.control,
        await exportState(stack, ctx.backend, transcript, "kill: export after up"),
        tag,
    );
    tally(row, final);
    expect(isClean(final)).toBe(true);
    expect(final.stateIds).toHaveLength(20);
    expect(final.emulatorIds).toEqual(final.stateIds);

    Object.assign(tokens, await tokensOf(ctx, tag));
    const destroyed = await attempt((io) => runStackCommand(stack, "destroy", io));
    transcript.add("kill: destroy", destroyed.output);
    expect(destroyed.ok).toBe(true);
    expect((await reconcile(ctx.control, await exportState(stack, ctx.backend), tag)).emulatorIds).toEqual([]);
    await countFaults(row, ctx.control, t0, isClean(final));
    row.seconds += (Date.now() - t0.at) / 1000;
});

test("SIGKILL during a replacement's create: recover keeps the new instance, the next up deletes the old one", async () => {
    const row = summary.row("interruption: SIGKILL in a replacement + recover");
    row.cases++;
    const t0 = await startCase(ctx.control);
    const { dir, stack, tag } = await programWithStack("replace", { count: 1 });
    const first = await attempt((io) => runStackCommand(stack, "up", io));
    transcript.add("replace: first up", first.output);
    expect(first.ok).toBe(true);
    const [old] = freshdeskResources(await exportState(stack, ctx.backend));

    // Another Freshdesk account: the subdomain replaces the instance (the new one is created first).
    const [, other] = ctx.accounts.freshdesk;
    await stack.setAllConfig({
        "reliability:subdomain": { value: other.subdomain },
        "reliability:apiKey": { value: other.apiKeys[0], secret: true },
    });
    const latency = await ctx.control.addFault({
        kind: "latency",
        method: "POST",
        path: "^/instances$",
        latencyMs: 6_000,
        count: 1,
    });
    const run = startUp(dir, "replace");
    await run.waitFor((out) => /inst-0\s+creating replacement/.test(out), 180_000);
    await allArrived(latency.id);
    const tree = descendants(run.pid);
    started.push(...tree);
    process.kill(run.pid, "SIGKILL");
    await run.exited;
    transcript.add("replace: up output until SIGKILL", run.output());
    killAll(tree);
    expect(
        await until(
            async () => (await ctx.control.instances()).filter((i) => i.tags.includes(tag)).length === 2,
            30_000,
        ),
    ).toBe(true);
    await ctx.control.clearFaults();

    const interrupted = await exportState(stack, ctx.backend, transcript, "replace: export after SIGKILL");
    expect((interrupted.deployment.pending_operations ?? []).map((op) => op.type)).toEqual(["creating"]);
    expect(freshdeskResources(interrupted).map((r) => r.id)).toEqual([old.id]);

    const recovered = await recover(dir, "replace");
    expect(recovered.output).toContain("done: 1 instance(s) recorded, 0 pending create(s) cleared");
    expect(recovered.code).toBe(0);
    const after = await exportState(stack, ctx.backend, transcript, "replace: export after recover");
    const states = freshdeskResources(after);
    // The old instance is now the one pending deletion, as after a completed create of a replacement.
    expect(states.filter((r) => r.delete).map((r) => r.id)).toEqual([old.id]);
    const live = states.filter((r) => !r.delete);
    expect(live).toHaveLength(1);
    expect(live[0].outputs.subdomain).toBe(other.subdomain);

    const upMark = await ctx.log.mark();
    const up = await attempt((io) => runStackCommand(stack, "up", io));
    transcript.add("replace: up after recover", up.output);
    expect(up.ok).toBe(true);
    const requests = (await ctx.log.since(upMark, "provider")).filter((e) => e.method !== "GET");
    expect(requests.map((e) => `${e.method} ${routeOf(e)}`)).toEqual([`DELETE /instances/${old.id}`]);
    const final = await reconcile(
        ctx.control,
        await exportState(stack, ctx.backend, transcript, "replace: export after up"),
        tag,
    );
    tally(row, final);
    expect(isClean(final)).toBe(true);
    expect(final.stateIds).toEqual([String(live[0].id)]);

    Object.assign(tokens, await tokensOf(ctx, tag));
    const destroyed = await attempt((io) => runStackCommand(stack, "destroy", io));
    transcript.add("replace: destroy", destroyed.output);
    expect(destroyed.ok).toBe(true);
    await countFaults(row, ctx.control, t0, isClean(final));
    row.seconds += (Date.now() - t0.at) / 1000;
});

test("SIGINT mid-up: in-flight creates finish and are recorded, nothing new starts, one more up converges", async () => {
    const row = summary.row("interruption: SIGINT");
    row.cases++;
    const t0 = await startCase(ctx.control);
    const { dir, stack, tag } = await programWithStack("int", { count: 6, dependents: 6 });
    const latencyMs = 5_000;
    const latency = await ctx.control.addFault({
        kind: "latency",
        method: "POST",
        path: "^/instances$",
        latencyMs,
        count: 6,
    });
    const mark = await ctx.log.mark();
    const run = startUp(dir, "int");
    await run.waitFor((out) => creating(out, "inst").size === 6, 180_000);
    // Interrupt while the 6 POSTs are held in the emulator.
    await allArrived(latency.id);
    started.push(...descendants(run.pid));
    const interruptedAt = Date.now();
    process.kill(run.pid, "SIGINT");
    const exit = await run.exited;
    const secondsToExit = (Date.now() - interruptedAt) / 1000;
    transcript.add("int: up output", run.output());
    await ctx.control.clearFaults();

    // The engine says it is cancelling, waits for the in-flight creates, and exits with an error.
    expect(run.output()).toContain("^C received; cancelling");
    expect(run.output()).toMatch(/update canceled/);
    expect(exit.code).not.toBe(0);
    expect(secondsToExit).toBeLessThan(latencyMs / 1000 + 20);
    // All 6 in-flight creates were recorded; none of the dependents was started.
    const exported = await exportState(stack, ctx.backend, transcript, "int: export after SIGINT");
    expect(exported.deployment.pending_operations ?? []).toEqual([]);
    const names = freshdeskResources(exported).map((r) => r.urn.split("::").pop());
    expect(names.sort()).toEqual(Array.from({ length: 6 }, (_, i) => `inst-${i}`).sort());
    expect(postsIn(await ctx.log.since(mark))).toHaveLength(6);
    const rec = await reconcile(ctx.control, exported, tag);
    expect(isClean(rec)).toBe(true);

    // No lock is left behind: the next up runs as is and creates the 6 dependents only.
    const upMark = await ctx.log.mark();
    const up = await attempt((io) => runStackCommand(stack, "up", io));
    transcript.add("int: up after SIGINT", up.output);
    expect(up.ok).toBe(true);
    expect(postsIn(await ctx.log.since(upMark, "provider"))).toHaveLength(6);
    const final = await reconcile(
        ctx.control,
        await exportState(stack, ctx.backend, transcript, "int: export after up"),
        tag,
    );
    tally(row, final);
    expect(isClean(final)).toBe(true);
    expect(final.stateIds).toHaveLength(12);

    Object.assign(tokens, await tokensOf(ctx, tag));
    const destroyed = await attempt((io) => runStackCommand(stack, "destroy", io));
    transcript.add("int: destroy", destroyed.output);
    expect(destroyed.ok).toBe(true);
    await countFaults(row, ctx.control, t0, isClean(final));
    row.seconds += (Date.now() - t0.at) / 1000;
});

test("engine v3.276: refresh --import-pending-creates drops the pending create instead of importing it", async () => {
    // Why recover edits the state itself. A pending create whose instance exists, made by turning a created
    // resource back into a pending create (the same JSON an interrupted create leaves).
    const tag = "rel-import-flag";
    const [account] = ctx.accounts.freshdesk;
    const stack = ctx.track(
        await inlineStack({
            backend: ctx.backend,
            projectName: "reliability-import-flag",
            stackName: "dev",
            program: async () => {
                new FreshdeskInstance("only", {
                    subdomain: account.subdomain,
                    apiKey: account.apiKeys[0],
                    name: tag,
                    tags: [tag],
                });
                return {};
            },
        }),
    );
    await stack.setAllConfig(ctx.connectionConfig());
    expect((await attempt((io) => runStackCommand(stack, "up", io))).ok).toBe(true);
    const exported = await exportState(stack, ctx.backend);
    const [resource] = freshdeskResources(exported);
    const id = String(resource.id);
    exported.deployment.resources = exported.deployment.resources?.filter((r) => r.urn !== resource.urn);
    const { id: _id, outputs: _outputs, ...pendingResource } = resource;
    exported.deployment.pending_operations = [{ resource: pendingResource, type: "creating" }];
    await stack.importStack(exported);

    const workDir = stack.workspace.workDir;
    const refreshed = await new Promise<{ code: number; output: string }>((resolve) => {
        execFile(
            path.join(pulumiBinDir(), "pulumi"),
            [
                "refresh",
                "--yes",
                "--skip-preview",
                "--non-interactive",
                "--stack",
                "dev",
                "--import-pending-creates",
                resource.urn,
                "--import-pending-creates",
                id,
            ],
            { cwd: workDir, env: ctx.cliEnv() },
            (error, stdout, stderr) =>
                resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
        );
    });
    transcript.add("import-flag: refresh output", refreshed.output);
    expect(refreshed.code).toBe(0);
    const after = await exportState(stack, ctx.backend, transcript, "import-flag: export");
    // The refresh succeeds, yet the resource is not in state and nothing is pending: the instance is orphaned.
    expect(freshdeskResources(after)).toEqual([]);
    expect(after.deployment.pending_operations ?? []).toEqual([]);
    const rec = await reconcile(ctx.control, after, tag);
    expect(rec.orphans.map((o) => String(o.id))).toEqual([id]);
    // Clean up by hand (this orphan is the engine's doing, and is what recover exists to prevent).
    Object.assign(tokens, await tokensOf(ctx, tag));
    await ctx.api.deleteInstance(id);
    expect((await reconcile(ctx.control, after, tag)).emulatorIds).toEqual([]);
});

test("summary: nothing orphaned or duplicated after recovery, no secret in any output", async () => {
    await captureEmulatorLogs(ctx, transcript);
    const leaks = transcript.findSecrets({ ...ctx.knownSecrets(), ...tokens });
    summary.row("interruption: SIGKILL + recover").secretsFound += leaks.length;
    summary.publish();
    expect(leaks).toEqual([]);
    for (const row of summary.all()) {
        expect(row.faultsSurvived).toBe(row.faultsInjected);
        expect(row.faultsInjected).toBeGreaterThan(0);
        expect(row.orphaned).toBe(0);
        expect(row.duplicated).toBe(0);
        expect(row.lost).toBe(0);
    }
});
