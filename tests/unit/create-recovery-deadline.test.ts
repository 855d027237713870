/**
 * Create recovery against the emulator's faults, the bounds: the operation deadline bounds it all; an instance that
 * exists but could not be finished is reported as a partial failure, not orphaned. Retries and lost answers:
 * create-recovery.test.ts.
 */
import { createRequire } from "node:module";
import { fingerprint } from "../../emulator";
import { PartialCreateError } from "../../provider/api/errors";
import * as impl from "../../provider/hosts/dynamic/implementation";
import { providerText, useCreateRecovery } from "../helpers/create-recovery";
import { acme, pathsContaining } from "../helpers/emulator";
import { until } from "../helpers/reliability";

const { emulator, configure, checked, log, createOne, postedNonce, instancesReach } = useCreateRecovery();

const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi"));
const { Struct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb");
const provproto = pulumiRequire("@pulumi/pulumi/proto/provider_pb");

describe("the operation deadline (cloudelements:operationTimeoutMs)", () => {
    it("a create whose POSTs never answer in time stops at the deadline, naming the setting and the tag", async () => {
        await configure({
            "cloudelements:timeoutMs": "1000",
            "cloudelements:operationTimeoutMs": "1500",
            "cloudelements:maxRetries": "5",
        });
        const inputs = await checked();
        await emulator().control.addFault({ kind: "delay", method: "POST", delayMs: 4000, commit: "after", count: 0 });
        const started = Date.now();
        const err = await impl.create(inputs).catch((e) => e);
        const elapsed = Date.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(1000);
        expect(elapsed).toBeLessThan(1500 + 1000);
        expect(err.message).toMatch(
            /gave up after 1 attempt; no time left for another attempt: the operation deadline \(cloudelements:operationTimeoutMs .* = 1500 ms\); an instance may still exist/,
        );
        // The one POST sent is still held by the server; it commits late, carrying the tag the message named.
        await instancesReach(1);
        expect(await until(async () => (await emulator().control.health()).inFlight === 0, 15_000, 25)).toBe(true);
        expect((await log()).filter((line) => line.startsWith("POST"))).toEqual(["POST /instances 0"]);
        const nonce = await postedNonce();
        expect(err.message).toContain(`pulumi-create:${nonce}`);
        expect((await emulator().control.instances())[0].tags).toContain(`pulumi-create:${nonce}`);
    });

    it("no retry waits past it: a Retry-After beyond the deadline ends the refresh at once", async () => {
        const { id, outs } = await createOne();
        await configure({ "cloudelements:operationTimeoutMs": "1000" });
        await emulator().control.addFault({
            kind: "status",
            method: "GET",
            status: 429,
            retryAfterSeconds: 5,
            count: 0,
        });
        const started = Date.now();
        const err = await impl.read(id, outs).catch((e) => e);
        expect(Date.now() - started).toBeLessThan(1000);
        expect(err.message).toMatch(
            /reading instance \d+ \(no time left: the operation deadline \(cloudelements:operationTimeoutMs \/ CLOUD_ELEMENTS_OPERATION_TIMEOUT_MS = 1000 ms\)\): .*HTTP 429/,
        );
        expect(await log()).toEqual([`GET /instances/${id} 429`]);
    });

    it("a request's timeout is cut to what is left of it", async () => {
        const { id, outs } = await createOne();
        await configure({ "cloudelements:operationTimeoutMs": "800", "cloudelements:timeoutMs": "30000" });
        await emulator().control.addFault({ kind: "latency", method: "GET", latencyMs: 3000, count: 1 });
        const started = Date.now();
        const err = await impl.read(id, outs).catch((e) => e);
        expect(Date.now() - started).toBeLessThan(800 + 700);
        expect(err.message).toMatch(/no time left: the operation deadline .*operationTimeoutMs.*timed out/);
    });

    it("rejects a setting that is not a positive whole number of milliseconds, naming it", async () => {
        await configure({ "cloudelements:operationTimeoutMs": "soon" });
        await expect(impl.read("1", {})).rejects.toThrow(
            /operationTimeoutMs must be an integer.*cloudelements:operationTimeoutMs/,
        );
    });
});

describe("partial failures", () => {
    function expectRecognisedByRuntime(err: PartialCreateError): void {
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
        expect(fingerprint(updated.outs!.token)).toBe(instance.tokenFingerprint);
        expect((await emulator().control.instances())[0].tags).toEqual([
            "t",
            `pulumi-marker:${inputs.createMarker}`,
            `pulumi-create:${err.properties.createNonce}`,
        ]);
    });
});
