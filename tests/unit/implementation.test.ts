/**
 * The provider's methods against the in-process emulator: create, read (refresh, drift, gone), update, delete,
 * adoption and credentials. Assertions use the emulator's own view (instances, request log), not only what the
 * provider returns.
 */

import { createRequire } from "node:module";
import * as path from "node:path";
import { fingerprint } from "../../emulator";
import { CloudElementsError, HttpError, PartialCreateError } from "../../provider/api/errors";
import type { ApiInstance } from "../../provider/api/wire";
import * as impl from "../../provider/hosts/dynamic/implementation";
import { foreignSignatureKey, pollerConfiguration } from "../../provider/model/mapping";
import { ownerTag } from "../../provider/model/tags";
import {
    acme,
    type CheckedInputs,
    callApi,
    configReader,
    connectionConfig,
    devAccounts,
    devOrganization,
    devUser,
    type LoggedBody,
    pathsContaining,
    type StateProps,
    useEmulator,
} from "../helpers/emulator";

const emulator = useEmulator();
const version: string = require(path.join(__dirname, "../../package.json")).version;
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi"));
const { Struct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb");

const providerText = "exports.handler = __f0; /* stub */";
const signatureKey = "events-signing-key-0001";
const otherAcmeKey = "FRESHDESK_API_KEY";

async function configure(overrides: Record<string, string> = {}): Promise<void> {
    await impl.configure({ config: configReader(connectionConfig(emulator(), overrides)) });
}

/** Runs check and fails the test on failures; returns the checked inputs as the engine would pass them on. */
async function checked(news: Record<string, unknown>): Promise<CheckedInputs> {
    const result = await impl.check({}, { __provider: providerText, ...news });
    expect(result.failures).toEqual([]);
    return { ...result.inputs, __provider: providerText };
}

function program(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        subdomain: "https://ACME.freshdesk.com/",
        apiKey: acme.apiKey,
        name: "helpdesk",
        tags: ["team-a"],
        ...overrides,
    };
}

/** What a value looks like after the runtime's Struct conversion (what the engine receives). */
function wire(value: unknown): StateProps {
    return Struct.fromJavaScript(value).toJavaScript();
}

async function apiRequests(): Promise<
    { method: string; path: string; query: Record<string, string | string[]>; status: number; body?: LoggedBody }[]
> {
    return (await emulator().control.requests()).map(({ method, path, query, status, body }) => ({
        method,
        path: path.replace("/elements/api-v2", ""),
        query,
        status,
        body: body as LoggedBody | undefined,
    }));
}

beforeEach(async () => {
    await configure();
});

afterAll(() => {
    impl.closeClients();
});

