/**
 * Reliability at the edges of a create (late commits, verified lookups, the operation deadline), through the real CLI against emulator faults:
 *
 * - a POST slower than the client timeout that commits only after the provider looked its nonce up (a late
 *   commit), alone and with a 503 on the retry: exactly one instance after the `up`, at the latest after the next
 *   `refresh`;
 * - a tag search that answers an instance without this create's marker (the `respond` fault): the create fails
 *   naming it, and nothing is created, changed or deleted;
 * - the operation deadline (`cloudelements:operationTimeoutMs`): a create that cannot finish fails in time, naming
 *   the setting;
 * - SIGKILL after the lookup, the late commit landing afterwards: `npm run recover` and one `up` converge on one
 *   instance.
 *
 * Program directories (`tests/fixtures/reliability`) run by the plain CLI. Adoption and refresh edges are the e2e
 * suites' (e2e-adoption, e2e-refresh).
 */
import type { RequestLogEntry } from "../../emulator";
import { runPulumi } from "../helpers/pulumi";
import {
    type CaseStart,
    type ClientTuning,
    captureEmulatorLogs,
    countFaults,
    descendants,
    emulatorIdle,
    exportState,
    isAlive,
    isClean,
    killAll,
    reconcile,
    reliabilityProgram,
    runRecover,
    Summary,
    type SummaryRow,
    startCase,
    startCli,
    Transcript,
    tally,
    tokensOf,
    until,
    useReliability,
} from "../helpers/reliability";
import { describeRequests, freshdeskResources, routeOf } from "../helpers/stacks";

jest.setTimeout(600_000);

/** A client timeout the late commits outlast. */
const tuning: ClientTuning = { timeoutMs: 1_500, maxRetries: 3 };
/** How long a late POST is held before it commits: well past the client timeout and the first lookup. */
const lateMs = 4_500;
/** A hold of the first POST long enough that the provider's retry (after its commit window) comes before the commit. */
const retryBeforeCommitMs = 20_000;

const ctx = useReliability("rel-edges", { beforeClose: () => killAll(started) });
const summary = new Summary("reliability-edges");
const transcript = new Transcript();
const tokens: Record<string, string> = {};
/** Every process a test started (CLI and its plugins), killed at the end if still alive. */
const started: number[] = [];
/** The request log's sequence number up to which the emulator is known to have finished everything. */
let idleSeq = 0;

/** Waits until the emulator finished every request (a held POST has committed); see {@link emulatorIdle}. */
async function idle(): Promise<void> {
    idleSeq = await emulatorIdle(ctx, idleSeq);
}

beforeAll(async () => {});

/** `pulumi <args>` in the program folder; the output joins the transcript. */
async function cli(dir: string, stackName: string, args: string[], label: string) {
    const result = await runPulumi([...args, "--stack", stackName], { cwd: dir, backend: ctx.backend });
    const output = `${result.stdout}${result.stderr}`;
    transcript.add(label, output);
    return { ok: result.code === 0, output };
}

function up(dir: string, stackName: string) {
    return cli(dir, stackName, ["up", "--yes", "--skip-preview"], `${stackName}: up`);
}

function isPost(e: RequestLogEntry): boolean {
    return e.method === "POST" && routeOf(e) === "/instances";
}

/** A provider search by tag (`GET /instances?tags[]=...`): a marker or nonce lookup. */
function isLookup(e: RequestLogEntry): boolean {
    return e.method === "GET" && routeOf(e) === "/instances" && e.query["tags[]"] !== undefined;
}

/** When a logged request started and finished, in ms since the epoch. */
function span(e: RequestLogEntry): { start: number; end: number } {
    const start = Date.parse(e.startedAt);
    return { start, end: start + e.durationMs };
}

/** The stack's state, its reconciliation with the emulator, and the marker of its one resource. */
async function settle(stack: Awaited<ReturnType<typeof reliabilityProgram>>["stack"], tag: string, label: string) {
    await idle();
    const exported = await exportState(stack, ctx.backend, transcript, label);
    return { exported, rec: await reconcile(ctx.control, exported, tag), resources: freshdeskResources(exported) };
}

