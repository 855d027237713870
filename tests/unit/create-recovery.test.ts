/**
 * Create recovery against the emulator's faults, retries and lost answers: idempotent calls are retried on
 * 429/5xx/network errors; a POST whose outcome is unknown is looked up by its create nonce before it is tried again
 * (never a second instance). Late commits and verified lookups: create-recovery-late.test.ts; the operation deadline
 * and partial failures: create-recovery-deadline.test.ts.
 */
import { CloudElementsError } from "../../provider/api/errors";
import * as impl from "../../provider/hosts/dynamic/implementation";
import { lookupLine, useCreateRecovery } from "../helpers/create-recovery";
import { acme } from "../helpers/emulator";

const { emulator, configure, checked, log, logOf, createOne, expectSingleInstance, postedNonce } = useCreateRecovery();

describe("retries of idempotent calls", () => {
    it("GET honours Retry-After on 429", async () => {
        const { id, outs } = await createOne();
        await emulator().control.addFault({ kind: "status", method: "GET", status: 429, retryAfterSeconds: 1 });
        const started = Date.now();
        const result = await impl.read(id, outs);
        expect(result.id).toBe(id);
        expect(Date.now() - started).toBeGreaterThanOrEqual(950);
        expect(await log()).toEqual([`GET /instances/${id} 429`, `GET /instances/${id} 200`]);
    });

    it("PATCH is retried on 5xx and keeps the token", async () => {
        const { id, outs } = await createOne();
        await emulator().control.addFault({ kind: "status", method: "PATCH", status: 503, count: 2 });
        const result = await impl.update(id, outs, await checked({ name: "renamed" }));
        expect(result.outs?.token).toBe(outs.token);
        expect(await log()).toEqual([
            `PATCH /instances/${id} 503`,
            `PATCH /instances/${id} 503`,
            `PATCH /instances/${id} 200`,
        ]);
        expect((await emulator().control.instances())[0].name).toBe("renamed");
    });

    it("DELETE is retried after a dropped connection", async () => {
        const { id, outs } = await createOne();
        await emulator().control.addFault({ kind: "reset", method: "DELETE" });
        await impl.delete(id, outs);
        expect(await log()).toEqual([`DELETE /instances/${id} 0`, `DELETE /instances/${id} 200`]);
        expect(await emulator().control.instances()).toEqual([]);
    });

    it("DELETE whose answer was lost succeeds on the retry's 404", async () => {
        const { id, outs } = await createOne();
        await emulator().control.addFault({ kind: "commit-then-drop", method: "DELETE" });
        await impl.delete(id, outs);
        expect(await log()).toEqual([`DELETE /instances/${id} 0`, `DELETE /instances/${id} 404`]);
    });

    it("GET is retried after a timeout", async () => {
        await configure({ "cloudelements:maxRetries": "2", "cloudelements:timeoutMs": "300" });
        const { id, outs } = await createOne();
        await emulator().control.addFault({ kind: "latency", method: "GET", latencyMs: 1000, count: 1 });
        await expect(impl.read(id, outs)).resolves.toMatchObject({ id });
        // The abandoned first attempt completes (status 0: nobody listening) after the retry.
        expect((await logOf(2)).sort()).toEqual([`GET /instances/${id} 0`, `GET /instances/${id} 200`]);
    });

    it("gives up after maxRetries with a clear error", async () => {
        await configure({ "cloudelements:maxRetries": "1" });
        const { id, outs } = await createOne();
        await emulator().control.addFault({ kind: "status", method: "GET", status: 500, count: 0 });
        await expect(impl.read(id, outs)).rejects.toThrow(
            /reading instance \d+: Cloud Elements GET \/instances\/\d+ failed: HTTP 500/,
        );
        expect(await log()).toEqual([`GET /instances/${id} 500`, `GET /instances/${id} 500`]);
    });

    it("does not retry a 4xx", async () => {
        const { id, outs } = await createOne();
        await emulator().control.addFault({
            kind: "respond",
            method: "PATCH",
            status: 400,
            body: '{"message":"nope","requestId":"0123456789abcdef01234567"}',
        });
        await expect(impl.update(id, outs, await checked({ name: "x" }))).rejects.toThrow(/HTTP 400: nope/);
        expect(await log()).toEqual([`PATCH /instances/${id} 400`]);
    });
});