describe("create", () => {
    it("sends exactly one POST /instances with the documented body and returns complete outputs", async () => {
        const inputs = await checked(
            program({
                tags: ["team-a", "env:dev"],
                filterResponseNulls: false,
                events: {
                    callbackUrl: "https://hooks.example.com/freshdesk",
                    pollingIntervalMinutes: 5,
                    resources: ["incidents", "contacts", "agents"],
                    signatureKey,
                },
            }),
        );
        const result = await impl.create(inputs);
        const outs = result.outs!;
        // A fresh nonce per create call, sent as a tag with the POST and recorded in the outputs.
        expect(outs.createNonce).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

        const requests = await apiRequests();
        expect(requests).toHaveLength(1);
        const [post] = requests;
        expect(post).toMatchObject({ method: "POST", path: "/instances", status: 200 });
        // The emulator's log redacts username and the signature key; their real values are checked below.
        expect(post.body).toEqual({
            element: { key: "freshdeskv2" },
            name: "helpdesk",
            tags: ["team-a", "env:dev", `pulumi-marker:${inputs.createMarker}`, `pulumi-create:${outs.createNonce}`],
            configuration: {
                subdomain: "acme",
                username: "[redacted]",
                "filter.response.nulls": false,
                "event.notification.enabled": true,
                "event.vendor.type": "polling",
                "event.notification.callback.url": "https://hooks.example.com/freshdesk",
                "event.poller.refresh_interval": "5",
                "event.poller.configuration": pollerConfiguration(["incidents", "contacts", "agents"]),
                "event.poller.urls": "incidents|contacts|agents",
                "event.notification.signature.key": "[redacted]",
            },
        });
        expect((await emulator().control.requests())[0].userAgent).toBe(`pulumi-cloudelements-freshdesk/${version}`);

        const [instance] = await emulator().control.instances();
        expect(instance.apiKeyFingerprint).toBe(fingerprint(acme.apiKey));
        expect(instance.configuration["event.poller.configuration"]).toBe(
            JSON.stringify(pollerConfiguration(["incidents", "contacts", "agents"])),
        );
        expect(result.id).toBe(String(instance.id));
        expect(fingerprint(outs.token)).toBe(instance.tokenFingerprint);
        expect(outs).toEqual({
            subdomain: "acme",
            apiKey: acme.apiKey,
            name: "helpdesk",
            tags: ["team-a", "env:dev"],
            filterResponseNulls: false,
            events: {
                enabled: true,
                callbackUrl: "https://hooks.example.com/freshdesk",
                pollingIntervalMinutes: 5,
                resources: ["incidents", "contacts", "agents"],
                signatureKey,
            },
            createMarker: inputs.createMarker,
            createNonce: outs.createNonce,
            instanceId: instance.id,
            token: outs.token,
            createdDate: instance.createdDate,
            valid: true,
            disabled: false,
            eventsEnabled: true,
            elementKey: "freshdeskv2",
            elementId: 491,
        });
    });

    it("with events off sends only event.notification.enabled=false about events", async () => {
        const inputs = await checked(program());
        const created = await impl.create(inputs);
        const [post] = await apiRequests();
        expect(post.body?.configuration).toEqual({
            subdomain: "acme",
            username: "[redacted]",
            "filter.response.nulls": true,
            "event.notification.enabled": false,
        });
        const [instance] = await emulator().control.instances();
        expect(instance.tags).toEqual([
            "team-a",
            `pulumi-marker:${inputs.createMarker}`,
            `pulumi-create:${created.outs?.createNonce}`,
        ]);
    });

    it("fails at once on a 4xx (bad Freshdesk credentials), creating nothing and echoing no secret", async () => {
        const inputs = await checked(program({ apiKey: "wrongFreshdeskKey000" }));
        const err = await impl.create(inputs).then(
            () => undefined,
            (e) => e,
        );
        expect(HttpError.isInstance(err)).toBe(true);
        expect(err.status).toBe(400);
        expect(err.message).toMatch(/creating the instance: Cloud Elements POST \/instances failed: HTTP 400/);
        expect(err.message).toMatch(/Failed to validate credentials for freshdeskv2/);
        expect(err.providerMessage).toMatch(/invalid_credentials/);
        expect(err.requestId).toMatch(/^[0-9a-f]{24}$/);
        expect(err.message).not.toContain("wrongFreshdeskKey000");
        expect(await apiRequests()).toHaveLength(1);
        expect(await emulator().control.instances()).toEqual([]);
    });
});

describe("secrets on the wire", () => {
    it("no output or input holds the API key, the signature key or the token under another name", async () => {
        const inputs = await checked(
            program({ events: { callbackUrl: "https://hooks.example.com/freshdesk", signatureKey } }),
        );
        const created = await impl.create(inputs);
        const outs = created.outs!;
        const refreshed = await impl.read(created.id, wire(outs));
        const updated = await impl.update(
            created.id,
            wire(outs),
            await checked(
                program({
                    name: "renamed",
                    events: { callbackUrl: "https://hooks.example.com/freshdesk", signatureKey },
                }),
            ),
        );
        const bags: [string, unknown][] = [
            ["check inputs", inputs],
            ["create outs", outs],
            ["read props", refreshed.props],
            ["read inputs", refreshed.inputs],
            ["update outs", updated.outs],
        ];
        for (const [label, bag] of bags) {
            const onWire = wire({ ...(bag as object), __provider: providerText });
            expect([label, pathsContaining(onWire, acme.apiKey)]).toEqual([label, ["apiKey"]]);
            expect([label, pathsContaining(onWire, signatureKey)]).toEqual([label, ["events.signatureKey"]]);
            const tokenPaths = pathsContaining(onWire, outs.token);
            expect([label, tokenPaths]).toEqual([label, label.includes("inputs") ? [] : ["token"]]);
            expect(pathsContaining(onWire, devUser.userSecret)).toEqual([]);
            expect(pathsContaining(onWire, devOrganization.organizationSecret)).toEqual([]);
        }
    });
});

