/**
 * Retries and lost responses against the emulator's faults: idempotent calls are retried on 429/5xx/network errors,
 * a POST whose outcome is unknown is looked up by its marker before it is tried again (never a second instance),
 * and an instance that exists but could not be finished is reported as a partial failure, not orphaned.
 */
import { createRequire } from "node:module";
import { fingerprint } from "../../emulator";
import { CloudElementsError, PartialCreateError } from "../../provider/errors";
import * as impl from "../../provider/implementation";
import { acme, callApi, configReader, connectionConfig, pathsContaining, useEmulator } from "../helpers/emulator";

const emulator = useEmulator();
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi"));
const { Struct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb");
const provproto = pulumiRequire("@pulumi/pulumi/proto/provider_pb");

const providerText = "exports.handler = __f0; /* stub */";

async function configure(overrides: Record<string, string> = {}): Promise<void> {
    await impl.configure({ config: configReader(connectionConfig(emulator(), overrides)) });
}

async function checked(news: Record<string, unknown> = {}): Promise<any> {
    const result = await impl.check(
        {},
        { __provider: providerText, subdomain: "acme", apiKey: acme.apiKey, name: "helpdesk", tags: ["t"], ...news },
    );
    expect(result.failures).toEqual([]);
    return { ...result.inputs, __provider: providerText };
}

async function log(): Promise<string[]> {
    return (await emulator().control.requests()).map((r) => {
        const query = Object.keys(r.query).length ? `?${new URLSearchParams(r.query as any)}` : "";
        return `${r.method} ${r.path.replace("/elements/api-v2", "")}${query} ${r.status}`;
    });
}

/** The log once it has `count` entries: a request the client gave up on is logged when the emulator finishes it. */
async function logOf(count: number): Promise<string[]> {
    const deadline = Date.now() + 5000;
    let lines = await log();
    while (lines.length < count && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        lines = await log();
    }
    return lines;
}

async function createOne(): Promise<{ id: string; outs: any; inputs: any }> {
    const inputs = await checked();
    const created = await impl.create(inputs);
    await emulator().control.reset({ requests: true });
    return { id: created.id, outs: { ...created.outs, __provider: providerText }, inputs };
}

/** The outs token belongs to the one instance in the emulator. */
async function expectSingleInstance(outs: any, marker: string): Promise<void> {
    const instances = await emulator().control.instances();
    expect(instances).toHaveLength(1);
    expect(instances[0].tags).toContain(`pulumi-marker:${marker}`);
    expect(fingerprint(outs.token)).toBe(instances[0].tokenFingerprint);
    expect(outs.instanceId).toBe(instances[0].id);
}

beforeEach(async () => {
    await configure({ "cloudelements:maxRetries": "3" });
});

afterAll(() => {
    impl.closeClients();
});

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
        expect((result.outs as any).token).toBe(outs.token);
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
        await expectSingleInstance(result.outs, inputs.createMarker);
    });

    it("connection reset before processing: lookup finds nothing, the POST is tried again", async () => {
        const inputs = await checked();
        await emulator().control.addFault({ kind: "reset", method: "POST" });
        const result = await impl.create(inputs);
        const marker = encodeURIComponent(`pulumi-marker:${inputs.createMarker}`);
        expect(await log()).toEqual([
            "POST /instances 0",
            // Nothing carries the marker yet: the API's empty answer is 404 "No instances found".
            `GET /instances?tags%5B%5D=${marker} 404`,
            "POST /instances 200",
            `GET /instances?tags%5B%5D=${marker} 200`,
        ]);
        await expectSingleInstance(result.outs, inputs.createMarker);
    });

    it("committed, then the connection dropped: the lookup finds it and no second POST is sent", async () => {
        const inputs = await checked();
        await emulator().control.addFault({ kind: "commit-then-drop", method: "POST" });
        const result = await impl.create(inputs);
        const [instance] = await emulator().control.instances();
        const marker = encodeURIComponent(`pulumi-marker:${inputs.createMarker}`);
        expect(await log()).toEqual([
            "POST /instances 0",
            `GET /instances?tags%5B%5D=${marker} 200`,
            `GET /instances/${instance.id} 200`,
        ]);
        expect(result.id).toBe(String(instance.id));
        await expectSingleInstance(result.outs, inputs.createMarker);
        expect(result.outs).toMatchObject({ tags: ["t"], createMarker: inputs.createMarker, apiKey: acme.apiKey });
    });

    it("answer slower than the timeout: found by its marker, not created twice", async () => {
        await configure({ "cloudelements:maxRetries": "3", "cloudelements:timeoutMs": "300" });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "delay", method: "POST", delayMs: 1500 });
        const result = await impl.create(inputs);
        const [instance] = await emulator().control.instances();
        const marker = encodeURIComponent(`pulumi-marker:${inputs.createMarker}`);
        // In arrival order; the POST shows status 0 because the client had given up when the answer went out.
        expect(await logOf(3)).toEqual([
            "POST /instances 0",
            `GET /instances?tags%5B%5D=${marker} 200`,
            `GET /instances/${instance.id} 200`,
        ]);
        await expectSingleInstance(result.outs, inputs.createMarker);
    });

    it("500: lookup finds nothing, the POST is tried again", async () => {
        const inputs = await checked();
        await emulator().control.addFault({ kind: "status", method: "POST", status: 500 });
        const result = await impl.create(inputs);
        expect((await log()).filter((line) => line.startsWith("POST"))).toEqual([
            "POST /instances 500",
            "POST /instances 200",
        ]);
        await expectSingleInstance(result.outs, inputs.createMarker);
    });

    it("persistent 5xx: gives up saying that nothing was created", async () => {
        await configure({ "cloudelements:maxRetries": "1" });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "status", method: "POST", status: 502, count: 0 });
        const err = await impl.create(inputs).catch((e) => e);
        expect(CloudElementsError.isInstance(err)).toBe(true);
        expect(err.message).toMatch(
            /HTTP 502.*gave up after 2 attempts; no instance was created: none carries the tag pulumi-marker:/,
        );
        expect((await log()).filter((line) => line.startsWith("POST"))).toHaveLength(2);
        expect(await emulator().control.instances()).toEqual([]);
    });

    it("lookup impossible too: says the outcome is unknown and names the tag to look for", async () => {
        await configure({ "cloudelements:maxRetries": "0" });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "commit-then-drop", method: "POST" });
        await emulator().control.addFault({ kind: "status", method: "GET", path: "^/instances$", status: 503 });
        const err = await impl.create(inputs).catch((e) => e);
        expect(err.message).toContain(`whether the instance was created is unknown`);
        expect(err.message).toContain(`pulumi-marker:${inputs.createMarker}`);
        expect(err.message).toContain("adoptInstanceId");
    });

    it("deletes a duplicate committed by an attempt whose answer was lost", async () => {
        const inputs = await checked();
        // A duplicate carrying the marker appears (a slow earlier attempt) that the first lookup did not see.
        const duplicate = await callApi(emulator(), "POST", "/instances", {
            element: { key: "freshdeskv2" },
            name: "dup",
            tags: [`pulumi-marker:${inputs.createMarker}`],
            configuration: { subdomain: "acme", username: acme.apiKey },
        });
        await emulator().control.reset({ requests: true });
        await emulator().control.addFault({ kind: "status", method: "POST", status: 500 });
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            path: "^/instances$",
            status: 200,
            body: "[]",
        });
        const result = await impl.create(inputs);
        const instances = await emulator().control.instances();
        expect(instances.map((i) => i.id)).toEqual([Number(result.id)]);
        expect(instances[0].id).not.toBe(duplicate.id);
        expect((await log()).slice(-2)).toEqual([
            `GET /instances?tags%5B%5D=${encodeURIComponent(`pulumi-marker:${inputs.createMarker}`)} 200`,
            `DELETE /instances/${duplicate.id} 200`,
        ]);
    });
});

