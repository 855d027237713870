/**
 * End to end through the real CLI (Automation API inline program, plus the plain CLI where the user-visible output
 * matters), against the emulator: one instance through create, no-op preview/up, rename and tags, API-key rotation
 * (good and bad key), polling events on and off, a subdomain change (replacement) and destroy. Each step asserts
 * the outputs, the emulator's instances and the requests the provider made.
 *
 * The steps share one stack and run in order; each one sets the full desired config, so a failure in one step
 * leaves the next with a clear starting point rather than a cascade.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { FreshdeskInstance } from "../../provider";
import { type FreshdeskInstanceClass, instanceFromConfig } from "../fixtures/freshdesk/program";
import type { LoggedBody } from "../helpers/emulator";
import type { FreshdeskStateResource } from "../helpers/stacks";
import {
    cli,
    describeRequests,
    findSecrets,
    fingerprint,
    freshdeskResources,
    inlineStack,
    instanceById,
    outputCollector,
    secretMarker,
    secretSig,
    setConfig,
    useE2E,
} from "../helpers/stacks";

jest.setTimeout(300_000);

const ctx = useE2E({ label: "lifecycle" });
let stack: Stack;
let workDir: string;
/** Every line the CLI printed in this file, scanned for secrets at the end. */
const printed = outputCollector();
/** Every token seen in this file, by instance id. */
const tokens: Record<string, string> = {};

const desired = {
    name: "helpdesk-lifecycle",
    tags: ["team-a", "env:test"],
};

beforeAll(async () => {
    stack = await inlineStack({
        backend: ctx.backend,
        projectName: "freshdesk-lifecycle",
        stackName: "dev",
        program: async () => instanceFromConfig(FreshdeskInstance as unknown as FreshdeskInstanceClass),
    });
    workDir = stack.workspace.workDir;
    const [account] = ctx.accounts.freshdesk;
    await stack.setAllConfig(ctx.connectionConfig());
    await setConfig(stack, {
        subdomain: account.subdomain,
        apiKey: { value: account.apiKeys[0], secret: true },
        name: desired.name,
        tags: desired.tags,
        filterResponseNulls: false,
    });
});

async function stateResources(): Promise<FreshdeskStateResource[]> {
    return freshdeskResources(await stack.exportStack());
}

function allSecrets(): Record<string, string> {
    const secrets = ctx.knownSecrets();
    for (const [id, token] of Object.entries(tokens)) {
        secrets[`token(${id})`] = token;
    }
    return secrets;
}

let instanceId: number;
let tokenFingerprint: string;

test("up creates exactly one instance with the documented body", async () => {
    const [account] = ctx.accounts.freshdesk;
    const mark = await ctx.log.mark();
    const up = await stack.up({ onOutput: printed.onOutput });
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: 2 });

    const requests = await ctx.log.since(mark);
    expect(describeRequests(requests)).toEqual(["POST /instances 200"]);
    const body = requests[0].body as LoggedBody;
    expect(body).toEqual({
        element: { key: "freshdeskv2" },
        name: desired.name,
        // The user's tags plus the provider's own: the create marker (how it recognises its instance after a lost
        // answer), the owner (which resource manages it, for adoption) and this create call's nonce.
        tags: [
            ...desired.tags,
            expect.stringMatching(/^pulumi-marker:[0-9a-f-]{36}$/),
            expect.stringMatching(/^pulumi-owner:[0-9a-f]{32}$/),
            expect.stringMatching(/^pulumi-create:[0-9a-f-]{36}$/),
        ],
        configuration: {
            subdomain: account.subdomain,
            username: "[redacted]",
            "filter.response.nulls": false,
            "event.notification.enabled": false,
        },
    });

    const instances = await ctx.control.instances();
    expect(instances).toHaveLength(1);
    const [instance] = instances;
    instanceId = instance.id;
    tokenFingerprint = instance.tokenFingerprint;
    expect(instance).toMatchObject({
        name: desired.name,
        elementKey: "freshdeskv2",
        apiKeyFingerprint: fingerprint(account.apiKeys[0]),
        userEmail: ctx.accounts.userEmail,
        organizationSecretFingerprint: fingerprint(ctx.accounts.organizationSecret),
        disabled: false,
        valid: true,
    });
    expect(instance.tags).toEqual(expect.arrayContaining(desired.tags));
    expect(instance.configuration).toMatchObject({
        subdomain: account.subdomain,
        "filter.response.nulls": "false",
    });

    const outputs = up.outputs;
    expect(outputs.instanceId.value).toBe(instance.id);
    expect(outputs.name.value).toBe(desired.name);
    expect(outputs.tags.value).toEqual(desired.tags);
    expect(outputs.subdomain.value).toBe(account.subdomain);
    expect(outputs.elementKey.value).toBe("freshdeskv2");
    expect(outputs.elementId.value).toBe(491);
    expect(outputs.valid.value).toBe(true);
    expect(outputs.disabled.value).toBe(false);
    expect(outputs.eventsEnabled.value).toBe(false);
    expect(outputs.createdDate.value).toBe(instance.createdDate);
    expect(outputs.token.secret).toBe(true);
    expect(fingerprint(outputs.token.value)).toBe(instance.tokenFingerprint);
    tokens[instance.id] = outputs.token.value;
});

