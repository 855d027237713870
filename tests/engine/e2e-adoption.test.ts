/**
 * Adoption (`adoptInstanceId`) end to end through the real CLI (Automation API inline programs) against the
 * emulator: adoption happens once, a replacement creates a fresh instance, an instance another stack manages is
 * refused unless taken over deliberately (`adoptTakeOver`), and an adopted instance deleted out of band converges
 * with refresh + up without editing the program. After every step: no instance lost, none duplicated, every state
 * id points at a live instance carrying the resource's marker, and no secret in CLI output or exported state.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { runPulumi, runStackCommand } from "../helpers/pulumi";
import { attempt, exportState } from "../helpers/reliability";
import {
    configDrivenStack,
    describeRequests,
    findSecrets,
    fingerprint,
    freshdeskResources,
    instanceById,
    outputCollector,
    setConfig,
    useE2E,
} from "../helpers/stacks";

jest.setTimeout(600_000);

const ctx = useE2E({ label: "adoption" });
const printed = outputCollector();
/** The token of every instance this file saw alive, for the secret sweeps (a deleted one's cannot be read). */
const tokens: Record<string, string> = {};

function newStack(stackName: string, config: Parameters<typeof configDrivenStack>[3]): Promise<Stack> {
    return configDrivenStack(ctx, "freshdesk-adoption", stackName, config);
}

/** An instance made outside Pulumi, as a user's existing integration. */
async function legacyInstance(name: string): Promise<number> {
    const [account] = ctx.accounts.freshdesk;
    const created = await ctx.api.createInstance({
        name,
        subdomain: account.subdomain,
        apiKey: account.apiKeys[0],
        tags: ["legacy"],
    });
    await knownSecrets();
    return created.id;
}

/**
 * The invariant after every step: each resource in each stack's state (as `pulumi stack export` shows it, secrets
 * encrypted) points at a live instance that carries its marker tag, no other instance carries that marker, no two
 * resources share an instance, and the state holds no secret in plaintext. Returns the state ids per stack.
 */
async function expectConsistent(...stacks: Stack[]): Promise<string[][]> {
    const instances = await ctx.control.instances();
    const idsPerStack: string[][] = [];
    const all: string[] = [];
    for (const stack of stacks) {
        const exported = await exportState(stack, ctx.backend);
        const resources = freshdeskResources(exported);
        for (const resource of resources) {
            const marker = `pulumi-marker:${resource.outputs.createMarker}`;
            const instance = instances.find((i) => String(i.id) === String(resource.id));
            expect(instance).toBeDefined();
            expect(instance!.tags).toContain(marker);
            expect(instances.filter((i) => i.tags.includes(marker)).map((i) => String(i.id))).toEqual([
                String(resource.id),
            ]);
        }
        expect(findSecrets(JSON.stringify(exported), await knownSecrets())).toEqual([]);
        const ids = resources.map((r) => String(r.id));
        idsPerStack.push(ids);
        all.push(...ids);
    }
    expect(new Set(all).size).toBe(all.length);
    return idsPerStack;
}

/** The accounts' secrets plus the token of every instance seen alive so far (recording the live ones now). */
async function knownSecrets(): Promise<Record<string, string>> {
    for (const instance of await ctx.control.instances()) {
        tokens[`token of ${instance.id}`] ??= await ctx.tokenOf(instance.id);
    }
    return { ...ctx.knownSecrets(), ...tokens };
}

async function up(stack: Stack, opts: { replace?: string[] } = {}) {
    return stack.up({ onOutput: printed.onOutput, ...opts });
}

async function removeStack(stack: Stack): Promise<void> {
    await runStackCommand(stack, "destroy", { onOutput: printed.onOutput });
    await stack.workspace.removeStack(stack.name);
}

function urnOf(stack: Stack): string {
    return `urn:pulumi:${stack.name}::freshdesk-adoption::pulumi-nodejs:dynamic/cloudelements:FreshdeskInstance::freshdesk`;
}