/** Tallies a case's reconciliation and the faults that fired since `start` (survived only when it ended clean). */
async function finish(row: SummaryRow, rec: Awaited<ReturnType<typeof reconcile>>, start: CaseStart): Promise<void> {
    tally(row, rec);
    await countFaults(row, ctx.control, start, isClean(rec));
    row.seconds += (Date.now() - start.at) / 1000;
}

/**
 * After an `up` that had to fail: nothing in state and no instance of the stack on the emulator; then the next `up`
 * (faults gone) converges to exactly one clean instance, recorded in the summary row.
 */
async function nothingLeftThenNextUpConverges(
    stack: Awaited<ReturnType<typeof reliabilityProgram>>["stack"],
    dir: string,
    tag: string,
    label: string,
    row: SummaryRow,
    t0: CaseStart,
): Promise<void> {
    const { rec, resources } = await settle(stack, tag, `${label}: export after the failed up`);
    expect(resources).toEqual([]);
    expect(rec.emulatorIds).toEqual([]);
    const again = await up(dir, label);
    expect(again.ok).toBe(true);
    const final = (await settle(stack, tag, `${label}: export after the next up`)).rec;
    await finish(row, final, t0);
    expect(isClean(final)).toBe(true);
    expect(final.emulatorIds).toHaveLength(1);
    Object.assign(tokens, await tokensOf(ctx, tag));
}

/**
 * Holds the answer of the next tag search (`delay`: processed at once, answered `holdMs` later) and resolves once
 * that search has reached the emulator (the fault's count is used up on arrival): the provider has looked its create
 * up, found nothing, and waits for the answer. Arm before the `up`.
 */
async function holdLookup(holdMs: number): Promise<() => Promise<void>> {
    const { id } = await ctx.control.addFault({
        kind: "delay",
        method: "GET",
        path: "^/instances$",
        delayMs: holdMs,
        count: 1,
    });
    return async () => {
        const arrived = await until(async () => !(await ctx.control.faults()).some((f) => f.id === id), 60_000, 100);
        if (!arrived) {
            throw new Error("the provider never looked its create up");
        }
    };
}

/**
 * The late-commit case: the first POST is held `lateMs` (the client gives up after 1.5 s, looks its nonce up and
 * finds nothing), then commits. `duringLookup` runs once the first lookup reached the emulator (e.g. to arm a fault for the
 * retry). Ends with exactly one instance after the up, or after the next refresh when the up left the duplicate
 * flagged `unconfirmedCreate`.
 */
