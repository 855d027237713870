/**
 * What `pulumi preview --diff` renders for the `cloudelements` provider plugin (Pulumi YAML, real CLI, emulator):
 * its `Diff` answers a detailed diff, so each changed input is marked, a rotated API key included (as a changed
 * secret, never its value), and nothing else. The same cases as e2e-diff.test.ts (the dynamic resource, which
 * cannot mark a changed secret: docs/diff.md): no change, rotation, rename, tags, events, `--replace`, subdomain.
 * Each case applies its change with `up`, so the next starts from a clean state.
 */
import * as fs from "node:fs";
import { pluginType, requirePluginBuilt, writeYamlProject, yamlProject } from "../helpers/plugin";
import { resourceBlock as blockOf, type RenderedDiff, renderedDiff } from "../helpers/preview-diff";
import { type CliResult, configSetAllArgs } from "../helpers/pulumi";
import { cli, describeRequests, type E2EContext, findSecrets, startE2E } from "../helpers/stacks";

jest.setTimeout(600_000);

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

let ctx: E2EContext;
let dir: string;
/** Every line printed in this file, scanned for secrets at the end. */
let printed = "";

/** The program's one resource, with these properties (the user editing Pulumi.yaml). */
interface Spec {
    subdomain: string;
    name: string;
    tags: string[];
    events?: Record<string, unknown>;
}
let spec: Spec;

function writeProgram(next: Spec): void {
    spec = next;
    writeYamlProject(dir, {
        name: "plugin-diff",
        resources: [
            "  helpdesk:",
            `    type: ${pluginType}`,
            "    properties:",
            `      subdomain: ${next.subdomain}`,
            "      apiKey: \u0024{apiKey}",
            `      name: ${JSON.stringify(next.name)}`,
            `      tags: ${JSON.stringify(next.tags)}`,
            ...(next.events ? [`      events: ${JSON.stringify(next.events)}`] : []),
        ].join("\n"),
    });
}

async function ok(args: string[]): Promise<CliResult> {
    const result = await cli(ctx, dir, args);
    printed += `${result.stdout}\n${result.stderr}\n`;
    expect([args.join(" "), result.code, result.stderr]).toEqual([args.join(" "), 0, expect.anything()]);
    return result;
}

const resourceBlock = (stdout: string): string[] => blockOf(stdout, pluginType);
const rendered = (stdout: string): RenderedDiff => renderedDiff(stdout, pluginType);

async function stateOf(): Promise<{ urn: string; marker: string }> {
    const exported = JSON.parse((await ok(["stack", "export"])).stdout);
    const resource = exported.deployment.resources.find((r: { type: string }) => r.type === pluginType);
    return { urn: resource.urn, marker: resource.outputs.createMarker };
}

async function up(): Promise<void> {
    await ok(["up", "--yes", "--skip-preview"]);
}

beforeAll(async () => {
    requirePluginBuilt();
    ctx = await startE2E({ label: "plugin-diff" });
    const [account] = ctx.accounts.freshdesk;
    dir = yamlProject("plugin-diff", { name: "plugin-diff", resources: "  {}" });
    writeProgram({ subdomain: account.subdomain, name: "helpdesk", tags: ["team-a"] });
    await ok(["stack", "init", "dev"]);
    await ok(configSetAllArgs({ ...ctx.connectionConfig(), apiKey: { value: account.apiKeys[0], secret: true } }));
    await up();
});

