/**
 * Create recovery against the emulator's faults, late commits and lookups: late commits are deleted by the final
 * lookup or the next refresh/update; lookups read every page and act only on verified instances; one keep rule for
 * create and recover. Retries and lost answers: create-recovery.test.ts.
 */
import * as impl from "../../provider/hosts/dynamic/implementation";
import { instanceToKeep } from "../../provider/lifecycle/lookup";
import { lookupLine, providerText, useCreateRecovery } from "../helpers/create-recovery";
import { acme, callApi, devAccounts, type StateProps } from "../helpers/emulator";
import { until } from "../helpers/reliability";

const { emulator, configure, checked, log, postedNonce, instancesReach } = useCreateRecovery();

describe("late commits: a POST that commits after the lookups leaves no duplicate", () => {
    it("the final lookup deletes a duplicate committed while the retry was on its way", async () => {
        await configure({ "cloudelements:maxRetries": "3", "cloudelements:timeoutMs": "3000" });
        const inputs = await checked();
        // The first POST commits and loses its answer; every lookup is hidden until the retry has arrived.
        await emulator().control.addFault({ kind: "commit-then-drop", method: "POST" });
        const retry = await emulator().control.addFault({ kind: "delay", method: "POST", delayMs: 1500 });
        const hide = await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            path: "^/instances$",
            status: 200,
            body: "[]",
            count: 0,
        });
        const created = impl.create(inputs);
        // The retry has arrived when its fault is used up; it answers 1.5 s later.
        expect(
            await until(async () => !(await emulator().control.faults()).some((f) => f.id === retry.id), 15_000, 10),
        ).toBe(true);
        await emulator().control.removeFault(hide.id);
        const result = await created;
        const nonce = result.outs!.createNonce!;
        const instances = await emulator().control.instances();
        expect(instances.map((i) => i.id)).toEqual([Number(result.id)]);
        const lines = await log();
        const [first] = lines.filter((line) => line.startsWith("DELETE"));
        expect(lines.slice(-2)).toEqual([lookupLine(nonce, 200), first]);
        expect(first).toMatch(/^DELETE \/instances\/\d+ 200$/);
        expect(first).not.toContain(result.id);
        // Both attempts' instances were seen (one kept, one deleted): no attempt can commit another.
        expect(result.outs).not.toHaveProperty("unconfirmedCreate");
    });

    it("POST latency longer than the client timeout, committed after every lookup: the next refresh deletes the duplicate", async () => {
        await configure({ "cloudelements:maxRetries": "3", "cloudelements:timeoutMs": "300" });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "delay", method: "POST", delayMs: 3000, commit: "after" });
        const result = await impl.create(inputs);
        const outs = { ...result.outs, __provider: providerText } as StateProps;
        expect(outs.unconfirmedCreate).toBe(true);
        expect(Date.parse(outs.unconfirmedCreateUntil!)).toBeGreaterThan(Date.now() + 250_000);
        expect((await emulator().control.instances()).map((i) => i.id)).toEqual([Number(result.id)]);

        await instancesReach(2);
        const late = (await emulator().control.instances()).find((i) => i.id !== Number(result.id));
        expect(late?.tags).toContain(`pulumi-create:${outs.createNonce}`);
        await emulator().control.reset({ requests: true });
        const refreshed = await impl.read(result.id, outs);
        expect((await emulator().control.instances()).map((i) => i.id)).toEqual([Number(result.id)]);
        expect(await log()).toEqual([
            `GET /instances/${result.id} 200`,
            lookupLine(outs.createNonce!, 200),
            `DELETE /instances/${late?.id} 200`,
        ]);
        // One ambiguous attempt, one answered, both instances seen: no attempt can commit another, the create is
        // confirmed before operationTimeoutMs is over.
        expect(outs.unconfirmedCreatePending).toBe(1);
        expect(refreshed.props).not.toHaveProperty("unconfirmedCreate");
        expect(refreshed.props).not.toHaveProperty("unconfirmedCreatePending");
    });

    it("the same with a 503 on the retry: the next update deletes the duplicate before its PATCH", async () => {
        await configure({ "cloudelements:maxRetries": "3", "cloudelements:timeoutMs": "300" });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "delay", method: "POST", delayMs: 3000, commit: "after" });
        await emulator().control.addFault({ kind: "status", method: "POST", status: 503 });
        const result = await impl.create(inputs);
        const outs = { ...result.outs, __provider: providerText } as StateProps;
        expect((await log()).filter((line) => line.startsWith("POST"))).toEqual([
            "POST /instances 503",
            "POST /instances 200",
        ]);
        await instancesReach(2);
        const late = (await emulator().control.instances()).find((i) => i.id !== Number(result.id));
        await emulator().control.reset({ requests: true });
        const updated = await impl.update(result.id, outs, await checked({ name: "renamed" }));
        expect(await log()).toEqual([
            lookupLine(outs.createNonce!, 200),
            `DELETE /instances/${late?.id} 200`,
            `PATCH /instances/${result.id} 200`,
        ]);
        const [kept] = await emulator().control.instances();
        expect(kept).toMatchObject({ id: Number(result.id), name: "renamed" });
        expect(kept.tags).toEqual(["t", `pulumi-marker:${inputs.createMarker}`, `pulumi-create:${outs.createNonce}`]);
        // The 503 attempt may still be counted as a commit to come: the flag stays, one instance fewer pending.
        expect(outs.unconfirmedCreatePending).toBe(2);
        expect(updated.outs).toMatchObject({
            unconfirmedCreate: true,
            unconfirmedCreatePending: 1,
            createNonce: outs.createNonce,
        });
    });

    it("a sweep later than operationTimeoutMs after the create clears the flag; without the flag, no lookup", async () => {
        const inputs = await checked();
        await emulator().control.addFault({ kind: "status", method: "POST", status: 500 });
        const result = await impl.create(inputs);
        const outs = { ...result.outs, __provider: providerText } as StateProps;
        await emulator().control.reset({ requests: true });
        const past = new Date(Date.now() - 1000).toISOString();
        const refreshed = await impl.read(result.id, { ...outs, unconfirmedCreateUntil: past });
        expect(refreshed.props).not.toHaveProperty("unconfirmedCreate");
        expect(refreshed.props).not.toHaveProperty("unconfirmedCreateUntil");
        expect(await log()).toEqual([`GET /instances/${result.id} 200`, lookupLine(outs.createNonce!, 200)]);

        await emulator().control.reset({ requests: true });
        await impl.read(result.id, refreshed.props as StateProps);
        expect(await log()).toEqual([`GET /instances/${result.id} 200`]);
    });
});