describe("read (refresh)", () => {
    async function createOne(news: Record<string, unknown> = {}) {
        const inputs = await checked(program(news));
        const created = await impl.create(inputs);
        return { inputs, id: created.id, outs: wire({ ...created.outs, __provider: providerText }) };
    }

    it("an unchanged instance reads back as its outputs and shows no diff", async () => {
        const { id, outs } = await createOne({
            events: { callbackUrl: "https://hooks.example.com/x", resources: ["agents"], signatureKey },
        });
        const result = await impl.read(id, outs);
        expect(result.id).toBe(id);
        const { __provider: _, ...expected } = outs;
        expect(result.props).toEqual(expected);
        const again = await checked(
            program({ events: { callbackUrl: "https://hooks.example.com/x", resources: ["agents"], signatureKey } }),
        );
        expect(await impl.diff(id, result.props as StateProps, again)).toEqual({
            changes: false,
            replaces: [],
            deleteBeforeReplace: false,
        });
        // The stored inputs are replaced by what read returns: they must not diff either.
        expect((await impl.diff(id, result.inputs as StateProps, again)).changes).toBe(false);
        expect((await apiRequests()).map((r) => `${r.method} ${r.path}`)).toEqual([
            "POST /instances",
            `GET /instances/${id}`,
        ]);
    });

    it("keeps the token and the API key from state (the API masks the key)", async () => {
        const { id, outs } = await createOne();
        const result = await impl.read(id, { ...outs, token: "token-from-state" });
        expect((result.props as StateProps).token).toBe("token-from-state");
        expect((result.props as StateProps).apiKey).toBe(acme.apiKey);
        expect((result.inputs as StateProps).apiKey).toBe(acme.apiKey);
    });

    it("takes the API's token when state has none (e.g. an imported pending create)", async () => {
        const { id } = await createOne();
        const [instance] = await emulator().control.instances();
        const result = await impl.read(id, {});
        expect(fingerprint((result.props as StateProps).token!)).toBe(instance.tokenFingerprint);
        expect((result.props as StateProps).createMarker).toBe(instance.tags[1].slice("pulumi-marker:".length));
        expect(result.props).not.toHaveProperty("apiKey");
    });

    it("reflects drift in name, tags and configuration, so the next preview shows it and update corrects it", async () => {
        const { id, outs, inputs } = await createOne({
            events: { callbackUrl: "https://hooks.example.com/x", signatureKey },
        });
        await callApi(emulator(), "PATCH", `/instances/${id}`, {
            name: "renamed-by-hand",
            tags: ["manual", `pulumi-marker:${inputs.createMarker}`],
            configuration: {
                "filter.response.nulls": "false",
                "event.notification.enabled": "false",
            },
        });
        const drifted = await impl.read(id, outs);
        expect(drifted.props).toMatchObject({
            name: "renamed-by-hand",
            tags: ["manual"],
            filterResponseNulls: false,
            events: { enabled: false },
            eventsEnabled: false,
        });
        expect(drifted.inputs).toMatchObject({ name: "renamed-by-hand", tags: ["manual"], filterResponseNulls: false });
        const desired = await checked(
            program({ events: { callbackUrl: "https://hooks.example.com/x", signatureKey } }),
        );
        expect(await impl.diff(id, drifted.props as StateProps, desired)).toEqual({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });

        const before = (await emulator().control.instances())[0];
        const corrected = await impl.update(id, drifted.props as StateProps, desired);
        const after = (await emulator().control.instances())[0];
        expect(after).toMatchObject({
            name: "helpdesk",
            tags: ["team-a", `pulumi-marker:${inputs.createMarker}`],
            tokenFingerprint: before.tokenFingerprint,
        });
        expect(after.configuration["filter.response.nulls"]).toBe("true");
        expect(after.configuration["event.notification.enabled"]).toBe("true");
        const reread = await impl.read(id, wire({ ...corrected.outs, __provider: providerText }));
        expect((await impl.diff(id, reread.props as StateProps, desired)).changes).toBe(false);
    });

    it("a changed subdomain reads as drift that replaces", async () => {
        const { id, outs } = await createOne();
        await callApi(emulator(), "PATCH", `/instances/${id}`, {
            configuration: { subdomain: "globex", username: "globexFreshdeskKey01" },
        });
        const drifted = await impl.read(id, outs);
        expect((drifted.props as StateProps).subdomain).toBe("globex");
        expect(await impl.diff(id, drifted.props as StateProps, await checked(program()))).toMatchObject({
            changes: true,
            replaces: ["subdomain"],
        });
    });

    it("reports an instance deleted behind Pulumi's back as gone (empty id), confirmed by a marker search", async () => {
        const { id, outs, inputs } = await createOne();
        await callApi(emulator(), "DELETE", `/instances/${id}`);
        await emulator().control.reset({ requests: true });
        expect(await impl.read(id, outs)).toEqual({ id: "" });
        const marker = `pulumi-marker:${inputs.createMarker}`;
        expect((await apiRequests()).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
            `GET /instances/${id} 404`,
            "GET /instances 404",
        ]);
        expect((await apiRequests())[1].query["tags[]"]).toEqual([marker]);
    });

    it("without a marker in state (an imported instance) confirms by listing every instance", async () => {
        const { id, outs } = await createOne();
        const other = await createOne({ name: "other" });
        await callApi(emulator(), "DELETE", `/instances/${id}`);
        const { createMarker: _, ...noMarker } = outs;
        await emulator().control.reset({ requests: true });
        expect(await impl.read(id, noMarker)).toEqual({ id: "" });
        const requests = await apiRequests();
        expect(requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
            `GET /instances/${id} 404`,
            "GET /instances 200",
        ]);
        expect(requests[1].query["tags[]"]).toBeUndefined();
        expect(await impl.read(other.id, other.outs)).toMatchObject({ id: other.id });
    });

    it("a 404 that is not about the instance fails the refresh: the instance is still found, state is kept", async () => {
        const { id, outs, inputs } = await createOne();
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            path: "^/instances/\\d+$",
            status: 404,
            body: JSON.stringify({
                requestId: "0123456789abcdef01234567",
                message: "No account found for the given user",
            }),
        });
        const err = await impl.read(id, outs).catch((e) => e);
        expect(CloudElementsError.isInstance(err)).toBe(true);
        expect(err.message).toBe(
            `refreshing instance ${id}: GET /instances/${id} answered HTTP 404 ("No account found for the given user"), ` +
                `but the instance still exists (searching by its tag pulumi-marker:${inputs.createMarker} lists it); ` +
                "not removing it from state. The 404 was about something else (the account or user?); check the " +
                "credentials and run again.",
        );
        expect(await emulator().control.instances()).toHaveLength(1);
    });

    it("a 404 whose confirmation fails fails the refresh, naming the cause", async () => {
        const { id, outs } = await createOne();
        await callApi(emulator(), "DELETE", `/instances/${id}`);
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            path: "^/instances$",
            status: 403,
            body: JSON.stringify({ message: "Forbidden" }),
        });
        await expect(impl.read(id, outs)).rejects.toThrow(
            new RegExp(
                `^refreshing instance ${id}: GET /instances/${id} answered HTTP 404 \\("[^"]*"\\), but confirming that the instance is gone by searching by its tag pulumi-marker:[0-9a-f-]+ failed: .*HTTP 403.*A 404 alone does not prove it is gone; not removing it from state`,
            ),
        );
    });

    it("keys the GET leaves out, or a missing configuration, keep their state values (no invented drift)", async () => {
        const events = {
            callbackUrl: "https://hooks.example.com/x",
            resources: ["agents"],
            pollingIntervalMinutes: 7,
            signatureKey,
        };
        const { id, outs } = await createOne({ filterResponseNulls: false, events });
        const [instance] = await emulator().control.instances();
        const bare = { id: Number(id), name: "helpdesk", token: "t", element: { key: "freshdeskv2", id: 491 } };
        for (const body of [bare, { ...bare, tags: instance.tags, configuration: {} }]) {
            await emulator().control.addFault({
                kind: "respond",
                method: "GET",
                status: 200,
                body: JSON.stringify(body),
            });
            const result = await impl.read(id, outs);
            expect(result.props).toMatchObject({
                subdomain: "acme",
                tags: ["team-a"],
                filterResponseNulls: false,
                events: { enabled: true, ...events },
            });
            const desired = await checked(program({ filterResponseNulls: false, events }));
            expect((await impl.diff(id, result.props as StateProps, desired)).changes).toBe(false);
        }
    });

    it("a signature key set outside Pulumi (returned in clear) never enters state: a placeholder shows the drift", async () => {
        const events = { callbackUrl: "https://hooks.example.com/x" };
        const { id, outs } = await createOne({ events });
        const foreign = "out-of-band-signing-key-77";
        await callApi(emulator(), "PATCH", `/instances/${id}`, {
            configuration: { "event.notification.signature.key": foreign },
        });
        const result = await impl.read(id, outs);
        expect(pathsContaining(result, foreign)).toEqual([]);
        expect((result.props as StateProps).events?.signatureKey).toBe(foreignSignatureKey);
        const desired = await checked(program({ events }));
        expect((await impl.diff(id, result.props as StateProps, desired)).changes).toBe(true);
        // The next update clears the key the program does not set.
        await impl.update(id, result.props as StateProps, desired);
        const [after] = await emulator().control.instances();
        expect(after.configuration["event.notification.signature.key"] ?? "").toBe("");
    });

    it("the program's own signature key, read back in clear, stays as it is in state", async () => {
        const { id, outs } = await createOne({ events: { callbackUrl: "https://hooks.example.com/x", signatureKey } });
        const result = await impl.read(id, outs);
        expect((result.props as StateProps).events?.signatureKey).toBe(signatureKey);
    });

    it("does not take an HTML 404 (a wrong base URL) for a deleted instance", async () => {
        const { id, outs } = await createOne();
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            status: 404,
            body: "<html><body>Not Found</body></html>",
            contentType: "text/html",
        });
        await expect(impl.read(id, outs)).rejects.toThrow(
            /HTTP 404 \(not found\): the server answered with an HTML page/,
        );
    });

    it("rejects an answer that is not a freshdeskv2 instance", async () => {
        const { id, outs } = await createOne();
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            status: 200,
            body: JSON.stringify({ id: Number(id), name: "x", token: "t", element: { key: "zendesk", id: 1 } }),
        });
        const err = await impl.read(id, outs).catch((e) => e);
        expect(CloudElementsError.isInstance(err)).toBe(true);
        expect(err.message).toMatch(
            /refreshing instance \d+: instance \d+ is an instance of element "zendesk"; expected a Freshdesk V2 \(element key "freshdeskv2"\) instance/,
        );
    });
});

