/**
 * Reliability, fault matrix: create, update, read (refresh) and delete of `FreshdeskInstance` through the real CLI,
 * each under 429 bursts with Retry-After (shorter and longer than the retry budget), 500/502/503 bursts, a longer
 * 503 outage, connection resets, an answer slower than the client timeout, and (create) a commit whose answer never
 * arrives. Transient faults must be absorbed within one operation; the longer-than-budget ones must fail with a
 * clear message, and the next operation after the fault clears must converge. After every case the emulator's
 * instances equal the stack's resources: no orphan, no duplicate, nothing dangling, nothing pending.
 *
 * One stack per operation, reused across its cases; the retry budget is kept small through config
 * (`cloudelements:maxRetries` 2, i.e. three attempts) so the whole matrix takes a few minutes.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import type { FaultSpec } from "../../emulator";
import { FreshdeskInstance } from "../../provider";
import {
    cases,
    defaultTimeoutMs,
    maxRetries,
    type Operation,
    operations,
    shortTimeoutMs,
    slowAnswerMs,
} from "../helpers/fault-cases";
import { runStackCommand } from "../helpers/pulumi";
import {
    attempt,
    captureEmulatorLogs,
    countFaults,
    exportState,
    faulted,
    isClean,
    type OpResult,
    reconcile,
    Summary,
    startCase,
    Transcript,
    tally,
    tokensOf,
    until,
    useReliability,
} from "../helpers/reliability";
import type { ExportedState, FreshdeskStateResource } from "../helpers/stacks";
import { freshdeskResources, inlineStack, instanceById } from "../helpers/stacks";

jest.setTimeout(600_000);

const method: Record<Operation, string> = { create: "POST", update: "PATCH", read: "GET", delete: "DELETE" };

const ctx = useReliability("rel-faults");
const summary = new Summary("reliability-faults");
const transcript = new Transcript();
const stacks = {} as Record<Operation, Stack>;
/** What each stack's program declares: resource name -> instance name. */
const desired = {} as Record<Operation, Map<string, string>>;

function tagOf(op: Operation): string {
    return `rel-faults-${op}`;
}

function programFor(op: Operation) {
    return async () => {
        const [account] = ctx.accounts.freshdesk;
        for (const [resourceName, instanceName] of desired[op]) {
            new FreshdeskInstance(resourceName, {
                subdomain: account.subdomain,
                apiKey: account.apiKeys[0],
                name: instanceName,
                tags: [tagOf(op)],
            });
        }
        return {};
    };
}

function record(label: string, result: OpResult): OpResult {
    transcript.add(label, result.output);
    return result;
}

async function up(op: Operation, label: string): Promise<OpResult> {
    return record(`${op}: ${label}`, await attempt((io) => runStackCommand(stacks[op], "up", io)));
}

async function refresh(op: Operation, label: string): Promise<OpResult> {
    return record(`${op}: ${label}`, await attempt((io) => runStackCommand(stacks[op], "refresh", io)));
}

/** The last exported state of each stack (refreshed after every operation). */
const lastState = {} as Record<Operation, ExportedState>;

async function exportOf(op: Operation): Promise<ExportedState> {
    lastState[op] = await exportState(stacks[op], ctx.backend, transcript, `${op}: export`);
    return lastState[op];
}

/** A resource (by resource name) of an exported state. */
function resourceIn(exported: ExportedState, resourceName: string): FreshdeskStateResource | undefined {
    return freshdeskResources(exported).find((r) => r.urn.endsWith(`::${resourceName}`));
}

async function expectConverged(op: Operation, exported: ExportedState): Promise<void> {
    const rec = await reconcile(ctx.control, exported, tagOf(op));
    const row = summary.row(`fault matrix: ${op}`);
    tally(row, rec);
    expect({ ...rec, orphans: rec.orphans.map((o) => o.id) }).toEqual({
        ...rec,
        orphans: [],
        duplicates: 0,
        dangling: [],
        pendingOperations: 0,
    });
    expect(isClean(rec)).toBe(true);
    expect(rec.emulatorIds).toEqual(rec.stateIds);
}

