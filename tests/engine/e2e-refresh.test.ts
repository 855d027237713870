/**
 * Refresh end to end through the real CLI (Automation API inline programs) against the emulator: a refresh forgets
 * only what is really gone, invents no drift for what the GET leaves out, and never writes a secret read back in
 * clear into state. After every step: no instance lost, none duplicated, the state id points at a live instance,
 * and no secret in CLI output or exported state.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { foreignSignatureKey } from "../../provider/model/mapping";
import { runStackCommand } from "../helpers/pulumi";
import { attempt, exportState } from "../helpers/reliability";
import {
    configDrivenStack,
    describeRequests,
    findSecrets,
    freshdeskResources,
    outputCollector,
    useE2E,
} from "../helpers/stacks";

jest.setTimeout(600_000);

const ctx = useE2E({ label: "refresh" });
const printed = outputCollector();
const tokens: Record<string, string> = {};
const callbackUrl = "https://hooks.example.com/refresh";

function newStack(stackName: string, config: Parameters<typeof configDrivenStack>[3]): Promise<Stack> {
    return configDrivenStack(ctx, "freshdesk-refresh", stackName, config);
}

/** The stack's one instance id after the invariant holds: state and emulator agree one to one, nothing leaks. */
async function expectOneLiveInstance(stack: Stack, extraSecrets: Record<string, string> = {}): Promise<string> {
    const exported = await exportState(stack, ctx.backend);
    const [resource, ...more] = freshdeskResources(exported);
    expect(more).toEqual([]);
    const marker = `pulumi-marker:${resource.outputs.createMarker}`;
    const carrying = (await ctx.control.instances()).filter((i) => i.tags.includes(marker));
    expect(carrying.map((i) => String(i.id))).toEqual([String(resource.id)]);
    tokens[`token of ${resource.id}`] ??= await ctx.tokenOf(resource.id);
    expect(findSecrets(JSON.stringify(exported), { ...ctx.knownSecrets(), ...tokens, ...extraSecrets })).toEqual([]);
    return String(resource.id);
}

async function removeStack(stack: Stack): Promise<void> {
    await runStackCommand(stack, "destroy", { onOutput: printed.onOutput });
    await stack.workspace.removeStack(stack.name);
}

test("a GET 404 that is not about the instance fails the refresh; the state keeps the instance, nothing is duplicated", async () => {
    const stack = await newStack("foreign-404", { name: "refresh-foreign-404" });
    await runStackCommand(stack, "up", { onOutput: printed.onOutput });
    const id = await expectOneLiveInstance(stack);

    await ctx.control.addFault({
        kind: "respond",
        method: "GET",
        path: "^/instances/\\d+$",
        status: 404,
        body: JSON.stringify({ requestId: "0123456789abcdef01234567", message: "No account found for the given user" }),
    });
    const mark = await ctx.log.mark();
    const refresh = await attempt((o) => runStackCommand(stack, "refresh", o));
    printed.onOutput(refresh.output);
    expect(refresh.ok).toBe(false);
    expect(refresh.output).toContain(
        `refreshing instance ${id}: GET /instances/${id} answered HTTP 404 ("No account found for the given user"), ` +
            "but the instance still exists (searching by its tag pulumi-marker:",
    );
    expect(refresh.output).toContain("not removing it from state");
    const requests = describeRequests(await ctx.log.since(mark));
    expect(requests[0]).toBe(`GET /instances/${id} 404`);
    expect(requests[1]).toMatch(/^GET \/instances\?.*tags%5B%5D=pulumi-marker%3A.* 200$/);
    expect(await expectOneLiveInstance(stack)).toBe(id);

    // Once the API answers normally, refresh and up change nothing and create no second instance.
    const again = await stack.refresh({ onOutput: printed.onOutput });
    expect(again.summary.resourceChanges).toEqual({ same: 2 });
    const up = await stack.up({ onOutput: printed.onOutput });
    expect(up.summary.resourceChanges).toEqual({ same: 2 });
    expect(await expectOneLiveInstance(stack)).toBe(id);
    await removeStack(stack);
});

