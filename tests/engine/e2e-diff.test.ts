/**
 * Honest diffs of the dynamic resource: what `pulumi preview --diff` renders, through the plain CLI on a program
 * directory, for a no-change preview, an API-key rotation, a rename, a tag change, polling events and `--replace`
 * (the plugin's, which marks a rotated key, are plugin-diff.test.ts; docs/diff.md compares the two). Each case
 * asserts the set of properties the CLI marks as changed, that no random value appears, and that no secret is
 * printed; then applies the change with `up` so that the next case starts from a clean state.
 *
 * Two engine facts the assertions encode (Pulumi v3.276):
 * - A rotated key renders as `apiKey : [secret]` without a change marker. The engine replaces every secret with the
 *   same `[secret]` placeholder before the display computes its property diff (`filterPropertyValue` in
 *   `pkg/engine/events.go`), and the display only marks a secret change when the provider sends a detailed diff
 *   (`translateDetailedDiff`), which the Node.js dynamic-provider runtime never forwards (its `diff` RPC sets only
 *   `changes`, `replaces` and `deleteBeforeReplace`: `@pulumi/pulumi/cmd/dynamic-provider/index.js`). The update
 *   itself is shown (`~ ... (update)`, `~ 1 to update`) and nothing else is marked.
 * - A replacement calls `check` without the old inputs (`generateSteps` in `pkg/resource/deploy/step_generator.go`:
 *   a targeted `--replace`, and the re-check of a diff-driven replacement), so the new instance gets a new
 *   `createMarker`, and the diff shows it. Updates keep the marker (check reuses the old inputs' one).
 */
import * as path from "node:path";
import type { StateResource } from "../../cli/deployment";
import { resourceBlock as blockOf, type RenderedDiff, renderedDiff } from "../helpers/preview-diff";
import { type CliResult, configSetAllArgs, programStack, repoRoot } from "../helpers/pulumi";
import { cli, describeRequests, findSecrets, useE2E, workProgram } from "../helpers/stacks";

jest.setTimeout(600_000);

const fixture = path.join(repoRoot, "tests", "fixtures", "freshdesk");
const stackName = "dev";
const instanceType = "pulumi-nodejs:dynamic/cloudelements:FreshdeskInstance";
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
/** Every top-level property of the resource's inputs and outputs: the names a change marker can be in front of. */
const topLevel = new Set([
    "subdomain",
    "apiKey",
    "name",
    "tags",
    "filterResponseNulls",
    "events",
    "adoptInstanceId",
    "adoptTakeOver",
    "owner",
    "createMarker",
    "createNonce",
    "instanceId",
    "token",
    "createdDate",
    "valid",
    "disabled",
    "eventsEnabled",
    "elementKey",
    "elementId",
    "unconfirmedCreate",
    "unconfirmedCreateUntil",
    "unconfirmedCreatePending",
]);

const ctx = useE2E({ label: "diff", transpileOnly: true });
let dir: string;
/** Every line printed in this file, scanned for secrets at the end. */
let printed = "";

async function run(args: string[]): Promise<CliResult> {
    const result = await cli(ctx, dir, [...args, "--stack", stackName]);
    printed += `${result.stdout}\n${result.stderr}\n`;
    return result;
}

async function ok(args: string[]): Promise<CliResult> {
    const result = await run(args);
    expect([args.join(" "), result.code, result.stderr]).toEqual([args.join(" "), 0, expect.anything()]);
    return result;
}

const resourceBlock = (stdout: string): string[] => blockOf(stdout, instanceType);
const rendered = (stdout: string): RenderedDiff => renderedDiff(stdout, instanceType, (name) => topLevel.has(name));

async function stateMarker(): Promise<string> {
    const exported = JSON.parse((await ok(["stack", "export"])).stdout);
    const [resource] = exported.deployment.resources.filter((r: StateResource) => r.type === instanceType);
    return resource.inputs.createMarker;
}

