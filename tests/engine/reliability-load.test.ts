/**
 * Reliability, load: 50 instances in one `up` against an emulator that admits 10 requests per second (beyond that
 * it answers 429 with `Retry-After: 1`), every create started at once (`--parallel 50`), with the provider's default
 * retry settings. All 50 must be created with no failure and no duplicate; then `destroy`, under the same limit,
 * must remove all 50.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { FreshdeskInstance } from "../../provider";
import { runStackCommand } from "../helpers/pulumi";
import {
    attempt,
    captureEmulatorLogs,
    countFaults,
    exportState,
    faulted,
    isClean,
    reconcile,
    Summary,
    startCase,
    Transcript,
    tally,
    tokensOf,
    useReliability,
} from "../helpers/reliability";
import { inlineStack, routeOf } from "../helpers/stacks";

jest.setTimeout(600_000);

const instances = 50;
const requestsPerSecond = 10;
const tag = "rel-load";

const ctx = useReliability("rel-load");
let stack: Stack;
const summary = new Summary("reliability-load");
const transcript = new Transcript();
const tokens: Record<string, string> = {};

beforeAll(async () => {
    const [account] = ctx.accounts.freshdesk;
    stack = ctx.track(
        await inlineStack({
            backend: ctx.backend,
            projectName: "reliability-load",
            stackName: "dev",
            program: async () => {
                for (let i = 0; i < instances; i++) {
                    new FreshdeskInstance(`load-${i}`, {
                        subdomain: account.subdomain,
                        apiKey: account.apiKeys[0],
                        name: `${tag}-${i}`,
                        tags: [tag],
                    });
                }
                return {};
            },
        }),
    );
    // Default timeout and retries: the limit must be absorbed without tuning.
    await stack.setAllConfig(ctx.connectionConfig());
});

test(`up creates ${instances} instances at ${requestsPerSecond} requests/s: no failure, no duplicate`, async () => {
    const row = summary.row(`load: ${instances} creates at ${requestsPerSecond} req/s`);
    row.cases++;
    const t0 = await startCase(ctx.control);
    await ctx.control.addFault({ kind: "rate-limit", requestsPerSecond, count: 0 });
    const mark = await ctx.log.mark();
    const up = await attempt((io) => runStackCommand(stack, "up", { ...io, parallel: instances }));
    transcript.add("load: up", up.output);
    row.seconds += up.seconds;
    expect(up.output).not.toMatch(/error:/);
    expect(up.ok).toBe(true);

    const requests = await ctx.log.since(mark, "provider");
    const posts = requests.filter((e) => e.method === "POST" && routeOf(e) === "/instances");
    const limited = faulted(requests, "rate-limit");
    process.stdout.write(
        `[reliability] load up: ${posts.length} POSTs, ${limited.length} answered 429 by the limit, ${up.seconds}s\n`,
    );
    // The limit really bit, and every refused POST was retried until admitted: exactly one success per instance.
    expect(limited.length).toBeGreaterThan(0);
    expect(posts.filter((e) => e.status === 200)).toHaveLength(instances);
    expect(posts.filter((e) => e.status !== 200 && e.status !== 429)).toEqual([]);

    const rec = await reconcile(ctx.control, await exportState(stack, ctx.backend, transcript, "load: export"), tag);
    tally(row, rec);
    expect(isClean(rec)).toBe(true);
    expect(rec.stateIds).toHaveLength(instances);
    expect(rec.emulatorIds).toEqual(rec.stateIds);
    await countFaults(row, ctx.control, t0, true);
    // The tokens, for the secret sweep, read out of band without the limit.
    await ctx.control.clearFaults();
    Object.assign(tokens, await tokensOf(ctx, tag));
});

test(`destroy removes all ${instances} at ${requestsPerSecond} requests/s`, async () => {
    const row = summary.row(`load: ${instances} deletes at ${requestsPerSecond} req/s`);
    row.cases++;
    const t0 = await startCase(ctx.control);
    await ctx.control.addFault({ kind: "rate-limit", requestsPerSecond, count: 0 });
    const mark = await ctx.log.mark();
    const destroy = await attempt((io) => runStackCommand(stack, "destroy", { ...io, parallel: instances }));
    transcript.add("load: destroy", destroy.output);
    row.seconds += destroy.seconds;
    expect(destroy.output).not.toMatch(/error:/);
    expect(destroy.ok).toBe(true);
    const requests = await ctx.log.since(mark, "provider");
    const limited = faulted(requests, "rate-limit");
    process.stdout.write(
        `[reliability] load destroy: ${limited.length} answered 429 by the limit, ${destroy.seconds}s\n`,
    );
    expect(limited.length).toBeGreaterThan(0);
    const rec = await reconcile(ctx.control, await exportState(stack, ctx.backend, transcript, "load: export"), tag);
    tally(row, rec);
    expect(rec.emulatorIds).toEqual([]);
    expect(rec.stateIds).toEqual([]);
    await ctx.control.clearFaults();
    await countFaults(row, ctx.control, t0, isClean(rec));
});

test("summary: all created and removed, nothing orphaned or duplicated, no secret in any output", async () => {
    await captureEmulatorLogs(ctx, transcript);
    const leaks = transcript.findSecrets({ ...ctx.knownSecrets(), ...tokens });
    summary.row(`load: ${instances} creates at ${requestsPerSecond} req/s`).secretsFound += leaks.length;
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
});