describe("update", () => {
    it("PATCHes the managed settings with the user's tags plus the marker and nonce, and keeps the token", async () => {
        const inputs = await checked(program());
        const created = await impl.create(inputs);
        const outs = wire({ ...created.outs, __provider: providerText });
        const before = (await emulator().control.instances())[0];
        await emulator().control.reset({ requests: true });

        const news = await checked(
            program({ name: "renamed", tags: ["team-b"], events: { callbackUrl: "https://hooks.example.com/x" } }),
        );
        const result = await impl.update(created.id, outs, news);

        const requests = await apiRequests();
        expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /instances/${created.id}`]);
        const ownTags = [`pulumi-marker:${inputs.createMarker}`, `pulumi-create:${outs.createNonce}`];
        expect(requests[0].body).toEqual({
            name: "renamed",
            tags: ["team-b", ...ownTags],
            configuration: {
                subdomain: "acme",
                username: "[redacted]",
                "filter.response.nulls": true,
                "event.notification.enabled": true,
                "event.vendor.type": "polling",
                "event.notification.callback.url": "https://hooks.example.com/x",
                "event.poller.refresh_interval": "15",
                "event.poller.configuration": pollerConfiguration(["incidents", "contacts"]),
                "event.poller.urls": "incidents|contacts",
            },
        });
        const after = (await emulator().control.instances())[0];
        expect(after.tokenFingerprint).toBe(before.tokenFingerprint);
        expect(after.tags).toEqual(["team-b", ...ownTags]);
        const updated = result.outs!;
        expect(updated.token).toBe(outs.token);
        expect(updated).toMatchObject({
            instanceId: Number(created.id),
            name: "renamed",
            tags: ["team-b"],
            eventsEnabled: true,
            createMarker: inputs.createMarker,
            createNonce: outs.createNonce,
            createdDate: outs.createdDate,
        });
        expect(updated).not.toHaveProperty("unconfirmedCreate");
        // Only the old marker is used: the one check stamped on the new inputs is not.
        expect(JSON.stringify(requests[0].body)).not.toContain(news.createMarker);
    });

    it("turning events off sends event.notification.enabled=false and leaves the rest merged as it was", async () => {
        const created = await impl.create(
            await checked(program({ events: { callbackUrl: "https://hooks.example.com/x", signatureKey } })),
        );
        await emulator().control.reset({ requests: true });
        await impl.update(created.id, wire(created.outs), await checked(program({ events: { enabled: false } })));
        const [patch] = await apiRequests();
        expect(patch.body?.configuration).toEqual({
            subdomain: "acme",
            username: "[redacted]",
            "filter.response.nulls": true,
            "event.notification.enabled": false,
        });
        const [instance] = await emulator().control.instances();
        expect(instance.configuration["event.notification.enabled"]).toBe("false");
    });

    it("rotates the API key in place (Cloud Elements re-checks it), keeping id and token", async () => {
        const created = await impl.create(await checked(program()));
        const before = (await emulator().control.instances())[0];
        const result = await impl.update(
            created.id,
            wire(created.outs),
            await checked(program({ apiKey: otherAcmeKey })),
        );
        const after = (await emulator().control.instances())[0];
        expect(after.apiKeyFingerprint).toBe(fingerprint(otherAcmeKey));
        expect(after.id).toBe(before.id);
        expect(after.tokenFingerprint).toBe(before.tokenFingerprint);
        expect(result.outs?.apiKey).toBe(otherAcmeKey);
    });

    it("an invalid new API key fails with the provider's message and no secret", async () => {
        const created = await impl.create(await checked(program()));
        const err = await impl
            .update(created.id, wire(created.outs), await checked(program({ apiKey: "notTheRightKey000001" })))
            .catch((e) => e);
        expect(HttpError.isInstance(err)).toBe(true);
        expect(err.message).toMatch(/updating instance \d+: Cloud Elements PATCH \/instances\/\d+ failed: HTTP 400/);
        expect(err.message).toMatch(/invalid_credentials/);
        expect(err.message).not.toContain("notTheRightKey000001");
        expect(err.message).not.toContain(acme.apiKey);
        expect((await emulator().control.instances())[0].apiKeyFingerprint).toBe(fingerprint(acme.apiKey));
    });
});

describe("delete", () => {
    it("deletes the instance; a second delete (404) succeeds", async () => {
        const created = await impl.create(await checked(program()));
        await impl.delete(created.id, created.outs);
        expect(await emulator().control.instances()).toEqual([]);
        await expect(impl.delete(created.id, created.outs)).resolves.toBeUndefined();
        expect((await apiRequests()).map((r) => `${r.method} ${r.status}`)).toEqual([
            "POST 200",
            "DELETE 200",
            "DELETE 404",
        ]);
    });

    it("fails loudly on other errors, and on an HTML 404 that only looks like 'gone'", async () => {
        const created = await impl.create(await checked(program()));
        await emulator().control.addFault({
            kind: "respond",
            method: "DELETE",
            status: 403,
            body: '{"message":"Forbidden","requestId":"0123456789abcdef01234567"}',
        });
        await expect(impl.delete(created.id, created.outs)).rejects.toThrow(
            /deleting instance \d+: Cloud Elements DELETE \/instances\/\d+ failed: HTTP 403 \(forbidden\): Forbidden \[requestId 0123456789abcdef01234567\]/,
        );
        await emulator().control.addFault({
            kind: "respond",
            method: "DELETE",
            status: 404,
            body: "<html>nope</html>",
            contentType: "text/html",
        });
        await expect(impl.delete(created.id, created.outs)).rejects.toThrow(/HTML page/);
        expect(await emulator().control.instances()).toHaveLength(1);
    });

    it("409 (in use): fails saying the instance is in use and was not deleted, without a retry", async () => {
        const created = await impl.create(await checked(program()));
        await emulator().control.setInUse(Number(created.id));
        await emulator().control.reset({ requests: true });
        const err = await impl.delete(created.id, created.outs).catch((e) => e);
        expect(CloudElementsError.isInstance(err)).toBe(true);
        expect(err.message).toMatch(
            new RegExp(
                `^instance ${created.id} is in use, so Cloud Elements refused to delete it \\(.*HTTP 409.*\\); it was not deleted and stays in the stack's state`,
            ),
        );
        expect((await apiRequests()).map((r) => `${r.method} ${r.status}`)).toEqual(["DELETE 409"]);
        expect(await emulator().control.instances()).toHaveLength(1);
        await emulator().control.clearInUse(Number(created.id));
        await impl.delete(created.id, created.outs);
        expect(await emulator().control.instances()).toEqual([]);
    });
});