async function urn(): Promise<string> {
    const exported = JSON.parse((await ok(["stack", "export"])).stdout);
    return exported.deployment.resources.find((r: StateResource) => r.type === instanceType).urn;
}

beforeAll(async () => {
    dir = ctx.trackDir(workProgram(fixture, "diff", "symlink"));
    const stack = await programStack({ backend: ctx.backend, workDir: dir, stackName });
    const [account] = ctx.accounts.freshdesk;
    await stack.setAllConfig({
        ...ctx.connectionConfig(),
        "freshdesk-e2e:subdomain": { value: account.subdomain },
        "freshdesk-e2e:apiKey": { value: account.apiKeys[0], secret: true },
        "freshdesk-e2e:name": { value: "helpdesk" },
        "freshdesk-e2e:tags": { value: JSON.stringify(["team-a"]) },
    });
    await ok(["up", "--yes", "--skip-preview"]);
});

afterAll(() => {
    expect(findSecrets(printed, ctx.knownSecrets())).toEqual([]);
});

test("a preview without changes shows nothing changed and calls no API", async () => {
    const mark = await ctx.log.mark();
    const preview = await ok(["preview", "--diff"]);
    expect(resourceBlock(preview.stdout)).toEqual([]);
    expect(preview.stdout).toMatch(/Resources:\s+2 unchanged/);
    expect(preview.stdout).not.toMatch(uuid);
    expect(describeRequests(await ctx.log.since(mark))).toEqual([]);
});

test("a key rotation previews as an update of apiKey alone, with no random value", async () => {
    const marker = await stateMarker();
    const [account] = ctx.accounts.freshdesk;
    await ok(["config", "set", "--secret", "apiKey", account.apiKeys[1]]);
    const mark = await ctx.log.mark();
    const preview = await ok(["preview", "--diff"]);
    const block = resourceBlock(preview.stdout);
    // The update is announced; no property carries a marker (a secret's change cannot be shown, see above).
    expect(rendered(preview.stdout)).toEqual({ step: "update", marked: {} });
    expect(block.some((line) => /^\s+apiKey\s+: \[secret\]$/.test(line))).toBe(true);
    expect(preview.stdout).toMatch(/~ 1 to update/);
    // The only UUID printed is the unchanged marker (no `createMarker: <old> => <new>`).
    expect(new Set(preview.stdout.match(uuid))).toEqual(new Set([marker]));
    expect(block.filter((line) => line.includes("=>"))).toEqual([]);
    expect(describeRequests(await ctx.log.since(mark))).toEqual([]);

    const up = await ctx.log.mark();
    await ok(["up", "--yes", "--skip-preview"]);
    expect(describeRequests(await ctx.log.since(up))).toEqual([expect.stringMatching(/^PATCH \/instances\/\d+ 200$/)]);
    expect(await stateMarker()).toBe(marker);
});

test("a rename previews as name alone", async () => {
    await ok(["config", "set", "name", "helpdesk-renamed"]);
    const preview = await ok(["preview", "--diff"]);
    expect(rendered(preview.stdout)).toEqual({ step: "update", marked: { name: "~" } });
    expect(resourceBlock(preview.stdout)).toContainEqual(
        expect.stringMatching(/^\s+~ name\s+: "helpdesk" => "helpdesk-renamed"$/),
    );
    expect(new Set(preview.stdout.match(uuid))).toEqual(new Set([await stateMarker()]));
    await ok(["up", "--yes", "--skip-preview"]);
});

test("a tag change previews as tags alone, the added tag marked", async () => {
    await ok(["config", "set", "tags", JSON.stringify(["team-a", "team-b"])]);
    const preview = await ok(["preview", "--diff"]);
    expect(rendered(preview.stdout)).toEqual({ step: "update", marked: { tags: "~" } });
    const block = resourceBlock(preview.stdout);
    expect(block).toContainEqual(expect.stringMatching(/^\s+\+ \[1\]: "team-b"$/));
    // The provider's own tags never show.
    expect(preview.stdout).not.toMatch(/pulumi-(marker|create):/);
    expect(new Set(preview.stdout.match(uuid))).toEqual(new Set([await stateMarker()]));
    await ok(["up", "--yes", "--skip-preview"]);
});