describe("verified lookups", () => {
    it("a tag search that returns an instance without our tags fails loudly, keeping and deleting nothing", async () => {
        const inputs = await checked();
        const foreign = await callApi(emulator(), "POST", "/instances", {
            element: { key: "freshdeskv2" },
            name: "someone-else",
            tags: ["theirs"],
            configuration: { subdomain: "acme", username: acme.apiKey },
        });
        await emulator().control.reset({ requests: true });
        await emulator().control.addFault({ kind: "commit-then-drop", method: "POST" });
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            path: "^/instances$",
            status: 200,
            body: JSON.stringify([foreign]),
        });
        const err = await impl.create(inputs).catch((e) => e);
        const nonce = await postedNonce();
        expect(err.message).toContain(`returned instance ${foreign.id}, which lacks tag pulumi-marker:`);
        expect(err.message).toContain(`tag pulumi-create:${nonce}`);
        expect(err.message).toContain("nothing was kept or deleted");
        expect(err.message).toContain("An instance may exist");
        const lines = await log();
        expect(lines.filter((line) => !line.startsWith("GET /instances?"))).toEqual(["POST /instances 0"]);
        // Both survive: the foreign one, and ours (committed before the answer was lost; the message names its tag).
        expect((await emulator().control.instances()).map((i) => i.name).sort()).toEqual(["helpdesk", "someone-else"]);
    });

    it("light list entries are read one by one; an unreadable one stops the create", async () => {
        const inputs = await checked();
        await emulator().control.addFault({ kind: "commit-then-drop", method: "POST" });
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            path: "^/instances$",
            status: 200,
            body: JSON.stringify([{ id: 987654321 }]),
        });
        const err = await impl.create(inputs).catch((e) => e);
        expect(err.message).toMatch(/returned instance 987654321, which cannot be read .*HTTP 404/);
        expect((await log()).filter((line) => line.startsWith("DELETE"))).toEqual([]);
        expect(await emulator().control.instances()).toHaveLength(1);
    });

    it("reads every page (pageSize, nextPage), reads light entries, and deletes only verified duplicates", async () => {
        const inputs = await checked();
        await emulator().control.addFault({ kind: "status", method: "POST", status: 500 });
        const result = await impl.create(inputs);
        const outs = { ...result.outs, __provider: providerText } as StateProps;
        const ours = [`pulumi-marker:${inputs.createMarker}`, `pulumi-create:${outs.createNonce}`];
        const duplicate = async () =>
            callApi(emulator(), "POST", "/instances", {
                element: { key: "freshdeskv2" },
                name: "dup",
                tags: ours,
                configuration: { subdomain: "acme", username: acme.apiKey },
            });
        const [first, second] = [await duplicate(), await duplicate()];
        await emulator().control.reset({ requests: true });
        // Page 1 holds our own instance (light) and one duplicate; page 2 the other duplicate.
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            path: "^/instances$",
            status: 200,
            body: JSON.stringify([{ id: Number(result.id) }, first]),
            headers: { "Elements-Next-Page-Token": "page-2" },
        });
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            path: "^/instances$",
            status: 200,
            body: JSON.stringify([second]),
        });
        await impl.read(result.id, outs);
        const tag = encodeURIComponent(`pulumi-create:${outs.createNonce}`);
        expect(await log()).toEqual([
            `GET /instances/${result.id} 200`,
            `GET /instances?tags%5B%5D=${tag}&pageSize=200 200`,
            `GET /instances?tags%5B%5D=${tag}&pageSize=200&nextPage=page-2 200`,
            `GET /instances/${result.id} 200`,
            `DELETE /instances/${first.id} 200`,
            `DELETE /instances/${second.id} 200`,
        ]);
        expect((await emulator().control.instances()).map((i) => i.id)).toEqual([Number(result.id)]);
    });

    it("a replacement (same marker as the old instance) never takes the old instance for a duplicate", async () => {
        const old = await impl.create(await checked());
        const oldOuts = old.outs!;
        // check reuses the old inputs' marker, so the replacement's instance carries the same marker tag.
        const replacement = await impl.check(
            { ...oldOuts, __provider: providerText },
            {
                __provider: providerText,
                subdomain: "globex",
                apiKey: devAccounts.freshdesk[1].apiKeys[0],
                name: "helpdesk",
                tags: ["t"],
            },
        );
        expect(replacement.inputs.createMarker).toBe(oldOuts.createMarker);
        await emulator().control.reset({ requests: true });
        await emulator().control.addFault({ kind: "commit-then-drop", method: "POST" });
        const created = await impl.create({ ...replacement.inputs, __provider: providerText });
        expect(created.id).not.toBe(old.id);
        expect((await emulator().control.instances()).map((i) => String(i.id)).sort()).toEqual(
            [old.id, created.id].sort(),
        );
        expect((await log()).filter((line) => line.startsWith("DELETE"))).toEqual([]);
    });
});

describe("instanceToKeep: the one keep rule (create and recover)", () => {
    const instance = (id: number) => ({ id });
    it("keeps the instance whose POST answered, else the lowest id", () => {
        expect(instanceToKeep([instance(30), instance(10), instance(20)], 20)?.id).toBe(20);
        expect(instanceToKeep([instance(30), instance(10), instance(20)])?.id).toBe(10);
        expect(instanceToKeep([instance(30), instance(10)], 99)?.id).toBe(10);
        expect(instanceToKeep([])).toBeUndefined();
    });
});