describe("adoption (adoptInstanceId)", () => {
    async function existing(tags: string[] = ["legacy"]): Promise<ApiInstance> {
        return callApi(emulator(), "POST", "/instances", {
            element: { key: "freshdeskv2" },
            name: "made-by-hand",
            tags,
            configuration: { subdomain: "acme", username: otherAcmeKey },
        });
    }

    it("adopts an unmarked instance with one PUT ?reAuthenticate=true, keeping the id and token", async () => {
        const instance = await existing();
        await emulator().control.reset({ requests: true });
        const inputs = await checked(program({ adoptInstanceId: String(instance.id) }));
        const result = await impl.create(inputs);
        expect(result.id).toBe(String(instance.id));
        expect(result.outs?.token).toBe(instance.token);
        const requests = await apiRequests();
        expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
            `GET /instances/${instance.id}`,
            `PUT /instances/${instance.id}`,
        ]);
        expect(requests[1].query).toEqual({ reAuthenticate: "true" });
        expect(Object.keys(requests[1].body!).sort()).toEqual(["configuration", "name", "tags"]);
        const [adopted] = await emulator().control.instances();
        expect(adopted).toMatchObject({
            id: instance.id,
            name: "helpdesk",
            tags: ["team-a", `pulumi-marker:${inputs.createMarker}`],
            apiKeyFingerprint: fingerprint(acme.apiKey),
        });
    });

    it("a rejected API key after the target is confirmed is a partial create with the id (recorded, updated next)", async () => {
        const instance = await existing();
        const err = await impl
            .create(await checked(program({ adoptInstanceId: instance.id, apiKey: "notTheRightKey000001" })))
            .catch((e) => e);
        expect(PartialCreateError.isInstance(err)).toBe(true);
        expect(err.id).toBe(String(instance.id));
        expect(err.message).toMatch(/adopting instance \d+ failed: .*HTTP 400.*invalid_credentials/);
        expect(err.message).not.toContain("notTheRightKey000001");
        const [unchanged] = await emulator().control.instances();
        expect(unchanged).toMatchObject({ name: "made-by-hand", tags: ["legacy"] });
    });

    it("re-checks the API key even when it is the one already stored", async () => {
        const instance = await existing();
        // The key stored on the instance has since been revoked in Freshdesk.
        await emulator().control.setAccounts({
            ...devAccounts,
            freshdesk: [{ subdomain: "acme", apiKeys: [acme.apiKey] }],
        });
        try {
            const err = await impl
                .create(await checked(program({ adoptInstanceId: instance.id, apiKey: otherAcmeKey })))
                .catch((e) => e);
            expect(err.message).toMatch(/updating instance \d+: Cloud Elements PUT .*HTTP 400.*invalid_credentials/);
            expect((await emulator().control.instances())[0].tags).toEqual(["legacy"]);
        } finally {
            await emulator().control.setAccounts(devAccounts);
        }
    });

    it("an instance carrying this resource's own marker (a replacement) is not adopted again: a fresh one is created", async () => {
        const inputs = await checked(program({ adoptInstanceId: 1 }));
        const instance = await existing([`pulumi-marker:${inputs.createMarker}`]);
        const result = await impl.create({ ...inputs, adoptInstanceId: instance.id });
        expect(result.id).not.toBe(String(instance.id));
        const instances = await emulator().control.instances();
        expect(instances.map((i) => i.id).sort()).toEqual([instance.id, Number(result.id)].sort());
        expect(instances.find((i) => i.id === instance.id)).toMatchObject({ name: "made-by-hand" });
    });

    it("an instance carrying this resource's owner tag (a replacement, whose marker is new) is not adopted again", async () => {
        const inputs = await checked(program({ adoptInstanceId: 1, owner: "project/stack/helpdesk" }));
        const instance = await existing([
            "pulumi-marker:the-replaced-resources-marker",
            ownerTag("project/stack/helpdesk"),
        ]);
        const result = await impl.create({ ...inputs, adoptInstanceId: instance.id });
        expect(result.id).not.toBe(String(instance.id));
        const created = await emulator().control.instances();
        expect(created).toHaveLength(2);
        expect(created.find((i) => i.id === Number(result.id))!.tags).toEqual(
            expect.arrayContaining([ownerTag("project/stack/helpdesk"), `pulumi-marker:${inputs.createMarker}`]),
        );
        // Another stack's resource of the same name has another owner: refused.
        const elsewhere = await checked(program({ adoptInstanceId: instance.id, owner: "project/prod/helpdesk" }));
        await expect(impl.create(elsewhere)).rejects.toThrow(/is managed by another Pulumi resource/);
    });

    it("refuses an instance another resource manages, naming its marker and how to take it over; adoptTakeOver does", async () => {
        const instance = await existing(["legacy", "pulumi-marker:other-resource-marker"]);
        const inputs = await checked(program({ adoptInstanceId: instance.id }));
        await expect(impl.create(inputs)).rejects.toThrow(
            `adoptInstanceId ${instance.id}: instance ${instance.id} is managed by another Pulumi resource ` +
                "(tag pulumi-marker:other-resource-marker)",
        );
        const err = await impl.create(inputs).catch((e) => e);
        expect(err.message).toMatch(/pulumi state delete <urn>.*retainOnDelete.*adoptTakeOver: true/);
        expect((await emulator().control.instances())[0]).toMatchObject({ name: "made-by-hand" });

        const takeOver = await checked(program({ adoptInstanceId: instance.id, adoptTakeOver: true }));
        const result = await impl.create(takeOver);
        expect(result.id).toBe(String(instance.id));
        expect((await emulator().control.instances())[0].tags).toEqual([
            "team-a",
            `pulumi-marker:${takeOver.createMarker}`,
        ]);
    });

    it("an instance that is gone (404 confirmed by listing) is replaced by a fresh instance", async () => {
        const instance = await existing();
        await callApi(emulator(), "DELETE", `/instances/${instance.id}`);
        await emulator().control.reset({ requests: true });
        const result = await impl.create(await checked(program({ adoptInstanceId: instance.id })));
        expect(result.id).not.toBe(String(instance.id));
        expect((await apiRequests()).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
            `GET /instances/${instance.id} 404`,
            "GET /instances 404",
            "POST /instances 200",
        ]);
        expect(await emulator().control.instances()).toHaveLength(1);
    });

    it("a 404 not about the instance creates nothing: the instance is still listed", async () => {
        const instance = await existing();
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            path: "^/instances/\\d+$",
            status: 404,
            body: JSON.stringify({ message: "No account found for the given user" }),
        });
        await expect(impl.create(await checked(program({ adoptInstanceId: instance.id })))).rejects.toThrow(
            /adoptInstanceId \d+: GET \/instances\/\d+ answered HTTP 404 \("No account found for the given user"\), but the instance still exists \(listing all instances lists it\); nothing was created or changed/,
        );
        expect(await emulator().control.instances()).toHaveLength(1);
    });
});