test("turning polling events on previews as events alone, each changed field marked", async () => {
    await ok([
        "config",
        "set",
        "events",
        JSON.stringify({ callbackUrl: "https://hooks.example.com/freshdesk", pollingIntervalMinutes: 5 }),
    ]);
    const preview = await ok(["preview", "--diff"]);
    expect(rendered(preview.stdout)).toEqual({ step: "update", marked: { events: "~" } });
    const block = resourceBlock(preview.stdout);
    expect(block).toContainEqual(
        expect.stringMatching(/^\s+\+ callbackUrl\s+: "https:\/\/hooks\.example\.com\/freshdesk"$/),
    );
    expect(block).toContainEqual(expect.stringMatching(/^\s+~ enabled\s+: false => true$/));
    expect(block).toContainEqual(expect.stringMatching(/^\s+~ pollingIntervalMinutes: 15 => 5$/));
    expect(new Set(preview.stdout.match(uuid))).toEqual(new Set([await stateMarker()]));
    await ok(["up", "--yes", "--skip-preview"]);
});

test("--replace previews a replacement: a new marker, the old instance's outputs going away; up keeps one instance", async () => {
    const marker = await stateMarker();
    const target = await urn();
    const preview = await ok(["preview", "--diff", "--replace", target]);
    const { step, marked } = rendered(preview.stdout);
    expect(step).toBe("replace");
    // The engine checks a replacement without the old inputs: a new instance, a new marker. The outputs of the old
    // instance (id, token, dates, the create's nonce) are shown as going away: the new instance gets its own.
    expect(marked).toEqual({
        createMarker: "~",
        createNonce: "-",
        createdDate: "-",
        disabled: "-",
        elementId: "-",
        elementKey: "-",
        eventsEnabled: "-",
        instanceId: "-",
        token: "-",
        valid: "-",
    });
    const markerLine = resourceBlock(preview.stdout).find((line) => /^\s+~ createMarker/.test(line)) ?? "";
    expect(markerLine).toContain(`"${marker}" => "`);

    const [before] = await ctx.control.instances();
    const mark = await ctx.log.mark();
    await ok(["up", "--yes", "--skip-preview", "--replace", target]);
    expect(describeRequests(await ctx.log.since(mark))).toEqual([
        "POST /instances 200",
        `DELETE /instances/${before.id} 200`,
    ]);
    const after = await ctx.control.instances();
    expect(after).toHaveLength(1);
    expect(after[0].id).not.toBe(before.id);
    expect(after[0].tags).toContain(`pulumi-marker:${await stateMarker()}`);
});

test("a subdomain change previews a replacement by subdomain, with the new marker of the re-check", async () => {
    const marker = await stateMarker();
    const other = ctx.accounts.freshdesk[1];
    await ok(
        configSetAllArgs({
            subdomain: { value: other.subdomain },
            apiKey: { value: other.apiKeys[0], secret: true },
        }),
    );
    const preview = await ok(["preview", "--diff"]);
    const { step, marked } = rendered(preview.stdout);
    expect(step).toBe("replace");
    expect(marked).toMatchObject({ subdomain: "~", createMarker: "~" });
    expect(Object.keys(marked).filter((key) => marked[key] === "~")).toEqual(
        expect.arrayContaining(["subdomain", "createMarker"]),
    );
    expect(resourceBlock(preview.stdout)).toContainEqual(
        expect.stringMatching(/^\s+~ subdomain\s+: "[^"]+" => "[^"]+"$/),
    );
    expect(resourceBlock(preview.stdout).find((line) => /^\s+~ createMarker/.test(line))).toContain(`"${marker}" => "`);
});