test("a GET without configuration, or with keys left out, invents no drift", async () => {
    const stack = await newStack("no-configuration", {
        name: "refresh-no-configuration",
        filterResponseNulls: false,
        events: { callbackUrl, resources: ["agents"], pollingIntervalMinutes: 7 },
    });
    await runStackCommand(stack, "up", { onOutput: printed.onOutput });
    const id = await expectOneLiveInstance(stack);
    const full = await ctx.api.getInstance(id);
    const { configuration, ...withoutConfiguration } = full;
    const partial = {
        ...full,
        configuration: { subdomain: configuration.subdomain, "event.notification.enabled": "true" },
    };

    for (const body of [withoutConfiguration, partial]) {
        await ctx.control.addFault({ kind: "respond", method: "GET", status: 200, body: JSON.stringify(body) });
        const refresh = await stack.refresh({ onOutput: printed.onOutput });
        expect(refresh.summary.resourceChanges).toEqual({ same: 2 });
        const mark = await ctx.log.mark();
        const preview = await stack.preview({ onOutput: printed.onOutput });
        expect(preview.changeSummary).toEqual({ same: 2 });
        expect(await ctx.log.since(mark)).toEqual([]);
        expect(await expectOneLiveInstance(stack)).toBe(id);
    }
    await removeStack(stack);
});

test("a signature key set out of band (returned in clear) never reaches state; the next up clears it", async () => {
    const stack = await newStack("signature", { name: "refresh-signature", events: { callbackUrl } });
    await runStackCommand(stack, "up", { onOutput: printed.onOutput });
    const id = await expectOneLiveInstance(stack);

    const foreign = "out-of-band-signature-key-7f3a9c";
    await ctx.api.patchInstance(id, { configuration: { "event.notification.signature.key": foreign } });
    expect((await ctx.api.getInstance(id)).configuration["event.notification.signature.key"]).toBe(foreign);

    const refreshText = outputCollector();
    const refresh = await stack.refresh({ onOutput: refreshText.onOutput });
    printed.onOutput(refreshText.text());
    expect(refresh.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(refreshText.text()).not.toContain(foreign);
    expect(await expectOneLiveInstance(stack, { foreign })).toBe(id);
    // Not even decrypted: the value was never written, only a placeholder that shows the drift.
    const revealed = JSON.stringify(await stack.exportStack());
    expect(revealed).not.toContain(foreign);
    const [resource] = freshdeskResources(await exportState(stack, ctx.backend));
    expect(resource.outputs.events.signatureKey).toBe(foreignSignatureKey);

    const up = await stack.up({ onOutput: printed.onOutput });
    expect(up.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect((await ctx.api.getInstance(id)).configuration["event.notification.signature.key"] ?? "").toBe("");
    const settled = await stack.preview({ onOutput: printed.onOutput });
    expect(settled.changeSummary).toEqual({ same: 2 });
    expect(await expectOneLiveInstance(stack, { foreign })).toBe(id);
    await removeStack(stack);
});

test("the program's own signature key, read back in clear, stays encrypted in state", async () => {
    const signatureKey = "program-signature-key-51d2e8";
    const stack = await newStack("own-signature", {
        name: "refresh-own-signature",
        // Secret config: the engine records the stack config in state (the default provider's inputs).
        events: { value: JSON.stringify({ callbackUrl, signatureKey }), secret: true },
    });
    await runStackCommand(stack, "up", { onOutput: printed.onOutput });
    const id = await expectOneLiveInstance(stack, { signatureKey });
    expect((await ctx.api.getInstance(id)).configuration["event.notification.signature.key"]).toBe(signatureKey);
    const refresh = await stack.refresh({ onOutput: printed.onOutput });
    expect(refresh.summary.resourceChanges).toEqual({ same: 2 });
    expect(await expectOneLiveInstance(stack, { signatureKey })).toBe(id);
    expect(findSecrets(printed.text(), { signatureKey })).toEqual([]);
    await removeStack(stack);
});

test("no secret appeared in any CLI output of this file", () => {
    expect(Object.keys(tokens).length).toBeGreaterThan(0);
    expect(findSecrets(printed.text(), { ...ctx.knownSecrets(), ...tokens })).toEqual([]);
});