describe("partial failures", () => {
    function expectRecognisedByRuntime(err: any): void {
        // The fields grpcResponseFromError (cmd/dynamic-provider) reads, converted the way it converts them.
        expect(typeof err.id).toBe("string");
        expect(err.id).not.toBe("");
        const detail = new provproto.ErrorResourceInitFailed();
        detail.setId(err.id);
        detail.setProperties(Struct.fromJavaScript(err.properties));
        detail.setReasonsList(err.reasons);
        expect(detail.getReasonsList().length).toBeGreaterThan(0);
        expect(err.properties.__provider).toBe(providerText);
    }

    it("an answer that is not a freshdeskv2 instance: reported with the id, the inputs and the reason", async () => {
        const inputs = await checked();
        await emulator().control.addFault({
            kind: "respond",
            method: "POST",
            status: 200,
            body: JSON.stringify({ id: 777, name: "helpdesk", token: "tok-777", element: { id: 1, key: "zendesk" } }),
        });
        const err = await impl.create(inputs).catch((e) => e);
        expect(PartialCreateError.isInstance(err)).toBe(true);
        expect(err.id).toBe("777");
        expect(err.reasons[0]).toMatch(/expected a Freshdesk V2 \(element key "freshdeskv2"\) instance/);
        expect(err.properties).toMatchObject({
            ...inputs,
            instanceId: 777,
            token: "tok-777",
            elementKey: "zendesk",
        });
        expectRecognisedByRuntime(err);
        // The recorded properties hold the secrets only under their own names (the engine re-marks by name).
        const onWire = Struct.fromJavaScript(err.properties).toJavaScript();
        expect(pathsContaining(onWire, acme.apiKey)).toEqual(["apiKey"]);
        expect(pathsContaining(onWire, "tok-777")).toEqual(["token"]);
        // Not enumerable: logging the error does not print the API key or token.
        expect(JSON.stringify(err)).not.toContain(acme.apiKey);
        expect(JSON.stringify(err)).not.toContain("tok-777");
    });

    it("found after a lost answer but the follow-up read fails: reported, not orphaned, not duplicated", async () => {
        await configure({ "cloudelements:maxRetries": "1" });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "commit-then-drop", method: "POST" });
        await emulator().control.addFault({
            kind: "status",
            method: "GET",
            path: "^/instances/\\d+$",
            status: 500,
            count: 0,
        });
        const err = await impl.create(inputs).catch((e) => e);
        expect(PartialCreateError.isInstance(err)).toBe(true);
        const [instance] = await emulator().control.instances();
        expect(err.id).toBe(String(instance.id));
        expect(err.reasons[0]).toMatch(/reading instance \d+: .*HTTP 500/);
        expect(err.properties).toMatchObject({ instanceId: instance.id, createMarker: inputs.createMarker });
        expectRecognisedByRuntime(err);
        expect(await emulator().control.instances()).toHaveLength(1);

        // The next `up` retries with an update from the recorded properties; it completes the outputs.
        await emulator().control.clearFaults();
        const updated = await impl.update(err.id, err.properties, await checked());
        expect(fingerprint((updated.outs as any).token)).toBe(instance.tokenFingerprint);
        expect((await emulator().control.instances())[0].tags).toEqual(["t", `pulumi-marker:${inputs.createMarker}`]);
    });
});