test("pulumi stack output masks the token; --show-secrets reveals it", async () => {
    const masked = await cli(ctx, workDir, ["stack", "output", "--json", "--stack", "dev"]);
    expect(masked.code).toBe(0);
    const shownOutputs = JSON.parse(masked.stdout);
    expect(shownOutputs.token).toBe("[secret]");
    expect(shownOutputs.instanceId).toBe(instanceId);
    const single = await cli(ctx, workDir, ["stack", "output", "token", "--stack", "dev"]);
    expect(single.stdout.trim()).toBe("[secret]");
    expect(findSecrets(masked.stdout + masked.stderr + single.stdout + single.stderr, allSecrets())).toEqual([]);

    const revealed = await cli(ctx, workDir, ["stack", "output", "token", "--show-secrets", "--stack", "dev"]);
    expect(revealed.code).toBe(0);
    expect(fingerprint(revealed.stdout.trim())).toBe(tokenFingerprint);
});

test("pulumi stack export holds no plaintext secret, __provider included; --show-secrets shows the token", async () => {
    const exported = await cli(ctx, workDir, ["stack", "export", "--stack", "dev"]);
    expect(exported.code).toBe(0);
    expect(findSecrets(exported.stdout, allSecrets())).toEqual([]);
    const [resource] = freshdeskResources(JSON.parse(exported.stdout));
    expect(resource.id).toBe(String(instanceId));
    // Secrets are ciphertext objects under the engine's secret signature.
    expect(resource.outputs.token[secretSig]).toBe(secretMarker);
    expect(typeof resource.outputs.token.ciphertext).toBe("string");
    expect(resource.inputs.apiKey[secretSig]).toBe(secretMarker);
    expect(resource.outputs.apiKey[secretSig]).toBe(secretMarker);
    expect(typeof resource.outputs.__provider).toBe("string");
    expect(findSecrets(resource.outputs.__provider, allSecrets())).toEqual([]);

    const revealed = await cli(ctx, workDir, ["stack", "export", "--show-secrets", "--stack", "dev"]);
    expect(revealed.code).toBe(0);
    const [plain] = freshdeskResources(JSON.parse(revealed.stdout));
    // Revealed secrets keep their envelope; `plaintext` holds the JSON-encoded value.
    expect(plain.outputs.token[secretSig]).toBe(secretMarker);
    expect(fingerprint(JSON.parse(plain.outputs.token.plaintext))).toBe(tokenFingerprint);
    expect(JSON.parse(plain.outputs.apiKey.plaintext)).toBe(ctx.accounts.freshdesk[0].apiKeys[0]);
});

test("preview and up with nothing changed: no changes and zero API calls", async () => {
    const mark = await ctx.log.mark();
    const preview = await stack.preview({ onOutput: printed.onOutput });
    expect(preview.changeSummary).toEqual({ same: 2 });
    const up = await stack.up({ onOutput: printed.onOutput });
    expect(up.summary.resourceChanges).toEqual({ same: 2 });
    expect(describeRequests(await ctx.log.since(mark))).toEqual([]);
});

