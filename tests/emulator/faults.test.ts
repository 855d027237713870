/**
 * Faults, the control API and the request log, through real HTTP.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    controlApiAccess,
    devAccounts,
    EmulatorControl,
    EmulatorControlError,
    type FaultSpec,
    startEmulator,
} from "../../emulator";
import {
    acmeAccount,
    call,
    createInstance,
    devAuthorization,
    devOrganization,
    devUser,
    exampleBody,
    finishedRequest,
    storedInstance,
    until,
    useEmulator,
} from "../helpers/emulator";

const emulator = useEmulator();

afterEach(async () => {
    await emulator().control.clearFaults();
});

const instanceCount = async () => (await emulator().control.instances()).length;

describe("status faults", () => {
    it.each([500, 502, 503] as const)("answers %i with {requestId, message} without touching state", async (status) => {
        await emulator().control.addFault({ kind: "status", status, method: "post", path: "^/instances$" });
        const before = await instanceCount();
        const reply = await call(emulator(), "POST", "/instances", { body: exampleBody() });
        expect(reply.status).toBe(status);
        expect(reply.json).toEqual({
            requestId: reply.headers.get("elements-request-id"),
            message: expect.any(String),
        });
        expect(await instanceCount()).toBe(before);
        // count defaults to 1: the next request is served normally.
        expect((await call(emulator(), "POST", "/instances", { body: exampleBody() })).status).toBe(200);
    });

    it("sets Retry-After on a 429 (default 1 second)", async () => {
        await emulator().control.addFault({ kind: "status", status: 429, retryAfterSeconds: 7 });
        const reply = await call(emulator(), "GET", "/instances");
        expect(reply.status).toBe(429);
        expect(reply.headers.get("retry-after")).toBe("7");
        await emulator().control.addFault({ kind: "status", status: 429 });
        expect((await call(emulator(), "GET", "/instances")).headers.get("retry-after")).toBe("1");
    });

    it("applies to the next `count` matching requests, only those matching method and path", async () => {
        const created = await createInstance(emulator());
        await emulator().control.addFault({
            kind: "status",
            status: 503,
            method: "GET",
            path: "^/instances/\\d+$",
            count: 2,
        });
        expect((await call(emulator(), "GET", "/instances")).status).toBe(200);
        expect((await call(emulator(), "PATCH", `/instances/${created.id}`, { body: { tags: ["x"] } })).status).toBe(
            200,
        );
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).status).toBe(503);
        expect((await emulator().control.faults())[0].remaining).toBe(1);
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).status).toBe(503);
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).status).toBe(200);
        expect(await emulator().control.faults()).toEqual([]);
    });

    it("count 0 lasts until cleared; one fault can be removed by id", async () => {
        await createInstance(emulator());
        const { id } = await emulator().control.addFault({ kind: "status", status: 500, count: 0 });
        for (let i = 0; i < 4; i++) {
            expect((await call(emulator(), "GET", "/instances")).status).toBe(500);
        }
        expect(await emulator().control.faults()).toEqual([
            { kind: "status", status: 500, count: 0, id, remaining: null },
        ]);
        await emulator().control.removeFault(id);
        expect((await call(emulator(), "GET", "/instances")).status).toBe(200);
        await expect(emulator().control.removeFault(id)).rejects.toMatchObject({ status: 404 });
    });

    it("applies faults in the order they were added, one per request", async () => {
        await createInstance(emulator());
        await emulator().control.addFault({ kind: "status", status: 502, count: 2 });
        await emulator().control.addFault({ kind: "status", status: 503 });
        const statuses = [];
        for (let i = 0; i < 4; i++) {
            statuses.push((await call(emulator(), "GET", "/instances")).status);
        }
        expect(statuses).toEqual([502, 502, 503, 200]);
    });
});

describe("connection faults", () => {
    it("reset destroys the socket without answering and without touching state", async () => {
        await emulator().control.addFault({ kind: "reset", method: "POST" });
        const before = await instanceCount();
        await expect(call(emulator(), "POST", "/instances", { body: exampleBody() })).rejects.toThrow();
        expect(await instanceCount()).toBe(before);
        const logged = (await emulator().control.requests()).at(-1);
        expect(logged).toMatchObject({ method: "POST", status: 0, fault: "reset" });
    });

    it("commit-then-drop commits the create, then destroys the socket", async () => {
        await emulator().control.addFault({ kind: "commit-then-drop", method: "POST", path: "^/instances$" });
        const before = await emulator().control.instances();
        await expect(
            call(emulator(), "POST", "/instances", { body: { ...exampleBody(), name: "dropped-but-committed" } }),
        ).rejects.toThrow();
        const after = await emulator().control.instances();
        expect(after).toHaveLength(before.length + 1);
        const committed = after.find((i) => i.name === "dropped-but-committed");
        expect(committed).toBeDefined();
        // The client can find it again through the API (e.g. by name, to adopt it).
        const search = await call(emulator(), "GET", "/instances?searchText=dropped-but-committed");
        expect(search.json.map((i: { id: number }) => i.id)).toEqual([committed?.id]);
        expect((await emulator().control.requests()).at(-2)).toMatchObject({ status: 0, fault: "commit-then-drop" });
    });

    it("commit-then-drop on a DELETE really deletes", async () => {
        const created = await createInstance(emulator());
        await emulator().control.addFault({ kind: "commit-then-drop", method: "DELETE" });
        await expect(call(emulator(), "DELETE", `/instances/${created.id}`)).rejects.toThrow();
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).status).toBe(404);
    });

    it("delay (commit before, the default) commits at once and answers after delayMs, client there or not", async () => {
        const created = await createInstance(emulator());
        await emulator().control.addFault({ kind: "delay", delayMs: 300, method: "GET" });
        const started = Date.now();
        const slow = await call(emulator(), "GET", `/instances/${created.id}`);
        expect(slow.status).toBe(200);
        expect(Date.now() - started).toBeGreaterThanOrEqual(290);

        await emulator().control.addFault({ kind: "delay", delayMs: 600, method: "PATCH", commit: "before" });
        await expect(
            call(emulator(), "PATCH", `/instances/${created.id}`, {
                body: { tags: ["committed-early"] },
                signal: AbortSignal.timeout(100),
            }),
        ).rejects.toThrow();
        // The client timed out, yet the update is already stored.
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).json.tags).toEqual(["committed-early"]);
        // The request finishes when the delay is over, without an answer (the client left).
        const patch = await finishedRequest(emulator(), (r) => r.method === "PATCH");
        expect(patch).toMatchObject({ fault: "delay", status: 0 });
        expect(patch.durationMs).toBeGreaterThanOrEqual(590);
    });

    it("delay with commit after processes the request only when delayMs is over, even after the client left", async () => {
        // The late commit of a slow credential check: the client gives up, a lookup finds nothing, then it appears.
        await emulator().control.addFault({ kind: "delay", delayMs: 2000, method: "POST", commit: "after" });
        const started = Date.now();
        await expect(
            call(emulator(), "POST", "/instances", {
                body: { ...exampleBody(), name: "committed-late" },
                signal: AbortSignal.timeout(100),
            }),
        ).rejects.toThrow();
        const lookup = await call(emulator(), "GET", "/instances?searchText=committed-late");
        // Unless this machine stalled for the whole delay, the lookup ran before the commit.
        if (Date.now() - started < 1900) {
            expect(lookup.status).toBe(404);
        }
        expect((await emulator().control.health()).inFlight).toBe(1);
        const committed = await storedInstance(emulator(), (i) => i.name === "committed-late");
        expect(Date.now() - started).toBeGreaterThanOrEqual(1990);
        expect((await call(emulator(), "GET", `/instances/${committed.id}`)).status).toBe(200);
        const post = await finishedRequest(emulator(), (r) => r.method === "POST");
        expect(post).toMatchObject({ fault: "delay", status: 0 });
        expect((await emulator().control.health()).inFlight).toBe(0);

        // A client that waits gets the answer right after the commit.
        await emulator().control.addFault({ kind: "delay", delayMs: 300, method: "POST", commit: "after" });
        const waited = Date.now();
        const answered = await call(emulator(), "POST", "/instances", { body: { ...exampleBody(), name: "patient" } });
        expect(answered.status).toBe(200);
        expect(Date.now() - waited).toBeGreaterThanOrEqual(290);
        expect((await emulator().control.instances()).map((i) => i.name)).toContain("patient");
    });

    it("close() cuts a commit-after delay short without committing", async () => {
        const dir = await mkdtemp(join(tmpdir(), "ce-emulator-delay-"));
        const statePath = join(dir, "state.json");
        try {
            const own = await startEmulator({ statePath });
            await own.control.addFault({ kind: "delay", delayMs: 60_000, method: "POST", commit: "after" });
            const pending = call(own, "POST", "/instances", { body: exampleBody() }).then(
                () => "answered",
                () => "no answer",
            );
            expect(await until(async () => (await own.control.health()).inFlight === 1, 5000, 20)).toBe(true);
            const closing = Date.now();
            await own.close();
            expect(Date.now() - closing).toBeLessThan(30_000);
            expect(await pending).toBe("no answer");
            const reopened = await startEmulator({ statePath });
            expect(await reopened.control.instances()).toEqual([]);
            await reopened.close();
        } finally {
            await rm(dir, { recursive: true, force: true });
        }
    });

    it("respond answers an arbitrary list for GET /instances, with extra headers", async () => {
        const created = await createInstance(emulator(), { tags: ["pulumi-marker:m1"] });
        const injected = [
            { id: 4242424, name: "not-ours", tags: ["pulumi-marker:m1-other"], element: { key: "freshdeskv2" } },
        ];
        await emulator().control.addFault({
            kind: "respond",
            status: 200,
            method: "GET",
            path: "^/instances$",
            body: JSON.stringify(injected),
            headers: { "Elements-Next-Page-Token": "scripted-token", "Elements-Total-Count": "2" },
        });
        const reply = await call(emulator(), "GET", "/instances?tags[]=pulumi-marker:m1");
        expect(reply.status).toBe(200);
        expect(reply.json).toEqual(injected);
        expect(reply.headers.get("elements-next-page-token")).toBe("scripted-token");
        expect(reply.headers.get("elements-total-count")).toBe("2");
        expect(reply.headers.get("elements-request-id")).toMatch(/^[0-9a-f]{24}$/);
        // One-shot: the real search comes back next.
        const real = await call(emulator(), "GET", "/instances?tags[]=pulumi-marker:m1");
        expect(real.json.map((i: { id: number }) => i.id)).toEqual([created.id]);
        for (const headers of [{ "Bad Name": "x" }, { "X-Ok": "two\nlines" }, { "X-Ok": 3 }]) {
            const failure = await emulator()
                .control.addFault({ kind: "respond", status: 200, body: "[]", headers } as unknown as FaultSpec)
                .catch((error: unknown) => error);
            expect(failure).toMatchObject({ status: 400, message: expect.stringContaining("headers") });
        }
    });

    it("respond answers a raw body with the given status and content type", async () => {
        const created = await createInstance(emulator());
        await emulator().control.addFault({ kind: "respond", status: 200, body: '{"id": 12, "name": ' });
        const malformed = await call(emulator(), "GET", `/instances/${created.id}`);
        expect(malformed.status).toBe(200);
        expect(malformed.text).toBe('{"id": 12, "name": ');
        expect(malformed.headers.get("content-type")).toMatch(/^application\/json/);
        const foreign = JSON.stringify({ id: created.id, element: { key: "zendesk", id: 123 } });
        await emulator().control.addFault({ kind: "respond", status: 200, body: foreign, method: "GET" });
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).json.element.key).toBe("zendesk");
        await emulator().control.addFault({
            kind: "respond",
            status: 502,
            body: "<html>Bad Gateway</html>",
            contentType: "text/html",
        });
        const html = await call(emulator(), "GET", "/instances");
        expect(html.status).toBe(502);
        expect(html.headers.get("content-type")).toBe("text/html");
        expect(html.text).toBe("<html>Bad Gateway</html>");
        // State untouched, the real answer comes back afterwards.
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).json.element.key).toBe("freshdeskv2");
    });
});

describe("fault log", () => {
    it("shows every fault armed since the last reset with how many requests it shaped, exhausted ones included", async () => {
        const control = emulator().control;
        await control.reset({ requests: true });
        const fired = await control.addFault({ kind: "status", status: 502, method: "GET", path: "^/instances$" });
        const unreached = await control.addFault({ kind: "reset", method: "DELETE", path: "^/instances/" });
        expect((await call(emulator(), "GET", "/instances")).status).toBe(502);
        expect((await call(emulator(), "GET", "/instances")).status).not.toBe(502);
        // The exhausted fault left the armed list, not the log; the unreached one is armed and fired 0 times.
        expect((await control.faults()).map((f) => f.id)).toEqual([unreached.id]);
        await control.clearFaults();
        const log = await control.faultLog();
        expect(log.map(({ id, kind, fired }) => ({ id, kind, fired }))).toEqual([
            { id: fired.id, kind: "status", fired: 1 },
            { id: unreached.id, kind: "reset", fired: 0 },
        ]);
        expect(Number.isNaN(Date.parse(log[0].armedAt))).toBe(false);
        // A scripted answer's body and headers stay out of the log (they may carry secrets).
        await control.addFault({
            kind: "respond",
            status: 200,
            body: '{"token":"s3cret"}',
            headers: { "x-k": "s3cret" },
        });
        expect(JSON.stringify(await control.faultLog())).not.toContain("s3cret");
        await control.clearFaults();
        await control.reset({ requests: true });
        expect(await control.faultLog()).toEqual([]);
    });
});

describe("latency and rate limiting", () => {
    it("latency delays every matching request until cleared", async () => {
        const created = await createInstance(emulator());
        await emulator().control.addFault({ kind: "latency", latencyMs: 150, path: "^/instances$" });
        for (let i = 0; i < 2; i++) {
            const started = Date.now();
            expect((await call(emulator(), "GET", "/instances")).status).toBe(200);
            expect(Date.now() - started).toBeGreaterThanOrEqual(145);
        }
        // Which requests were delayed is read from the log, not from wall-clock upper bounds (a loaded machine).
        await call(emulator(), "GET", `/instances/${created.id}`);
        await emulator().control.clearFaults();
        await call(emulator(), "GET", "/instances");
        const log = (await emulator().control.requests()).filter((r) => r.method === "GET");
        expect(log.map((r) => r.fault ?? "none")).toEqual(["latency", "latency", "none", "none"]);
        for (const entry of log.slice(0, 2)) {
            expect(entry.durationMs).toBeGreaterThanOrEqual(145);
        }
    });

    it("latency combines with a one-shot fault", async () => {
        await emulator().control.addFault({ kind: "latency", latencyMs: 100 });
        await emulator().control.addFault({ kind: "status", status: 503 });
        const started = Date.now();
        expect((await call(emulator(), "GET", "/instances")).status).toBe(503);
        expect(Date.now() - started).toBeGreaterThanOrEqual(95);
        expect((await emulator().control.requests()).at(-1)?.fault).toBe("latency,status");
    });

    it("rate-limit answers 429 with Retry-After: 1 beyond the limit in a sliding one-second window", async () => {
        await createInstance(emulator());
        await emulator().control.addFault({ kind: "rate-limit", requestsPerSecond: 3, method: "GET" });
        const replies = await Promise.all([0, 1, 2, 3, 4].map(() => call(emulator(), "GET", "/instances")));
        const statuses = replies.map((reply) => reply.status).sort();
        expect(statuses).toEqual([200, 200, 200, 429, 429]);
        const limited = replies.find((reply) => reply.status === 429);
        expect(limited?.headers.get("retry-after")).toBe("1");
        expect(limited?.json).toEqual({ requestId: expect.any(String), message: expect.any(String) });
        // Other methods are not limited.
        expect((await call(emulator(), "POST", "/instances", { body: exampleBody() })).status).toBe(200);
        // The window slides: GETs are admitted again one second after the first admitted one (rejected polls do not
        // count toward the window, so polling does not hold it shut).
        const firstAdmitted = Date.parse(
            (await emulator().control.requests()).find((r) => r.method === "GET" && r.status === 200)?.startedAt ?? "",
        );
        expect(await until(async () => (await call(emulator(), "GET", "/instances")).status === 200, 10_000, 50)).toBe(
            true,
        );
        const admittedAgain = (await emulator().control.requests()).filter((r) => r.method === "GET").at(-1);
        expect(Date.parse(admittedAgain?.startedAt ?? "") - firstAdmitted).toBeGreaterThanOrEqual(990);
    });
});

describe("fault validation", () => {
    it.each([
        [{ kind: "explode" }, /kind/],
        [{ kind: "status", status: 418 }, /status/],
        [{ kind: "status", status: 500, statusCode: 500 }, /statusCode/],
        [{ kind: "reset", path: "([" }, /regular expression/],
        [{ kind: "delay" }, /delayMs/],
        [{ kind: "delay", delayMs: 5, commit: "later" }, /commit/],
        [{ kind: "latency", latencyMs: -5 }, /latencyMs/],
        [{ kind: "rate-limit", requestsPerSecond: 1.5 }, /requestsPerSecond/],
        [{ kind: "respond", status: 200 }, /body/],
        [{ kind: "reset", count: -1 }, /count/],
    ])("rejects %j with 400", async (fault, reason) => {
        const failure = await emulator()
            .control.addFault(fault as unknown as FaultSpec)
            .catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(EmulatorControlError);
        expect((failure as EmulatorControlError).status).toBe(400);
        expect((failure as Error).message).toMatch(reason);
        expect(await emulator().control.faults()).toEqual([]);
    });
});

describe("request log", () => {
    it("logs API requests with redacted bodies, never control requests", async () => {
        await emulator().control.reset({ requests: true });
        const created = await createInstance(emulator(), {
            configuration: {
                subdomain: "acme",
                username: acmeAccount.apiKeys[0],
                "event.notification.signature.key": "hmac-signing-key-123",
                "event.notification.basic.password": "basic-pass-456",
            },
            providerData: { code: "oauth-code-789" },
            token: "client-sent-token-000",
        });
        const entries = (
            await call(emulator(), "GET", "/instances/configuration", {
                auth: `${devAuthorization}, Element ${created.token}`,
            })
        ).json as { id: number; key: string }[];
        const usernameEntry = entries.find((e) => e.key === "username");
        await call(emulator(), "PATCH", `/instances/${created.id}/configuration/${usernameEntry?.id}`, {
            body: { key: "username", propertyValue: acmeAccount.apiKeys[1] },
        });
        await call(emulator(), "GET", "/instances?tags[]=a&tags[]=b&searchText=acme&apiKey=query-secret-111", {
            headers: { "user-agent": "pulumi-cloudelements-test/1.0" },
        });
        await emulator().control.instances();
        await emulator().control.health();

        const log = await emulator().control.requests();
        expect(log.map((entry) => `${entry.method} ${entry.path}`)).toEqual([
            "POST /elements/api-v2/instances",
            "GET /elements/api-v2/instances/configuration",
            `PATCH /elements/api-v2/instances/${created.id}/configuration/${usernameEntry?.id}`,
            "GET /elements/api-v2/instances",
        ]);
        for (let i = 1; i < log.length; i++) {
            expect(log[i].seq).toBeGreaterThan(log[i - 1].seq);
        }
        const [create, , patch, list] = log;
        expect(create.status).toBe(200);
        expect(new Date(create.startedAt).toISOString()).toBe(create.startedAt);
        expect(create.durationMs).toBeGreaterThanOrEqual(0);
        expect(create.body).toEqual({
            element: { key: "freshdeskv2" },
            name: "acme-helpdesk",
            tags: ["team-a"],
            configuration: {
                subdomain: "acme",
                username: "[redacted]",
                "event.notification.signature.key": "[redacted]",
                "event.notification.basic.password": "[redacted]",
            },
            providerData: "[redacted]",
            token: "[redacted]",
        });
        expect(patch.body).toEqual({ key: "username", propertyValue: "[redacted]" });
        expect(list.query).toEqual({ "tags[]": ["a", "b"], searchText: "acme", apiKey: "[redacted]" });
        expect(list.userAgent).toBe("pulumi-cloudelements-test/1.0");
        expect(list).not.toHaveProperty("body");

        const dump = JSON.stringify(log);
        for (const secret of [
            acmeAccount.apiKeys[0],
            acmeAccount.apiKeys[1],
            "hmac-signing-key-123",
            "basic-pass-456",
            "oauth-code-789",
            "client-sent-token-000",
            "query-secret-111",
            created.token,
            devUser.userSecret,
            devOrganization.organizationSecret,
        ]) {
            expect(dump).not.toContain(secret);
        }
    });

    it("sends access log lines without secrets to the log option", async () => {
        const lines: string[] = [];
        const own = await startEmulator({ log: (line) => lines.push(line) });
        try {
            const created = await createInstance(own);
            await call(own, "GET", "/instances", { auth: `User ${devUser.userSecret}, Organization bad-org-secret` });
            await call(own, "GET", "/instances/configuration", {
                auth: `${devAuthorization}, Element ${created.token}`,
            });
            expect(lines).toHaveLength(3);
            expect(lines[0]).toMatch(/^POST \/elements\/api-v2\/instances 200 \d+ms$/);
            expect(lines[1]).toMatch(/^GET \/elements\/api-v2\/instances 401 \d+ms$/);
            const text = lines.join("\n");
            for (const secret of [acmeAccount.apiKeys[0], created.token, devUser.userSecret, "bad-org-secret"]) {
                expect(text).not.toContain(secret);
            }
        } finally {
            await own.close();
        }
    });
});

describe("control API", () => {
    it("reset clears instances, requests and faults by default; ids keep increasing", async () => {
        const before = await createInstance(emulator());
        await emulator().control.addFault({ kind: "latency", latencyMs: 1, path: "^/never$" });
        await emulator().control.reset();
        expect(await emulator().control.instances()).toEqual([]);
        expect(await emulator().control.requests()).toEqual([]);
        expect(await emulator().control.faults()).toEqual([]);
        expect((await call(emulator(), "GET", `/instances/${before.id}`)).status).toBe(404);
        const after = await createInstance(emulator());
        expect(after.id).toBeGreaterThan(before.id);
    });

    it("reset clears only the parts asked for", async () => {
        await createInstance(emulator());
        await emulator().control.addFault({ kind: "latency", latencyMs: 1, path: "^/never$" });
        await emulator().control.reset({ requests: true });
        expect(await emulator().control.requests()).toEqual([]);
        expect(await emulator().control.instances()).not.toEqual([]);
        expect(await emulator().control.faults()).toHaveLength(1);
        await emulator().control.reset({ faults: true });
        expect(await emulator().control.faults()).toEqual([]);
        expect(await emulator().control.instances()).not.toEqual([]);
        await emulator().control.reset({ instances: true });
        expect(await emulator().control.instances()).toEqual([]);
    });

    it("setAccounts replaces who may call and which Freshdesk keys are valid; invalid accounts are rejected", async () => {
        const accounts = {
            organizations: [
                { organizationSecret: "ci-org", users: [{ userSecret: "ci-user", email: "ci@example.com" }] },
            ],
            freshdesk: [{ subdomain: "ci", apiKeys: ["ci-key"] }],
        };
        try {
            await emulator().control.setAccounts(accounts);
            expect((await call(emulator(), "GET", "/instances")).status).toBe(401);
            const created = await call(emulator(), "POST", "/instances", {
                auth: "User ci-user, Organization ci-org",
                body: { ...exampleBody(), configuration: { subdomain: "ci", username: "ci-key" } },
            });
            expect(created.status).toBe(200);
            expect(created.json.user).toEqual({
                id: expect.any(Number),
                emailAddress: "ci@example.com",
                firstName: "ci",
                lastName: "",
            });
            const invalid = await emulator()
                .control.setAccounts({ organizations: [{ organizationSecret: "", users: [] }], freshdesk: [] })
                .catch((error: unknown) => error);
            expect((invalid as EmulatorControlError).status).toBe(400);
            expect((invalid as Error).message).toContain("organizationSecret");
            // The rejected document did not replace the accounts.
            expect(
                (await call(emulator(), "GET", "/instances", { auth: "User ci-user, Organization ci-org" })).status,
            ).toBe(200);
        } finally {
            await emulator().control.setAccounts(devAccounts);
        }
        // The development user authenticates again (and has no instance: the empty list is a 404, not a 401).
        expect((await call(emulator(), "GET", "/instances")).status).toBe(404);
    });

    it("health reports counters; unknown control routes are 404, wrong verbs 405", async () => {
        await emulator().control.reset();
        await createInstance(emulator());
        expect(await emulator().control.health()).toMatchObject({ status: "ok", instances: 1, faults: 0, inFlight: 0 });
        expect((await fetch(`${emulator().origin}/__emulator/nothing`)).status).toBe(404);
        const wrongVerb = await fetch(`${emulator().origin}/__emulator/instances`, { method: "DELETE" });
        expect(wrongVerb.status).toBe(405);
        expect(wrongVerb.headers.get("allow")).toBe("GET");
        const malformed = await fetch(`${emulator().origin}/__emulator/faults`, { method: "POST", body: "{" });
        expect(malformed.status).toBe(400);
        // Control requests carry no Elements-Request-Id and are not in the request log.
        expect((await emulator().control.requests()).every((entry) => !entry.path.startsWith("/__emulator"))).toBe(
            true,
        );
    });

    it("the control client accepts the base URL and reports an unreachable emulator", async () => {
        const viaBaseUrl = new EmulatorControl(`${emulator().baseUrl}/`);
        expect(viaBaseUrl.origin).toBe(emulator().origin);
        expect((await viaBaseUrl.health()).status).toBe("ok");
        const closed = await startEmulator();
        await closed.close();
        const failure = await closed.control.instances().catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(EmulatorControlError);
        expect((failure as EmulatorControlError).status).toBe(0);
    });
});

describe("control API access", () => {
    it("decides who may use the control API from the host and the token", () => {
        for (const host of ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"]) {
            expect(controlApiAccess(host, undefined)).toBe("open");
            expect(controlApiAccess(host, "t0ken")).toBe("token");
        }
        for (const host of ["0.0.0.0", "::", "10.1.2.3", "emulator", "192.168.0.10"]) {
            expect(controlApiAccess(host, undefined)).toBe("off");
            expect(controlApiAccess(host, "t0ken")).toBe("token");
        }
    });

    it("with a control token, every control request needs Authorization: Bearer <token>", async () => {
        const token = "control-token-for-tests-4711";
        const own = await startEmulator({ controlToken: token });
        try {
            // The emulator's own client carries the token.
            expect((await own.control.health()).status).toBe("ok");
            for (const authorization of [undefined, "Bearer wrong-token", token, `Basic ${token}`]) {
                const reply = await fetch(`${own.origin}/__emulator/instances`, {
                    headers: authorization ? { authorization } : {},
                });
                expect(reply.status).toBe(401);
                expect(reply.headers.get("www-authenticate")).toMatch(/^Bearer/);
                const text = await reply.text();
                expect(text).toContain("Bearer");
                expect(text).not.toContain(token);
            }
            const reset = await fetch(`${own.origin}/__emulator/reset`, { method: "POST" });
            expect(reset.status).toBe(401);
            const bare = await new EmulatorControl(own.origin).health().catch((error: unknown) => error);
            expect(bare).toMatchObject({ status: 401 });
            const withToken = new EmulatorControl(own.baseUrl, { token });
            await createInstance(own);
            expect(await withToken.instances()).toHaveLength(1);
            // The instance API is untouched by the control token.
            expect((await call(own, "GET", "/instances")).status).toBe(200);
        } finally {
            await own.close();
        }
        await expect(startEmulator({ controlToken: " " })).rejects.toThrow(/controlToken/);
    });
});