describe("credentials", () => {
    it("a wrong user secret fails with 401, naming the settings and echoing no secret", async () => {
        await configure({ "cloudelements:userSecret": "not-a-known-user-secret" });
        const inputs = await checked(program());
        const err = await impl.create(inputs).catch((e) => e);
        expect(HttpError.isInstance(err)).toBe(true);
        expect(err.status).toBe(401);
        expect(err.message).toContain("cloudelements:userSecret");
        expect(err.message).toContain("CLOUD_ELEMENTS_ORGANIZATION_SECRET");
        for (const secret of ["not-a-known-user-secret", devOrganization.organizationSecret, acme.apiKey]) {
            expect(err.message).not.toContain(secret);
            expect(JSON.stringify(err)).not.toContain(secret);
        }
        expect(Object.keys(err)).not.toEqual(expect.arrayContaining(["config"]));
        expect(err).not.toHaveProperty("config");
        expect(err).not.toHaveProperty("response");
        expect(err).not.toHaveProperty("cause");
        expect(await emulator().control.instances()).toEqual([]);
    });

    it("missing settings fail before any request", async () => {
        await impl.configure({ config: configReader({ "cloudelements:baseUrl": emulator().baseUrl }) });
        const saved = { ...process.env };
        delete process.env.CLOUD_ELEMENTS_USER_SECRET;
        delete process.env.CLOUD_ELEMENTS_ORGANIZATION_SECRET;
        try {
            await expect(impl.read("1", {})).rejects.toThrow(/cloudelements:userSecret.*CLOUD_ELEMENTS_USER_SECRET/);
            expect(await apiRequests()).toEqual([]);
        } finally {
            process.env = saved;
        }
    });

    it("falls back to environment variables read at call time", async () => {
        await impl.configure({ config: configReader({}) });
        const saved = { ...process.env };
        process.env.CLOUD_ELEMENTS_BASE_URL = emulator().origin;
        process.env.CLOUD_ELEMENTS_USER_SECRET = devUser.userSecret;
        process.env.CLOUD_ELEMENTS_ORGANIZATION_SECRET = devOrganization.organizationSecret;
        try {
            const created = await impl.create(await checked(program()));
            expect(await emulator().control.instances()).toHaveLength(1);
            process.env.CLOUD_ELEMENTS_USER_SECRET = "rotated-and-wrong";
            await expect(impl.read(created.id, created.outs)).rejects.toThrow(/HTTP 401/);
        } finally {
            process.env = saved;
        }
    });
});