test("rename and tag change: updated in place, same id, same token", async () => {
    await setConfig(stack, { name: "helpdesk-renamed", tags: ["team-b"] });
    const mark = await ctx.log.mark();
    const up = await stack.up({ onOutput: printed.onOutput });
    expect(up.summary.resourceChanges).toEqual({ same: 1, update: 1 });

    const requests = await ctx.log.since(mark);
    expect(describeRequests(requests)).toEqual([`PATCH /instances/${instanceId} 200`]);
    expect(requests[0].body).toMatchObject({
        name: "helpdesk-renamed",
        tags: [
            "team-b",
            expect.stringMatching(/^pulumi-marker:/),
            expect.stringMatching(/^pulumi-owner:/),
            expect.stringMatching(/^pulumi-create:/),
        ],
    });

    const instance = (await instanceById(ctx.control, instanceId))!;
    expect(instance.name).toBe("helpdesk-renamed");
    expect(instance.tags).toContain("team-b");
    expect(instance.tags).not.toContain("team-a");
    expect(instance.tokenFingerprint).toBe(tokenFingerprint);
    expect(await ctx.control.instances()).toHaveLength(1);
    expect(up.outputs.instanceId.value).toBe(instanceId);
    expect(up.outputs.name.value).toBe("helpdesk-renamed");
    expect(up.outputs.tags.value).toEqual(["team-b"]);
    expect(fingerprint(up.outputs.token.value)).toBe(tokenFingerprint);
});

test("API-key rotation: updated in place, same token", async () => {
    const [account] = ctx.accounts.freshdesk;
    await setConfig(stack, { apiKey: { value: account.apiKeys[1], secret: true } });
    const mark = await ctx.log.mark();
    const up = await stack.up({ onOutput: printed.onOutput });
    expect(up.summary.resourceChanges).toEqual({ same: 1, update: 1 });

    const requests = await ctx.log.since(mark);
    expect(describeRequests(requests)).toEqual([`PATCH /instances/${instanceId} 200`]);
    expect((requests[0].body as LoggedBody).configuration).toMatchObject({
        subdomain: account.subdomain,
        username: "[redacted]",
    });
    const instance = (await instanceById(ctx.control, instanceId))!;
    expect(instance.apiKeyFingerprint).toBe(fingerprint(account.apiKeys[1]));
    expect(instance.tokenFingerprint).toBe(tokenFingerprint);
    expect(up.outputs.instanceId.value).toBe(instanceId);
    expect(fingerprint(up.outputs.token.value)).toBe(tokenFingerprint);
});