beforeAll(async () => {
    for (const op of operations) {
        desired[op] = new Map();
        stacks[op] = ctx.track(
            await inlineStack({
                backend: ctx.backend,
                projectName: `reliability-faults-${op}`,
                stackName: "dev",
                program: programFor(op),
            }),
        );
        await stacks[op].setAllConfig(ctx.connectionConfig({ maxRetries, timeoutMs: defaultTimeoutMs }));
    }
    // update and read work on one existing instance; delete needs one instance per case.
    desired.update.set("target", "rel-update-initial");
    desired.read.set("target", "rel-read-initial");
    cases
        .filter((c) => !c.only || c.only.includes("delete"))
        .forEach((_, i) => {
            desired.delete.set(`victim-${i}`, `rel-delete-${i}`);
        });
    for (const op of ["update", "read", "delete"] as const) {
        const result = await up(op, "setup up");
        if (!result.ok) {
            throw new Error(`setup of the ${op} stack failed:\n${result.output}`);
        }
        await exportOf(op);
    }
});

/**
 * Prepares the desired change of one case, returns the run (one `up` or `refresh`) and the check that the change
 * took effect.
 */
async function prepare(
    op: Operation,
    index: number,
): Promise<{
    path: string;
    run: (label: string) => Promise<OpResult>;
    verify: (exported: ExportedState) => Promise<void>;
}> {
    switch (op) {
        case "create": {
            const resourceName = `new-${index}`;
            const instanceName = `rel-create-${index}`;
            desired.create.set(resourceName, instanceName);
            return {
                path: "^/instances$",
                run: (label) => up(op, label),
                verify: async (exported) => {
                    const res = resourceIn(exported, resourceName);
                    expect(res).toBeDefined();
                    const same = (await ctx.control.instances()).filter((i) => i.name === instanceName);
                    expect(same.map((i) => String(i.id))).toEqual([String(res!.id)]);
                },
            };
        }
        case "update": {
            const instanceName = `rel-update-${index}`;
            desired.update.set("target", instanceName);
            const res = resourceIn(lastState[op], "target");
            return {
                path: `^/instances/${res!.id}$`,
                run: (label) => up(op, label),
                verify: async (exported) => {
                    expect((await instanceById(ctx.control, res!.id))?.name).toBe(instanceName);
                    expect(resourceIn(exported, "target")!.outputs.name).toBe(instanceName);
                },
            };
        }
        case "read": {
            // Drift made out of band, so the refresh has something to pick up.
            const res = resourceIn(lastState[op], "target");
            const drifted = `rel-read-drift-${index}`;
            await ctx.api.patchInstance(res!.id, { name: drifted });
            return {
                path: `^/instances/${res!.id}$`,
                run: (label) => refresh(op, label),
                verify: async (exported) => {
                    expect(resourceIn(exported, "target")!.outputs.name).toBe(drifted);
                },
            };
        }
        case "delete": {
            const resourceName = `victim-${index}`;
            const res = resourceIn(lastState[op], resourceName);
            expect(res).toBeDefined();
            desired.delete.delete(resourceName);
            return {
                path: `^/instances/${res!.id}$`,
                run: (label) => up(op, label),
                verify: async (exported) => {
                    expect(await instanceById(ctx.control, res!.id)).toBeUndefined();
                    expect(resourceIn(exported, resourceName)).toBeUndefined();
                },
            };
        }
    }
}

