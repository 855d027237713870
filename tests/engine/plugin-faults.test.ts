/**
 * The fault matrix's create and read rows (`tests/helpers/fault-cases.ts`, the same rows the dynamic resource passes
 * in `reliability-faults.test.ts`) against the `cloudelements` plugin from a Pulumi YAML program, through the real
 * CLI: transient faults are absorbed within one operation, faults longer than the retry budget fail with the clear
 * message and the next run converges, a create whose answer is lost makes no duplicate. After every case the
 * emulator's instances equal the stack's resources. Ends with destroy and a secret sweep of every output and export.
 */
import type { FaultSpec } from "../../emulator";
import { cases, defaultTimeoutMs, maxRetries, shortTimeoutMs, slowAnswerMs } from "../helpers/fault-cases";
import { pluginType, requirePluginBuilt, writeYamlProject, yamlProject } from "../helpers/plugin";
import { configSetAllArgs, runPulumi } from "../helpers/pulumi";
import {
    captureEmulatorLogs,
    faulted,
    isClean,
    type OpResult,
    reconcile,
    Transcript,
    tokensOf,
    until,
    useReliability,
} from "../helpers/reliability";
import type { ExportedState, FreshdeskStateResource } from "../helpers/stacks";
import { freshdeskResources, instanceById } from "../helpers/stacks";

jest.setTimeout(900_000);

type Operation = "create" | "read";
const operations: Operation[] = ["create", "read"];
const method: Record<Operation, string> = { create: "POST", read: "GET" };

const ctx = useReliability("plugin-faults");
const transcript = new Transcript();
const dirs = {} as Record<Operation, string>;
/** What each stack's program declares: resource name -> instance name. */
const desired = {} as Record<Operation, Map<string, string>>;

function tagOf(op: Operation): string {
    return `plugin-faults-${op}`;
}

/** Writes the op's YAML program from `desired`. */
function writeProgram(op: Operation): void {
    const [account] = ctx.accounts.freshdesk;
    const resources = [...desired[op]]
        .map(([resourceName, instanceName]) =>
            [
                `  ${resourceName}:`,
                `    type: ${pluginType}`,
                "    properties:",
                `      subdomain: ${account.subdomain}`,
                `      apiKey: \${apiKey}`,
                `      name: ${instanceName}`,
                `      tags: [${tagOf(op)}]`,
            ].join("\n"),
        )
        .join("\n");
    writeYamlProject(dirs[op], { name: `plugin-faults-${op}`, resources: resources || "  {}" });
}

async function run(op: Operation, args: string[], label: string): Promise<OpResult> {
    const t0 = Date.now();
    const result = await runPulumi(args, { cwd: dirs[op], backend: ctx.backend });
    const output = result.stdout + result.stderr;
    transcript.add(`${op}: ${label}`, output);
    return { ok: result.code === 0, output, seconds: (Date.now() - t0) / 1000 };
}

async function must(op: Operation, args: string[], label: string): Promise<void> {
    const result = await run(op, args, label);
    if (!result.ok) {
        throw new Error(`pulumi ${args.join(" ")} failed:\n${result.output}`);
    }
}

async function exportOf(op: Operation): Promise<ExportedState> {
    const result = await run(op, ["stack", "export"], "export");
    return JSON.parse(result.output.slice(result.output.indexOf("{")));
}

function resourceIn(exported: ExportedState, resourceName: string): FreshdeskStateResource | undefined {
    return freshdeskResources(exported, pluginType).find((r) => r.urn.endsWith(`::${resourceName}`));
}

async function expectConverged(op: Operation): Promise<ExportedState> {
    const exported = await exportOf(op);
    const rec = await reconcile(ctx.control, exported, tagOf(op), pluginType);
    expect({ ...rec, orphans: rec.orphans.map((o) => o.id) }).toEqual({
        ...rec,
        orphans: [],
        duplicates: 0,
        dangling: [],
        pendingOperations: 0,
    });
    expect(isClean(rec)).toBe(true);
    expect(rec.emulatorIds).toEqual(rec.stateIds);
    return exported;
}