test("adopt, then change the subdomain: the replacement is a fresh instance; the adopted one is deleted as replaced", async () => {
    const legacyId = await legacyInstance("adopt-subdomain");
    const legacyToken = fingerprint(await ctx.tokenOf(legacyId));
    const stack = await newStack("subdomain", { name: "adopted-subdomain", adoptInstanceId: String(legacyId) });
    let mark = await ctx.log.mark();
    const adopted = await up(stack);
    expect(adopted.outputs.instanceId.value).toBe(legacyId);
    expect(fingerprint(adopted.outputs.token.value)).toBe(legacyToken);
    expect(describeRequests(await ctx.log.since(mark))).toEqual([
        `GET /instances/${legacyId} 200`,
        `PUT /instances/${legacyId}?reAuthenticate=true 200`,
    ]);
    expect(await expectConsistent(stack)).toEqual([[String(legacyId)]]);

    const [, other] = ctx.accounts.freshdesk;
    await setConfig(stack, { subdomain: other.subdomain, apiKey: { value: other.apiKeys[0], secret: true } });
    mark = await ctx.log.mark();
    const replaced = await up(stack);
    expect(replaced.summary.resourceChanges).toEqual({ same: 1, replace: 1 });
    const newId = replaced.outputs.instanceId.value;
    expect(newId).not.toBe(legacyId);
    // The target carries this resource's marker: it is not adopted again. A fresh instance is created first, then
    // the replaced (adopted) one is deleted, as in any replacement.
    const requests = describeRequests(await ctx.log.since(mark));
    expect(requests[0]).toBe(`GET /instances/${legacyId} 200`);
    expect(requests).toContain("POST /instances 200");
    expect(requests[requests.length - 1]).toBe(`DELETE /instances/${legacyId} 200`);
    expect(requests).not.toContain(`PUT /instances/${legacyId}?reAuthenticate=true 200`);
    expect(await instanceById(ctx.control, legacyId)).toBeUndefined();
    expect((await instanceById(ctx.control, newId))!.configuration.subdomain).toBe(other.subdomain);
    expect(await expectConsistent(stack)).toEqual([[String(newId)]]);

    const settled = await stack.preview({ onOutput: printed.onOutput });
    expect(settled.changeSummary).toEqual({ same: 2 });
    await removeStack(stack);
    expect(await instanceById(ctx.control, newId)).toBeUndefined();
});

test("adopt, then up --replace: a fresh instance replaces the adopted one; nothing is lost or duplicated", async () => {
    const legacyId = await legacyInstance("adopt-replace");
    const stack = await newStack("replace", { name: "adopted-replace", adoptInstanceId: String(legacyId) });
    await up(stack);
    expect(await expectConsistent(stack)).toEqual([[String(legacyId)]]);

    const replaced = await up(stack, { replace: [urnOf(stack)] });
    expect(replaced.summary.resourceChanges).toEqual({ same: 1, replace: 1 });
    const newId = replaced.outputs.instanceId.value;
    expect(newId).not.toBe(legacyId);
    expect(await instanceById(ctx.control, legacyId)).toBeUndefined();
    expect(await expectConsistent(stack)).toEqual([[String(newId)]]);

    // A second --replace behaves the same (the fresh instance carries the marker, no adoptInstanceId involved).
    const again = await up(stack, { replace: [urnOf(stack)] });
    const third = again.outputs.instanceId.value;
    expect(third).not.toBe(newId);
    expect(await instanceById(ctx.control, newId)).toBeUndefined();
    expect(await expectConsistent(stack)).toEqual([[String(third)]]);
    await removeStack(stack);
    expect(await instanceById(ctx.control, third)).toBeUndefined();
});