afterAll(async () => {
    try {
        if (ctx) {
            expect(findSecrets(printed, ctx.knownSecrets())).toEqual([]);
        }
    } finally {
        await ctx?.close();
        if (dir) {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
});

test("a preview without changes shows nothing changed and calls no API", async () => {
    const mark = await ctx.log.mark();
    const preview = await ok(["preview", "--diff"]);
    expect(resourceBlock(preview.stdout)).toEqual([]);
    expect(preview.stdout).toMatch(/Resources:\s+2 unchanged/);
    expect(describeRequests(await ctx.log.since(mark))).toEqual([]);
});

test("a key rotation marks apiKey as a changed secret, and nothing else", async () => {
    const { marker } = await stateOf();
    await ok(["config", "set", "--secret", "apiKey", ctx.accounts.freshdesk[0].apiKeys[1]]);
    const preview = await ok(["preview", "--diff"]);
    process.stdout.write(`[plugin-diff] rotation:\n${resourceBlock(preview.stdout).join("\n")}\n`);
    expect(rendered(preview.stdout)).toEqual({ step: "update", marked: { apiKey: "~" } });
    expect(resourceBlock(preview.stdout)).toContainEqual(
        expect.stringMatching(/^\s+~ apiKey\s*: \[secret\] => \[secret\]$/),
    );
    expect(preview.stdout).toMatch(/~ 1 to update/);
    // The only change shown is the key's; the marker is unchanged (never a random value).
    expect(resourceBlock(preview.stdout).filter((line) => line.includes("=>"))).toHaveLength(1);
    expect((preview.stdout.match(uuid) ?? []).filter((printedId) => printedId !== marker)).toEqual([]);
    const mark = await ctx.log.mark();
    await up();
    expect(describeRequests(await ctx.log.since(mark))).toEqual([
        expect.stringMatching(/^PATCH \/instances\/\d+ 200$/),
    ]);
});

test("a rename marks name alone", async () => {
    writeProgram({ ...spec, name: "helpdesk-renamed" });
    const preview = await ok(["preview", "--diff"]);
    expect(rendered(preview.stdout)).toEqual({ step: "update", marked: { name: "~" } });
    expect(resourceBlock(preview.stdout)).toContainEqual(
        expect.stringMatching(/^\s+~ name\s*: "helpdesk" => "helpdesk-renamed"$/),
    );
    await up();
});

test("a tag change marks tags, the added tag", async () => {
    writeProgram({ ...spec, tags: ["team-a", "team-b"] });
    const preview = await ok(["preview", "--diff"]);
    expect(rendered(preview.stdout)).toEqual({ step: "update", marked: { tags: "~", "[1]": "+" } });
    expect(resourceBlock(preview.stdout)).toContainEqual(expect.stringMatching(/^\s+\+ \[1\]: "team-b"$/));
    expect(preview.stdout).not.toMatch(/pulumi-(marker|create|owner):/);
    await up();
});

test("turning polling events on marks each changed events field", async () => {
    writeProgram({
        ...spec,
        events: { callbackUrl: "https://hooks.example.com/freshdesk", pollingIntervalMinutes: 5 },
    });
    const preview = await ok(["preview", "--diff"]);
    expect(rendered(preview.stdout)).toEqual({
        step: "update",
        marked: { events: "~", callbackUrl: "+", enabled: "~", pollingIntervalMinutes: "~" },
    });
    const block = resourceBlock(preview.stdout);
    expect(block).toContainEqual(
        expect.stringMatching(/^\s+\+ callbackUrl\s*: "https:\/\/hooks\.example\.com\/freshdesk"$/),
    );
    expect(block).toContainEqual(expect.stringMatching(/^\s+~ enabled\s*: false => true$/));
    expect(block).toContainEqual(expect.stringMatching(/^\s+~ pollingIntervalMinutes\s*: 15 => 5$/));
    await up();
});

test("--replace previews a replacement; up keeps one instance", async () => {
    const { urn } = await stateOf();
    const preview = await ok(["preview", "--diff", "--replace", urn]);
    process.stdout.write(`[plugin-diff] --replace:\n${resourceBlock(preview.stdout).join("\n")}\n`);
    expect(rendered(preview.stdout).step).toBe("replace");
    const [before] = await ctx.control.instances();
    const mark = await ctx.log.mark();
    await ok(["up", "--yes", "--skip-preview", "--replace", urn]);
    expect(describeRequests(await ctx.log.since(mark))).toEqual([
        "POST /instances 200",
        `DELETE /instances/${before.id} 200`,
    ]);
    const after = await ctx.control.instances();
    expect(after).toHaveLength(1);
    expect(after[0].tags).toContain(`pulumi-marker:${(await stateOf()).marker}`);
});

test("a subdomain change marks subdomain as the replacement's cause", async () => {
    const other = ctx.accounts.freshdesk[1];
    await ok(["config", "set", "--secret", "apiKey", other.apiKeys[0]]);
    writeProgram({ ...spec, subdomain: other.subdomain });
    const preview = await ok(["preview", "--diff"]);
    process.stdout.write(`[plugin-diff] subdomain:\n${resourceBlock(preview.stdout).join("\n")}\n`);
    const { step, marked } = rendered(preview.stdout);
    expect(step).toBe("replace");
    expect(marked).toMatchObject({ subdomain: "~", apiKey: "~" });
    expect(resourceBlock(preview.stdout)).toContainEqual(
        expect.stringMatching(/^\s+~ subdomain\s*: "[^"]+" => "[^"]+"$/),
    );
});