async function lateCommit(
    label: string,
    area: string,
    duringLookup?: () => Promise<void>,
    heldMs = lateMs,
): Promise<{ requests: RequestLogEntry[] }> {
    const row = summary.row(area);
    row.cases++;
    const t0 = await startCase(ctx.control);
    const { dir, stack, tag } = await reliabilityProgram(ctx, label, { count: 1, tuning });
    await ctx.control.addFault({ kind: "latency", method: "POST", path: "^/instances$", latencyMs: heldMs, count: 1 });
    // Only to act at the right moment: a short hold of the first lookup's answer (still long before the commit).
    const lookupArrived = duringLookup ? await holdLookup(500) : async () => {};
    const mark = await ctx.log.mark();
    const run = startCli(["up", "--yes", "--skip-preview", "--stack", label], dir, ctx.cliEnv());
    started.push(run.pid);
    if (duringLookup) {
        await lookupArrived();
        await duringLookup();
    }
    const exit = await run.exited;
    transcript.add(`${label}: up`, run.output());
    await ctx.control.clearFaults();
    const { rec: afterUp, resources } = await settle(stack, tag, `${label}: export after up`);
    const requests = await ctx.log.since(mark, "provider");

    // The case really happened: the held POST's client left, a lookup ran before it committed.
    const held = requests.filter((e) => isPost(e) && (e.fault ?? "").includes("latency"));
    expect(held).toHaveLength(1);
    expect(held[0].status).toBe(0);
    const firstLookup = requests.find(isLookup);
    expect(firstLookup).toBeDefined();
    expect(span(firstLookup as RequestLogEntry).start).toBeLessThan(span(held[0]).end);

    expect({ code: exit.code, output: exit.code === 0 ? "" : run.output() }).toEqual({ code: 0, output: "" });
    expect(run.output()).not.toMatch(/no instance was created/i);
    expect(resources).toHaveLength(1);
    let final = afterUp;
    if (!isClean(afterUp)) {
        // A duplicate may outlive the up only while the outputs say the create was unconfirmed (docs/reliability.md).
        expect(resources[0].outputs.unconfirmedCreate).toBe(true);
        const refreshed = await cli(dir, label, ["refresh", "--yes", "--skip-preview"], `${label}: refresh`);
        expect(refreshed.ok).toBe(true);
        final = (await settle(stack, tag, `${label}: export after refresh`)).rec;
    }
    process.stdout.write(
        `[edges] ${label}: provider requests ${JSON.stringify(describeRequests(requests))}; ` +
            `after the up ${afterUp.emulatorIds.length} instance(s), finally ${final.emulatorIds.length}\n`,
    );
    await finish(row, final, t0);
    expect(final.orphans).toEqual([]);
    expect(final.dangling).toEqual([]);
    expect(final.duplicates).toBe(0);
    expect(final.emulatorIds).toHaveLength(1);
    Object.assign(tokens, await tokensOf(ctx, tag));
    return { requests };
}

test("a POST that commits after the client timed out and looked it up leaves exactly one instance", async () => {
    await lateCommit("late", "late commit: POST slower than the client timeout");
});

test("the same late commit with a 503 on the retry leaves exactly one instance", async () => {
    let armed = false;
    // The first POST is held far longer than the provider's commit window after a timeout (the client timeout,
    // 1.5 s, at most 5 s), so its lookups find nothing and it POSTs again before the commit: the retry meets the 503.
    const { requests } = await lateCommit(
        "late503",
        "late commit + 503 on the retry",
        async () => {
            await ctx.control.addFault({ kind: "status", status: 503, method: "POST", path: "^/instances$", count: 1 });
            armed = true;
        },
        retryBeforeCommitMs,
    );
    expect(armed).toBe(true);
    const retries = requests.filter(isPost).slice(1);
    expect(retries.map((e) => e.status)[0]).toBe(503);
});

test("a tag search answering an instance without this create's marker fails naming it and touches nothing", async () => {
    const row = summary.row("lookup answers an unverified instance");
    row.cases++;
    const t0 = await startCase(ctx.control);
    const label = "unverified";
    const { dir, stack, tag } = await reliabilityProgram(ctx, label, { count: 1, tuning });
    // Someone else's instance, as a search looser than an exact tag match could return it.
    const [account] = ctx.accounts.freshdesk;
    const foreignTag = `${tag}-foreign`;
    const foreign = await ctx.api.createInstance({
        name: "someone-elses",
        subdomain: account.subdomain,
        apiKey: account.apiKeys[0],
        tags: [foreignTag],
    });
    const foreignBefore = (await ctx.control.instances()).find((i) => i.id === Number(foreign.id));
    Object.assign(tokens, await tokensOf(ctx, foreignTag));

    // The POST's connection resets (ambiguous: nothing committed), and every tag search answers the foreign one.
    await ctx.control.addFault({ kind: "reset", method: "POST", path: "^/instances$", count: 1 });
    await ctx.control.addFault({
        kind: "respond",
        method: "GET",
        path: "^/instances$",
        status: 200,
        body: JSON.stringify([foreign]),
        count: 0,
    });
    const mark = await ctx.log.mark();
    const result = await up(dir, label);
    await ctx.control.clearFaults();
    const requests = await ctx.log.since(mark, "provider");

    expect(requests.some((e) => isLookup(e) && (e.fault ?? "").includes("respond"))).toBe(true);
    expect(result.ok).toBe(false);
    expect(result.output).toContain(String(foreign.id));
    // Nothing kept, changed or deleted; no second POST.
    expect(requests.filter((e) => ["PUT", "PATCH", "DELETE"].includes(e.method))).toEqual([]);
    expect(requests.filter(isPost)).toHaveLength(1);
    expect((await ctx.control.instances()).find((i) => i.id === Number(foreign.id))).toEqual(foreignBefore);
    // Once the search answers honestly, the next up creates the instance.
    await nothingLeftThenNextUpConverges(stack, dir, tag, label, row, t0);
});