test("adopt, delete out of band, refresh, up: the resource leaves state, then a fresh instance is created", async () => {
    const legacyId = await legacyInstance("adopt-deleted");
    const stack = await newStack("deleted", { name: "adopted-deleted", adoptInstanceId: String(legacyId) });
    await up(stack);
    expect(await expectConsistent(stack)).toEqual([[String(legacyId)]]);

    await ctx.api.deleteInstance(legacyId);
    let mark = await ctx.log.mark();
    const refresh = await stack.refresh({ onOutput: printed.onOutput });
    expect(refresh.summary.resourceChanges).toEqual({ same: 1, delete: 1 });
    const confirm = describeRequests(await ctx.log.since(mark));
    expect(confirm[0]).toBe(`GET /instances/${legacyId} 404`);
    expect(confirm[1]).toMatch(/^GET \/instances\?.*tags%5B%5D=pulumi-marker%3A[0-9a-f-]+.* 404$/);
    expect(await expectConsistent(stack)).toEqual([[]]);

    // The program still says adoptInstanceId: the target is confirmed gone, so a fresh instance is created.
    mark = await ctx.log.mark();
    const converged = await up(stack);
    expect(converged.summary.resourceChanges).toEqual({ same: 1, create: 1 });
    const newId = converged.outputs.instanceId.value;
    expect(newId).not.toBe(legacyId);
    const requests = describeRequests(await ctx.log.since(mark));
    expect(requests[0]).toBe(`GET /instances/${legacyId} 404`);
    // Confirmed by listing every instance (the target's marker is unknown): it is not among them.
    expect(requests[1]).toMatch(/^GET \/instances(\?.*)? (200|404)$/);
    expect(requests.slice(2)).toEqual(["POST /instances 200"]);
    expect(await expectConsistent(stack)).toEqual([[String(newId)]]);

    const settled = await stack.preview({ onOutput: printed.onOutput });
    expect(settled.changeSummary).toEqual({ same: 2 });
    await removeStack(stack);
});

test("two stacks adopting one instance: the second is refused naming the marker; adoptTakeOver moves it deliberately", async () => {
    const legacyId = await legacyInstance("adopt-twice");
    const first = await newStack("owner", { name: "owner", adoptInstanceId: String(legacyId) });
    await up(first);
    const [ownerState] = freshdeskResources(await exportState(first, ctx.backend));
    const ownerMarker = `pulumi-marker:${ownerState.outputs.createMarker}`;

    const second = await newStack("intruder", { name: "intruder", adoptInstanceId: String(legacyId) });
    const before = await instanceById(ctx.control, legacyId);
    const refused = await attempt((o) => runStackCommand(second, "up", o));
    printed.onOutput(refused.output);
    expect(refused.ok).toBe(false);
    expect(refused.output).toContain(
        `adoptInstanceId ${legacyId}: instance ${legacyId} is managed by another Pulumi resource (tag ${ownerMarker})`,
    );
    expect(refused.output).toContain("adoptTakeOver: true");
    expect(refused.output).toContain("pulumi state delete <urn>");
    expect(await instanceById(ctx.control, legacyId)).toEqual(before);
    expect(await expectConsistent(first, second)).toEqual([[String(legacyId)], []]);

    // The documented move: remove it from the owner's state without deleting it, then take it over.
    const removed = await runPulumi(["state", "delete", urnOf(first), "--yes", "--stack", first.name], {
        cwd: first.workspace.workDir,
        backend: ctx.backend,
    });
    printed.onOutput(`${removed.stdout}${removed.stderr}`);
    expect(removed.code).toBe(0);
    await setConfig(second, { adoptTakeOver: true });
    const moved = await up(second);
    expect(moved.outputs.instanceId.value).toBe(legacyId);
    const [intruderState] = freshdeskResources(await exportState(second, ctx.backend));
    const tags = (await instanceById(ctx.control, legacyId))!.tags;
    expect(tags).toContain(`pulumi-marker:${intruderState.outputs.createMarker}`);
    expect(tags).not.toContain(ownerMarker);
    expect(await expectConsistent(first, second)).toEqual([[], [String(legacyId)]]);

    // Destroying the old owner deletes nothing; destroying the new one deletes the instance.
    const mark = await ctx.log.mark();
    await removeStack(first);
    expect(await ctx.log.since(mark)).toEqual([]);
    expect(await instanceById(ctx.control, legacyId)).toBeDefined();
    await removeStack(second);
    expect(await instanceById(ctx.control, legacyId)).toBeUndefined();
});

test("no secret appeared in any CLI output of this file", async () => {
    expect(Object.keys(tokens).length).toBeGreaterThan(0);
    expect(findSecrets(printed.text(), { ...ctx.knownSecrets(), ...tokens })).toEqual([]);
});