test("a wrong new API key fails clearly and leaves the instance as it was; the right key converges", async () => {
    const [account] = ctx.accounts.freshdesk;
    const before = (await instanceById(ctx.control, instanceId))!;
    await setConfig(stack, { apiKey: { value: ctx.accounts.invalidApiKey, secret: true } });
    let mark = await ctx.log.mark();
    const failed = outputCollector();
    let error: unknown;
    try {
        await stack.up({ onOutput: failed.onOutput });
    } catch (e) {
        error = e;
    }
    expect(error).toBeDefined();
    const message = `${failed.text()}\n${String(error)}`;
    printed.onOutput(message);
    // The provider's message names the cause (Freshdesk rejected the credentials) without echoing the key.
    expect(message).toContain(
        `updating instance ${instanceId}: Cloud Elements PATCH /instances/${instanceId} failed: HTTP 400 ` +
            "(apiKey: Freshdesk rejected the API key for this subdomain; check the apiKey and subdomain inputs): " +
            "Failed to validate credentials for freshdeskv2",
    );
    expect(findSecrets(message, allSecrets())).toEqual([]);
    expect(describeRequests(await ctx.log.since(mark))).toEqual([`PATCH /instances/${instanceId} 400`]);
    expect(await instanceById(ctx.control, instanceId)).toEqual(before);
    expect(await ctx.control.instances()).toHaveLength(1);
    const [resource] = await stateResources();
    expect(resource.id).toBe(String(instanceId));

    // Back to the key in effect: the failed update left the old inputs in state, so the engine sees no change
    // and calls nothing; the instance is as before.
    await setConfig(stack, { apiKey: { value: account.apiKeys[1], secret: true } });
    mark = await ctx.log.mark();
    const up = await stack.up({ onOutput: printed.onOutput });
    expect(up.summary.resourceChanges).toEqual({ same: 2 });
    expect(await ctx.log.since(mark)).toEqual([]);
    expect(up.outputs.instanceId.value).toBe(instanceId);
    const after = (await instanceById(ctx.control, instanceId))!;
    expect(after.apiKeyFingerprint).toBe(fingerprint(account.apiKeys[1]));
    expect(after.tokenFingerprint).toBe(tokenFingerprint);
    // And the failure did not poison the state: rotating to another valid key updates in place as usual.
    await setConfig(stack, { apiKey: { value: account.apiKeys[0], secret: true } });
    mark = await ctx.log.mark();
    const rotated = await stack.up({ onOutput: printed.onOutput });
    expect(rotated.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(describeRequests(await ctx.log.since(mark))).toEqual([`PATCH /instances/${instanceId} 200`]);
    const final = (await instanceById(ctx.control, instanceId))!;
    expect(final.apiKeyFingerprint).toBe(fingerprint(account.apiKeys[0]));
    expect(final.tokenFingerprint).toBe(tokenFingerprint);
});

test("events enabled then disabled: the event.* configuration follows", async () => {
    const callbackUrl = "https://hooks.example.com/freshdesk/events";
    await setConfig(stack, {
        events: { enabled: true, callbackUrl, pollingIntervalMinutes: 5, resources: ["incidents"] },
    });
    let mark = await ctx.log.mark();
    const on = await stack.up({ onOutput: printed.onOutput });
    expect(on.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(describeRequests(await ctx.log.since(mark))).toEqual([`PATCH /instances/${instanceId} 200`]);
    expect(on.outputs.eventsEnabled.value).toBe(true);
    let instance = (await instanceById(ctx.control, instanceId))!;
    expect(instance.configuration).toMatchObject({
        "event.notification.enabled": "true",
        "event.vendor.type": "polling",
        "event.notification.callback.url": callbackUrl,
        "event.poller.refresh_interval": "5",
    });
    expect(instance.configuration["event.poller.configuration"]).toContain("incidents");
    expect(instance.configuration["event.poller.configuration"]).not.toContain("contacts");
    expect(instance.tokenFingerprint).toBe(tokenFingerprint);

    await setConfig(stack, { events: { enabled: false } });
    mark = await ctx.log.mark();
    const off = await stack.up({ onOutput: printed.onOutput });
    expect(off.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(describeRequests(await ctx.log.since(mark))).toEqual([`PATCH /instances/${instanceId} 200`]);
    expect(off.outputs.eventsEnabled.value).toBe(false);
    instance = (await instanceById(ctx.control, instanceId))!;
    expect(instance.configuration["event.notification.enabled"] ?? "false").toBe("false");
    expect(instance.id).toBe(instanceId);
    expect(instance.tokenFingerprint).toBe(tokenFingerprint);
});

test("subdomain change: replaced, the new instance created before the old one is deleted", async () => {
    const [, other] = ctx.accounts.freshdesk;
    await setConfig(stack, { subdomain: other.subdomain, apiKey: { value: other.apiKeys[0], secret: true } });
    const mark = await ctx.log.mark();
    const up = await stack.up({ onOutput: printed.onOutput });
    expect(up.summary.resourceChanges).toEqual({ same: 1, replace: 1 });

    const newId = up.outputs.instanceId.value;
    expect(newId).not.toBe(instanceId);
    // Create before delete: the engine's default for a replacement without deleteBeforeReplace.
    expect(describeRequests(await ctx.log.since(mark))).toEqual([
        "POST /instances 200",
        `DELETE /instances/${instanceId} 200`,
    ]);

    const instances = await ctx.control.instances();
    expect(instances.map((i) => i.id)).toEqual([newId]);
    expect(instances[0].configuration.subdomain).toBe(other.subdomain);
    expect(instances[0].apiKeyFingerprint).toBe(fingerprint(other.apiKeys[0]));
    expect(instances[0].tokenFingerprint).not.toBe(tokenFingerprint);
    expect(fingerprint(up.outputs.token.value)).toBe(instances[0].tokenFingerprint);
    tokens[newId] = up.outputs.token.value;
    instanceId = newId;
    tokenFingerprint = instances[0].tokenFingerprint;
});

test("destroy: the emulator holds no instance of the stack", async () => {
    const mark = await ctx.log.mark();
    const destroy = await stack.destroy({ onOutput: printed.onOutput });
    expect(destroy.summary.resourceChanges).toEqual({ delete: 2 });
    expect(describeRequests(await ctx.log.since(mark))).toEqual([`DELETE /instances/${instanceId} 200`]);
    expect(await ctx.control.instances()).toEqual([]);
    expect(await stateResources()).toEqual([]);
    await stack.workspace.removeStack("dev");
});

test("no secret appeared in any CLI output of this file", () => {
    expect(Object.keys(tokens).length).toBeGreaterThanOrEqual(2);
    expect(findSecrets(printed.text(), allSecrets())).toEqual([]);
});