test("the operation deadline ends a create that cannot finish, naming cloudelements:operationTimeoutMs", async () => {
    const row = summary.row("operation deadline");
    row.cases++;
    const t0 = await startCase(ctx.control);
    const label = "deadline";
    const deadlineMs = 3_000;
    const { dir, stack, tag } = await reliabilityProgram(ctx, label, {
        count: 1,
        tuning: { ...tuning, maxRetries: 2, operationTimeoutMs: deadlineMs },
    });
    // Every POST is rate limited with a Retry-After far beyond the deadline: nothing is created, and only the
    // deadline can end the operation early (2 retries x 60 s otherwise).
    await ctx.control.addFault({
        kind: "status",
        status: 429,
        retryAfterSeconds: 60,
        method: "POST",
        path: "^/instances$",
        count: 0,
    });
    const mark = await ctx.log.mark();
    const upStart = Date.now();
    const result = await up(dir, label);
    const seconds = (Date.now() - upStart) / 1000;
    await ctx.control.clearFaults();
    const requests = await ctx.log.since(mark, "provider");

    expect(result.ok).toBe(false);
    expect(result.output).toContain("cloudelements:operationTimeoutMs");
    // The provider's requests all fit in the deadline (plus one request's slack), and the whole up stayed short.
    const spans = requests.map(span);
    const first = Math.min(...spans.map((s) => s.start));
    const last = Math.max(...spans.map((s) => s.end));
    expect(last - first).toBeLessThan(deadlineMs + 1_000);
    expect(seconds).toBeLessThan(60);
    await nothingLeftThenNextUpConverges(stack, dir, tag, label, row, t0);
});

test("SIGKILL after the lookup, the POST committing afterwards: recover and one up leave exactly one instance", async () => {
    const row = summary.row("late commit: SIGKILL after the lookup + recover");
    row.cases++;
    const t0 = await startCase(ctx.control);
    const label = "killlookup";
    const { dir, stack, tag } = await reliabilityProgram(ctx, label, { count: 1, tuning });
    await ctx.control.addFault({ kind: "latency", method: "POST", path: "^/instances$", latencyMs: lateMs, count: 1 });
    const lookupArrived = await holdLookup(lateMs + 5_000);
    const mark = await ctx.log.mark();
    const run = startCli(["up", "--yes", "--skip-preview", "--stack", label], dir, ctx.cliEnv());
    started.push(run.pid);
    // The provider timed out and looked the create up; the search found nothing (the POST is still held) and its
    // answer is held too: kill everything now, before the provider can act on it.
    await lookupArrived();
    const tree = descendants(run.pid);
    started.push(...tree);
    process.kill(run.pid, "SIGKILL");
    killAll(tree);
    await run.exited;
    transcript.add(`${label}: up until SIGKILL`, run.output());
    expect(await until(() => tree.every((pid) => !isAlive(pid)), 10_000)).toBe(true);
    await ctx.control.clearFaults();

    // The held POST commits with nobody left to record it: the state has a pending create, the instance exists.
    await idle();
    const held = (await ctx.log.since(mark, "provider")).filter(isPost);
    expect(held.length).toBeGreaterThanOrEqual(1);
    const interrupted = await exportState(stack, ctx.backend, transcript, `${label}: export after SIGKILL`);
    expect((interrupted.deployment.pending_operations ?? []).map((op) => op.type)).toEqual(["creating"]);
    expect((await reconcile(ctx.control, interrupted, tag)).orphans).toHaveLength(1);

    const recovered = await runRecover(ctx, dir, label, transcript);
    expect(recovered.output).toContain("done: 1 instance(s) recorded");
    expect(recovered.code).toBe(0);
    const upMark = await ctx.log.mark();
    const next = await up(dir, label);
    expect(next.ok).toBe(true);
    expect((await ctx.log.since(upMark, "provider")).filter(isPost)).toEqual([]);
    const final = (await settle(stack, tag, `${label}: export after up`)).rec;
    await finish(row, final, t0);
    expect(isClean(final)).toBe(true);
    expect(final.emulatorIds).toHaveLength(1);
    Object.assign(tokens, await tokensOf(ctx, tag));
});