for (const op of operations) {
    describe(`${op} under faults`, () => {
        cases.forEach((c, index) => {
            if (c.only && !c.only.includes(op)) {
                return;
            }
            test(c.name, async () => {
                const row = summary.row(`fault matrix: ${op}`);
                row.cases++;
                const t0 = await startCase(ctx.control);
                const stack = stacks[op];
                const step = await prepare(op, index);
                const mark = await ctx.log.mark();
                const label = c.name;
                try {
                    if (c.shortTimeout) {
                        await stack.setConfig("cloudelements:timeoutMs", { value: String(shortTimeoutMs) });
                    }
                    await ctx.control.addFault({ ...c.fault, method: method[op], path: step.path } as FaultSpec);
                    const first = await step.run(label);
                    // A late answer is logged when it is finally sent, possibly after the operation ended.
                    const expected = c.permanent ? 1 + maxRetries : (c.fault.count ?? 1);
                    await until(
                        async () => faulted(await ctx.log.since(mark, "provider")).length >= expected,
                        slowAnswerMs + 5_000,
                    );
                    const hits = faulted(await ctx.log.since(mark, "provider"));
                    if (c.permanent) {
                        expect(first.ok).toBe(false);
                        // One clear line: what failed, the HTTP status, and that retries ran out.
                        expect(first.output).toMatch(
                            new RegExp(`${method[op]} /instances\\S* failed: HTTP ${c.permanent.status}`),
                        );
                        // The budget bounds the attempts: 1 + maxRetries, never more.
                        expect(hits).toHaveLength(expected);
                        await ctx.control.clearFaults();
                        const second = await step.run(`${label} (after the fault cleared)`);
                        expect(second.output).not.toMatch(/error:/);
                        expect(second.ok).toBe(true);
                    } else {
                        expect(first.output).not.toMatch(/error:/);
                        expect(first.ok).toBe(true);
                        // The fault really hit the operation, as often as armed.
                        expect(hits).toHaveLength(expected);
                    }
                } finally {
                    await ctx.control.clearFaults();
                    if (c.shortTimeout) {
                        await stack.setConfig("cloudelements:timeoutMs", { value: String(defaultTimeoutMs) });
                    }
                }
                const exported = await exportOf(op);
                await step.verify(exported);
                await expectConverged(op, exported);
                await countFaults(row, ctx.control, t0, true);
                row.seconds += (Date.now() - t0.at) / 1000;
            });
        });
    });
}

/** Tokens of every instance this file created, swept for at the end. */
const tokens: Record<string, string> = {};

test("destroy leaves no instance behind", async () => {
    for (const op of operations) {
        Object.assign(tokens, await tokensOf(ctx, tagOf(op)));
        const result = record(`${op}: destroy`, await attempt((io) => runStackCommand(stacks[op], "destroy", io)));
        expect(result.ok).toBe(true);
        const rec = await reconcile(ctx.control, await exportOf(op), tagOf(op));
        expect(rec.emulatorIds).toEqual([]);
        expect(rec.stateIds).toEqual([]);
    }
});

test("summary: every fault survived, nothing orphaned or duplicated, no secret in any output", async () => {
    await captureEmulatorLogs(ctx, transcript);
    const leaks = transcript.findSecrets({ ...ctx.knownSecrets(), ...tokens });
    for (const leak of leaks) {
        // Each operation's CLI output and exports are labelled with it; the emulator's logs count under create.
        const op = operations.find((o) => leak.source.startsWith(`${o}:`)) ?? "create";
        summary.row(`fault matrix: ${op}`).secretsFound++;
    }
    summary.publish();
    expect(leaks).toEqual([]);
    for (const row of summary.all()) {
        expect(row.faultsSurvived).toBe(row.faultsInjected);
        expect(row.faultsInjected).toBeGreaterThan(0);
        expect(row.faultsUnreached).toBe(0);
        expect(row.lost).toBe(0);
        expect(row.orphaned).toBe(0);
        expect(row.duplicated).toBe(0);
    }
    expect(summary.all().reduce((n, r) => n + r.cases, 0)).toBe(
        operations.reduce((n, op) => n + cases.filter((c) => !c.only || c.only.includes(op)).length, 0),
    );
});