describe("POST /instances with lost or refused answers never makes a second instance", () => {
    it("429: retried as is (nothing was created), honouring Retry-After, without a lookup", async () => {
        const inputs = await checked();
        await emulator().control.addFault({ kind: "status", method: "POST", status: 429, retryAfterSeconds: 1 });
        const result = await impl.create(inputs);
        expect(await log()).toEqual(["POST /instances 429", "POST /instances 200"]);
        await expectSingleInstance(result.outs!, inputs.createMarker!);
        expect(result.outs).not.toHaveProperty("unconfirmedCreate");
    });

    it("connection reset before processing: looked up (for a while: the server may still work on it), then tried again", async () => {
        await configure({ "cloudelements:maxRetries": "3", "cloudelements:timeoutMs": "1000" });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "reset", method: "POST" });
        const result = await impl.create(inputs);
        const nonce = result.outs!.createNonce!;
        const lines = await log();
        expect(lines.filter((line) => line.startsWith("POST"))).toEqual(["POST /instances 0", "POST /instances 200"]);
        // Nothing is POSTed again before a lookup; after the answered POST, one final lookup.
        expect(lines[1]).toBe(lookupLine(nonce, 404));
        expect(lines.at(-1)).toBe(lookupLine(nonce, 200));
        expect(
            lines.filter((line) => !line.startsWith("POST")).every((line) => line.startsWith("GET /instances?")),
        ).toBe(true);
        await expectSingleInstance(result.outs!, inputs.createMarker!);
        expect(result.outs).toMatchObject({ unconfirmedCreate: true, createNonce: nonce });
    });

    it("committed, then the connection dropped: the lookup finds it and no second POST is sent", async () => {
        const inputs = await checked();
        await emulator().control.addFault({ kind: "commit-then-drop", method: "POST" });
        const result = await impl.create(inputs);
        const [instance] = await emulator().control.instances();
        const nonce = result.outs!.createNonce!;
        expect(instance.tags).toEqual(["t", `pulumi-marker:${inputs.createMarker}`, `pulumi-create:${nonce}`]);
        expect(await log()).toEqual(["POST /instances 0", lookupLine(nonce, 200), `GET /instances/${instance.id} 200`]);
        expect(result.id).toBe(String(instance.id));
        await expectSingleInstance(result.outs!, inputs.createMarker!);
        expect(result.outs).toMatchObject({ tags: ["t"], createMarker: inputs.createMarker, apiKey: acme.apiKey });
    });

    it("answer slower than the timeout (committed at once): found by its nonce, not created twice", async () => {
        await configure({ "cloudelements:maxRetries": "3", "cloudelements:timeoutMs": "300" });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "delay", method: "POST", delayMs: 1500 });
        const result = await impl.create(inputs);
        const [instance] = await emulator().control.instances();
        // In arrival order; the POST shows status 0 because the client had given up when the answer went out.
        expect(await logOf(3)).toEqual([
            "POST /instances 0",
            lookupLine(result.outs!.createNonce!, 200),
            `GET /instances/${instance.id} 200`,
        ]);
        await expectSingleInstance(result.outs!, inputs.createMarker!);
    });

    // The same 500 case against both empty answers the reference allows for a tag search (404 and `[]`).
    it.each([
        ["500: one lookup finds nothing (404), the POST is tried again, a final lookup confirms", "404", 404],
        ["an empty search answered [] (instead of the 404) means none too", "[]", 200],
    ] as const)("%s", async (_title, emptyTagSearch, emptyStatus) => {
        await emulator().control.setSettings({ emptyTagSearch });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "status", method: "POST", status: 500 });
        const result = await impl.create(inputs);
        const nonce = result.outs!.createNonce!;
        expect(await log()).toEqual([
            "POST /instances 500",
            lookupLine(nonce, emptyStatus),
            "POST /instances 200",
            lookupLine(nonce, 200),
        ]);
        await expectSingleInstance(result.outs!, inputs.createMarker!);
    });

    it("persistent 5xx: gives up saying that an instance may still exist and which tag finds it", async () => {
        await configure({ "cloudelements:maxRetries": "1", "cloudelements:timeoutMs": "500" });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "status", method: "POST", status: 502, count: 0 });
        const err = await impl.create(inputs).catch((e) => e);
        expect(CloudElementsError.isInstance(err)).toBe(true);
        const nonce = await postedNonce();
        expect(err.message).toMatch(/HTTP 502.*gave up after 2 attempts; an instance may still exist/);
        expect(err.message).toContain(`pulumi-create:${nonce}`);
        expect(err.message).not.toMatch(/no instance was created/);
        expect((await log()).filter((line) => line.startsWith("POST"))).toHaveLength(2);
        expect(await emulator().control.instances()).toEqual([]);
    });

    it("never reached a server at all: says so (and only then) that nothing was created", async () => {
        await configure({ "cloudelements:maxRetries": "1", "cloudelements:baseUrl": "http://127.0.0.1:9" });
        const err = await impl.create(await checked()).catch((e) => e);
        expect(err.message).toMatch(/gave up after 2 attempts; no instance was created: no request reached/);
    });

    it("a clear refusal after an ambiguous attempt: looks once more, then says an instance may exist", async () => {
        const inputs = await checked();
        await emulator().control.addFault({ kind: "status", method: "POST", status: 500 });
        await emulator().control.addFault({
            kind: "respond",
            method: "POST",
            status: 400,
            body: '{"message":"nope","requestId":"0123456789abcdef01234567"}',
        });
        const err = await impl.create(inputs).catch((e) => e);
        const nonce = await postedNonce();
        expect(err.message).toMatch(/HTTP 400: nope.*an instance may still exist/);
        expect(await log()).toEqual([
            "POST /instances 500",
            lookupLine(nonce, 404),
            "POST /instances 400",
            lookupLine(nonce, 404),
        ]);
    });

    it("lookup impossible too: says the outcome is unknown and names the tag to look for", async () => {
        await configure({ "cloudelements:maxRetries": "0" });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "commit-then-drop", method: "POST" });
        await emulator().control.addFault({ kind: "status", method: "GET", path: "^/instances$", status: 503 });
        const err = await impl.create(inputs).catch((e) => e);
        expect(err.message).toContain(`whether the instance was created is unknown`);
        expect(err.message).toContain(`pulumi-marker:${inputs.createMarker}`);
        expect(err.message).toContain(`pulumi-create:${await postedNonce()}`);
        expect(err.message).toContain("An instance may exist");
        expect(err.message).toContain("adoptInstanceId");
    });

    it("a JSON 404 that is not the documented empty answer is not taken for 'none found'", async () => {
        await configure({ "cloudelements:maxRetries": "1" });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "status", method: "POST", status: 500 });
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            path: "^/instances$",
            status: 404,
            body: '{"message":"No account found for the given user","requestId":"0123456789abcdef01234567"}',
        });
        const err = await impl.create(inputs).catch((e) => e);
        expect(err.message).toMatch(/whether the instance was created is unknown.*No account found for the given user/);
        expect((await log()).filter((line) => line.startsWith("POST"))).toEqual(["POST /instances 500"]);
    });
});