test("a POST committing after the client timeout: the preview shows the settling update, one plain up leaves one instance, the next up calls nothing", async () => {
    const label = "settle";
    const { dir, stack, tag } = await reliabilityProgram(ctx, label, { count: 1, tuning });
    // Held past the client timeout, the lookups and the retry's answer: the up ends before it commits.
    await ctx.control.addFault({
        kind: "delay",
        method: "POST",
        path: "^/instances$",
        delayMs: 3 * lateMs,
        commit: "after",
        count: 1,
    });
    const first = await up(dir, label);
    expect(first.ok).toBe(true);
    await ctx.control.clearFaults();
    const afterUp = await settle(stack, tag, `${label}: export after the up`);
    // The late commit landed after the up: a duplicate, and the state says the create is unconfirmed.
    expect(afterUp.rec.emulatorIds).toHaveLength(2);
    expect(afterUp.resources).toHaveLength(1);
    expect(afterUp.resources[0].outputs).toMatchObject({ unconfirmedCreate: true, unconfirmedCreatePending: 1 });

    const preview = await cli(dir, label, ["preview", "--diff"], `${label}: preview --diff`);
    expect(preview.ok).toBe(true);
    expect(preview.output).toMatch(/~ 1 to update/);
    expect(preview.output).toMatch(/FreshdeskInstance: \(update\)/);

    const mark = await ctx.log.mark();
    const settling = await up(dir, label);
    expect(settling.ok).toBe(true);
    const requests = describeRequests(await ctx.log.since(mark, "provider"));
    const [kept] = afterUp.resources.map((r) => r.id);
    const [duplicate] = afterUp.rec.emulatorIds.filter((id) => String(id) !== kept);
    expect(requests).toEqual([
        expect.stringMatching(/^GET \/instances\?.* 200$/),
        `DELETE /instances/${duplicate} 200`,
        `PATCH /instances/${kept} 200`,
    ]);
    const final = await settle(stack, tag, `${label}: export after the settling up`);
    expect(final.rec.emulatorIds.map(String)).toEqual([kept]);
    expect(isClean(final.rec)).toBe(true);
    expect(final.resources.map((r) => r.id)).toEqual([kept]);
    expect(final.resources[0].outputs.unconfirmedCreate).toBeUndefined();
    const [live] = (await ctx.control.instances()).filter((i) => String(i.id) === kept);
    expect(live.tags).toContain(`pulumi-marker:${final.resources[0].outputs.createMarker}`);

    const quiet = await ctx.log.mark();
    const again = await up(dir, label);
    expect(again.ok).toBe(true);
    expect(describeRequests(await ctx.log.since(quiet, "provider"))).toEqual([]);
    Object.assign(tokens, await tokensOf(ctx, tag));
});

test("summary: one instance per resource in every case, no secret in any output", async () => {
    await captureEmulatorLogs(ctx, transcript);
    const leaks = transcript.findSecrets({ ...ctx.knownSecrets(), ...tokens });
    summary.row("late commit: POST slower than the client timeout").secretsFound += leaks.length;
    summary.publish();
    expect(leaks).toEqual([]);
    expect(summary.all().length).toBeGreaterThan(0);
    for (const row of summary.all()) {
        expect(row.faultsSurvived).toBe(row.faultsInjected);
        expect(row.orphaned).toBe(0);
        expect(row.duplicated).toBe(0);
        expect(row.lost).toBe(0);
    }
});
