/**
 * Create recovery against the emulator's faults: idempotent calls are retried on 429/5xx/network errors; a POST
 * whose outcome is unknown is looked up by its create nonce before it is tried again (never a second instance);
 * late commits are deleted by the final lookup or the next refresh/update; lookups read every page and act only on
 * verified instances; the operation deadline bounds it all; an instance that exists but could not be finished is
 * reported as a partial failure, not orphaned.
 */
import { createRequire } from "node:module";
import { fingerprint } from "../../emulator";
import { CloudElementsError, PartialCreateError } from "../../provider/api/errors";
import * as impl from "../../provider/hosts/dynamic/implementation";
import { instanceToKeep } from "../../provider/lifecycle/lookup";
import type { InstanceOutputs } from "../../provider/model/instance";
import {
    acme,
    type CheckedInputs,
    callApi,
    configReader,
    connectionConfig,
    devAccounts,
    pathsContaining,
    type StateProps,
    useEmulator,
} from "../helpers/emulator";
import { until } from "../helpers/reliability";

const emulator = useEmulator();
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi"));
const { Struct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb");
const provproto = pulumiRequire("@pulumi/pulumi/proto/provider_pb");

const providerText = "exports.handler = __f0; /* stub */";

async function configure(overrides: Record<string, string> = {}): Promise<void> {
    await impl.configure({ config: configReader(connectionConfig(emulator(), overrides)) });
}

async function checked(news: Record<string, unknown> = {}): Promise<CheckedInputs> {
    const result = await impl.check(
        {},
        { __provider: providerText, subdomain: "acme", apiKey: acme.apiKey, name: "helpdesk", tags: ["t"], ...news },
    );
    expect(result.failures).toEqual([]);
    return { ...result.inputs, __provider: providerText };
}

async function log(): Promise<string[]> {
    return (await emulator().control.requests()).map((r) => {
        const query = Object.keys(r.query).length
            ? `?${new URLSearchParams(Object.entries(r.query).map(([key, value]): [string, string] => [key, String(value)]))}`
            : "";
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

async function createOne(): Promise<{ id: string; outs: StateProps; inputs: CheckedInputs }> {
    const inputs = await checked();
    const created = await impl.create(inputs);
    await emulator().control.reset({ requests: true });
    return { id: created.id, outs: { ...created.outs, __provider: providerText }, inputs };
}

/** The outs token belongs to the one instance in the emulator. */
async function expectSingleInstance(outs: Partial<InstanceOutputs>, marker: string): Promise<void> {
    const instances = await emulator().control.instances();
    expect(instances).toHaveLength(1);
    expect(instances[0].tags).toContain(`pulumi-marker:${marker}`);
    expect(fingerprint(outs.token!)).toBe(instances[0].tokenFingerprint);
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

/** The request-log line of one nonce lookup (every lookup asks for the documented maximum page size). */
function lookupLine(nonce: string, status: number): string {
    return `GET /instances?tags%5B%5D=${encodeURIComponent(`pulumi-create:${nonce}`)}&pageSize=200 ${status}`;
}

/** The nonce the create sent with its POSTs (from the request log: creates that fail return no outputs). */
async function postedNonce(): Promise<string> {
    const post = (await emulator().control.requests()).find((r) => r.method === "POST");
    const tag = (post?.body as { tags?: string[] } | undefined)?.tags?.find((t) => t.startsWith("pulumi-create:"));
    expect(tag).toBeDefined();
    return (tag as string).slice("pulumi-create:".length);
}

/** Waits until the emulator holds `count` instances (a late commit landing). */
async function instancesReach(count: number): Promise<void> {
    expect(await until(async () => (await emulator().control.instances()).length === count, 15_000, 25)).toBe(true);
}

afterEach(async () => {
    // A request held by a delay fault still commits after the test: wait for it, so it cannot land in the next one.
    expect(await until(async () => (await emulator().control.health()).inFlight === 0, 15_000, 25)).toBe(true);
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