beforeAll(async () => {
    requirePluginBuilt();
    for (const op of operations) {
        desired[op] = new Map();
        dirs[op] = ctx.trackDir(yamlProject(`plugin-faults-${op}`, { name: `plugin-faults-${op}`, resources: "  {}" }));
        await must(op, ["stack", "init", "dev"], "init");
        const config = ctx.connectionConfig({ maxRetries, timeoutMs: defaultTimeoutMs });
        await must(
            op,
            configSetAllArgs({ ...config, apiKey: { value: ctx.accounts.freshdesk[0].apiKeys[0], secret: true } }),
            "config",
        );
    }
    desired.read.set("target", "plugin-read-initial");
    writeProgram("read");
    await must("read", ["up", "--yes", "--skip-preview"], "setup up");
});

async function prepare(
    op: Operation,
    index: number,
): Promise<{ path: string; args: string[]; verify: (exported: ExportedState) => Promise<void> }> {
    if (op === "create") {
        const resourceName = `new${index}`;
        const instanceName = `plugin-create-${index}`;
        desired.create.set(resourceName, instanceName);
        writeProgram("create");
        return {
            path: "^/instances$",
            args: ["up", "--yes", "--skip-preview"],
            verify: async (exported) => {
                const res = resourceIn(exported, resourceName);
                expect(res).toBeDefined();
                const same = (await ctx.control.instances()).filter((i) => i.name === instanceName);
                expect(same.map((i) => String(i.id))).toEqual([String(res!.id)]);
            },
        };
    }
    const res = resourceIn(await exportOf("read"), "target");
    const drifted = `plugin-read-drift-${index}`;
    await ctx.api.patchInstance(res!.id, { name: drifted });
    return {
        path: `^/instances/${res!.id}$`,
        args: ["refresh", "--yes", "--skip-preview"],
        verify: async (exported) => {
            expect(resourceIn(exported, "target")!.outputs.name).toBe(drifted);
            expect(await instanceById(ctx.control, res!.id)).toBeDefined();
        },
    };
}

for (const op of operations) {
    describe(`plugin ${op} under faults`, () => {
        cases.forEach((c, index) => {
            if (c.only && !c.only.includes(op)) {
                return;
            }
            test(c.name, async () => {
                const step = await prepare(op, index);
                const mark = await ctx.log.mark();
                try {
                    if (c.shortTimeout) {
                        await must(op, ["config", "set", "cloudelements:timeoutMs", String(shortTimeoutMs)], "config");
                    }
                    await ctx.control.addFault({ ...c.fault, method: method[op], path: step.path } as FaultSpec);
                    const first = await run(op, step.args, c.name);
                    const expected = c.permanent ? 1 + maxRetries : (c.fault.count ?? 1);
                    await until(
                        async () => faulted(await ctx.log.since(mark, "provider")).length >= expected,
                        slowAnswerMs + 5_000,
                    );
                    const hits = faulted(await ctx.log.since(mark, "provider"));
                    if (c.permanent) {
                        expect(first.ok).toBe(false);
                        expect(first.output).toMatch(
                            new RegExp(`${method[op]} /instances\\S* failed: HTTP ${c.permanent.status}`),
                        );
                        expect(first.output).not.toMatch(/\n\s+at .*\.js:\d+/);
                        expect(hits).toHaveLength(expected);
                        await ctx.control.clearFaults();
                        const second = await run(op, step.args, `${c.name} (after the fault cleared)`);
                        expect(second.output).not.toMatch(/error:/);
                        expect(second.ok).toBe(true);
                    } else {
                        expect(first.output).not.toMatch(/error:/);
                        expect(first.ok).toBe(true);
                        expect(hits).toHaveLength(expected);
                    }
                } finally {
                    await ctx.control.clearFaults();
                    if (c.shortTimeout) {
                        await must(
                            op,
                            ["config", "set", "cloudelements:timeoutMs", String(defaultTimeoutMs)],
                            "config",
                        );
                    }
                }
                await step.verify(await expectConverged(op));
            });
        });
    });
}

test("destroy leaves nothing behind; no secret in any output, export or emulator log", async () => {
    const tokens: Record<string, string> = {};
    for (const op of operations) {
        Object.assign(tokens, await tokensOf(ctx, tagOf(op)));
        await must(op, ["destroy", "--yes", "--skip-preview"], "destroy");
        const rec = await reconcile(ctx.control, await exportOf(op), tagOf(op), pluginType);
        expect(rec.emulatorIds).toEqual([]);
        expect(rec.stateIds).toEqual([]);
    }
    expect(Object.keys(tokens).length).toBeGreaterThan(0);
    await captureEmulatorLogs(ctx, transcript);
    expect(transcript.findSecrets({ ...ctx.knownSecrets(), ...tokens })).toEqual([]);
});
