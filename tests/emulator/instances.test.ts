/**
 * Instance semantics of the emulator (reference sections 4-6 and 9), through real HTTP.
 */
import { devAccounts, fingerprint, minInstanceId, startEmulator } from "../../emulator";
import {
    acmeAccount,
    call,
    createInstance,
    devAuthorization,
    devOrganization,
    devUser,
    documentedFields,
    exampleBody,
    freshdeskConfigurationDefaults,
    fullConfiguration,
    globexAccount,
    useEmulator,
} from "../helpers/emulator";

const emulator = useEmulator();

describe("create", () => {
    it("accepts the documented example body and answers every documented top-level field", async () => {
        const reply = await call(emulator(), "POST", "/instances", { body: exampleBody() });
        expect(reply.status).toBe(200);
        const instance = reply.json;
        for (const field of documentedFields) {
            expect(instance).toHaveProperty([field]);
        }
        expect(Number.isInteger(instance.id)).toBe(true);
        expect(instance.name).toBe("acme-helpdesk");
        expect(instance.tags).toEqual(["team-a"]);
        expect(instance.createdDate).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
        expect(Math.abs(Date.parse(instance.createdDate) - Date.now())).toBeLessThan(5000);
        expect(instance.token).toMatch(/^[A-Za-z0-9+/]{43}=$/);
        // Every token carries both characters that need care in headers and URLs.
        expect(instance.token).toContain("+");
        expect(instance.token).toContain("/");
        expect(Buffer.from(instance.token, "base64")).toHaveLength(32);
        expect(instance.elementId).toBe(491);
        expect(instance.element).toMatchObject({
            id: 491,
            name: "Freshdesk V2",
            hookName: "Freshdeskv2",
            key: "freshdeskv2",
            image: "elements/provider_freshdesk.png",
            active: true,
            deleted: false,
            typeOauth: false,
            trialAccount: false,
            resources: [],
            transformationsEnabled: true,
            bulkDownloadEnabled: true,
            bulkUploadEnabled: true,
            cloneable: true,
            extendable: true,
            beta: false,
            extended: false,
            authentication: { type: "basic" },
            hub: "helpdesk",
            protocolType: "http",
            parameters: [],
        });
        expect(typeof instance.element.description).toBe("string");
        expect(instance).toMatchObject({
            provisionInteractions: [],
            valid: true,
            disabled: false,
            maxCacheSize: 0,
            cacheTimeToLive: 0,
            eventsEnabled: false,
            traceLoggingEnabled: false,
            cachingEnabled: false,
            externalAuthentication: "none",
        });
        // Values are stored and returned as strings; every key of the element comes back, and the API key in clear.
        expect(instance.configuration).toEqual(
            fullConfiguration({ subdomain: "acme", username: "FRESHDESK_API_KEY", "filter.response.nulls": "true" }),
        );
        expect(instance.user).toEqual({
            id: expect.any(Number),
            emailAddress: devUser.email,
            firstName: devUser.firstName,
            lastName: devUser.lastName,
        });
    });

    it("hands out large, unique, increasing integer ids with random gaps, and distinct tokens", async () => {
        const created = [];
        for (let i = 0; i < 12; i++) {
            created.push(await createInstance(emulator(), { name: `id-${i}` }));
        }
        const ids = created.map((instance) => instance.id as number);
        for (const id of ids) {
            expect(Number.isSafeInteger(id)).toBe(true);
            expect(id).toBeGreaterThanOrEqual(minInstanceId);
        }
        for (let i = 1; i < ids.length; i++) {
            expect(ids[i]).toBeGreaterThan(ids[i - 1]);
        }
        // Random gaps: 11 consecutive gaps of 1 happen with probability 1e-33.
        expect(ids[ids.length - 1] - ids[0]).toBeGreaterThan(ids.length - 1);
        expect(new Set(created.map((instance) => instance.token)).size).toBe(created.length);
        // A second emulator does not start where this one did.
        const other = await startEmulator();
        try {
            const first = await createInstance(other);
            expect(first.id).toBeGreaterThanOrEqual(minInstanceId);
            expect(ids).not.toContain(first.id);
        } finally {
            await other.close();
        }
    });

    it("records ownership and fingerprints in the control API, never the secrets", async () => {
        const created = await createInstance(emulator(), { name: "owned" });
        const seen = (await emulator().control.instances()).find((i) => i.id === created.id);
        expect(seen).toEqual({
            id: created.id,
            name: "owned",
            tags: ["team-a"],
            createdDate: created.createdDate,
            organizationSecretFingerprint: fingerprint(devOrganization.organizationSecret),
            userEmail: devUser.email,
            elementKey: "freshdeskv2",
            configuration: fullConfiguration({
                subdomain: "acme",
                username: "********",
                "filter.response.nulls": "true",
            }),
            apiKeyFingerprint: fingerprint("FRESHDESK_API_KEY"),
            tokenFingerprint: fingerprint(created.token),
            disabled: false,
            valid: true,
            inUse: false,
        });
        const dump = JSON.stringify(await emulator().control.instances());
        expect(dump).not.toContain("FRESHDESK_API_KEY");
        expect(dump).not.toContain(created.token);
    });

    it("creates through /elements/{key}/instances and /elements/491/instances without an element in the body", async () => {
        const { element: _omitted, ...body } = exampleBody();
        const byKey = await call(emulator(), "POST", "/elements/freshdeskv2/instances", { body });
        expect(byKey.status).toBe(200);
        expect(byKey.json.element.key).toBe("freshdeskv2");
        const byId = await call(emulator(), "POST", "/elements/491/instances", { body });
        expect(byId.status).toBe(200);
        expect(byId.json.elementId).toBe(491);
    });

    it("accepts element.id 491 in the body", async () => {
        const reply = await call(emulator(), "POST", "/instances", {
            body: { ...exampleBody(), element: { id: 491 } },
        });
        expect(reply.status).toBe(200);
        expect(reply.json.element.key).toBe("freshdeskv2");
    });

    it("rejects other elements, naming them, and a missing element", async () => {
        const before = (await emulator().control.instances()).length;
        const path = await call(emulator(), "POST", "/elements/salesforce/instances", { body: exampleBody() });
        expect(path.status).toBe(404);
        expect(path.json.message).toContain("salesforce");
        const bodyKey = await call(emulator(), "POST", "/instances", {
            body: { ...exampleBody(), element: { key: "zendesk" } },
        });
        expect(bodyKey.status).toBe(400);
        expect(bodyKey.json.message).toContain("zendesk");
        const bodyId = await call(emulator(), "POST", "/instances", {
            body: { ...exampleBody(), element: { id: 42 } },
        });
        expect(bodyId.status).toBe(400);
        expect(bodyId.json.message).toContain("42");
        const mismatch = await call(emulator(), "POST", "/elements/freshdeskv2/instances", {
            body: { ...exampleBody(), element: { key: "zendesk" } },
        });
        expect(mismatch.status).toBe(400);
        const { element: _omitted, ...noElement } = exampleBody();
        const missing = await call(emulator(), "POST", "/instances", { body: noElement });
        expect(missing.status).toBe(400);
        expect(missing.json.message).toMatch(/element/);
        expect((await emulator().control.instances()).length).toBe(before);
    });

    it("answers 400 naming the missing required configuration and creates nothing", async () => {
        const before = (await emulator().control.instances()).length;
        const both = await call(emulator(), "POST", "/instances", {
            body: { ...exampleBody(), configuration: { "filter.response.nulls": true } },
        });
        expect(both.status).toBe(400);
        expect(both.json).toEqual({ requestId: expect.stringMatching(/^[0-9a-f]{24}$/), message: expect.any(String) });
        expect(both.json.message).toContain("subdomain");
        expect(both.json.message).toContain("username");
        const one = await call(emulator(), "POST", "/instances", {
            body: { ...exampleBody(), configuration: { subdomain: "acme", username: "" } },
        });
        expect(one.status).toBe(400);
        expect(one.json.message).toContain("username");
        expect(one.json.message).not.toContain("subdomain");
        const none = await call(emulator(), "POST", "/instances", {
            body: { ...exampleBody(), configuration: undefined },
        });
        expect(none.status).toBe(400);
        expect((await emulator().control.instances()).length).toBe(before);
    });

    it("rejects a missing or empty name and badly typed tags or configuration", async () => {
        for (const body of [
            { ...exampleBody(), name: undefined },
            { ...exampleBody(), name: "<b></b>" },
            { ...exampleBody(), name: 42 },
            { ...exampleBody(), tags: "team-a" },
            { ...exampleBody(), tags: [1, 2] },
            { ...exampleBody(), configuration: "subdomain=acme" },
        ]) {
            const reply = await call(emulator(), "POST", "/instances", { body });
            expect(reply.status).toBe(400);
            expect(typeof reply.json.message).toBe("string");
        }
    });

    it("fails the Freshdesk credential check with a Freshdesk-style providerMessage and creates nothing", async () => {
        const before = (await emulator().control.instances()).length;
        const wrongKey = await call(emulator(), "POST", "/instances", {
            body: { ...exampleBody(), configuration: { subdomain: "acme", username: "not-a-valid-key-0001" } },
        });
        expect(wrongKey.status).toBe(400);
        expect(wrongKey.json).toEqual({
            requestId: wrongKey.headers.get("elements-request-id"),
            message: expect.stringContaining("Failed to validate credentials for freshdeskv2"),
            providerMessage:
                '{"code":"invalid_credentials","message":"You have to be logged in to perform this action."}',
        });
        expect(wrongKey.text).not.toContain("not-a-valid-key-0001");
        // A key of another Freshdesk account is not valid on this subdomain; an unknown subdomain fails too.
        const otherAccountKey = await call(emulator(), "POST", "/instances", {
            body: { ...exampleBody(), configuration: { subdomain: "acme", username: globexAccount.apiKeys[0] } },
        });
        expect(otherAccountKey.status).toBe(400);
        const unknownSubdomain = await call(emulator(), "POST", "/instances", {
            body: { ...exampleBody(), configuration: { subdomain: "initech", username: acmeAccount.apiKeys[0] } },
        });
        expect(unknownSubdomain.status).toBe(400);
        expect(unknownSubdomain.json.message).toContain("Failed to validate credentials");
        expect((await emulator().control.instances()).length).toBe(before);
    });

    it("strips HTML from name and tags, and defaults the tags to the sanitised name", async () => {
        const tagged = await createInstance(emulator(), {
            name: '<a href="https://evil.example">x</a>-helpdesk',
            tags: ["<b>team</b>-a", "<i>prod</i>"],
        });
        expect(tagged.name).toBe("x-helpdesk");
        expect(tagged.tags).toEqual(["team-a", "prod"]);
        const body: Record<string, unknown> = { ...exampleBody(), name: "<script>alert(1)</script>plain" };
        delete body.tags;
        const untagged = await call(emulator(), "POST", "/instances", { body });
        expect(untagged.status).toBe(200);
        expect(untagged.json.name).toBe("alert(1)plain");
        expect(untagged.json.tags).toEqual(["alert(1)plain"]);
    });

    it("stores every configuration value as a string, objects as JSON, and derives eventsEnabled", async () => {
        const poller = { incidents: { url: "/hubs/helpdesk/incidents", idField: "id" } };
        const created = await createInstance(emulator(), {
            configuration: {
                subdomain: "acme",
                username: "FRESHDESK_API_KEY",
                "event.notification.enabled": true,
                "event.vendor.type": "polling",
                "event.poller.refresh_interval": 15,
                "event.poller.configuration": poller,
                "event.notification.callback.url": "https://hooks.example.com/fd",
            },
        });
        expect(created.configuration).toEqual(
            fullConfiguration({
                subdomain: "acme",
                username: "FRESHDESK_API_KEY",
                "event.notification.enabled": "true",
                "event.vendor.type": "polling",
                "event.poller.refresh_interval": "15",
                "event.poller.configuration": JSON.stringify(poller),
                "event.notification.callback.url": "https://hooks.example.com/fd",
            }),
        );
        expect(created.eventsEnabled).toBe(true);
        const off = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { configuration: { "event.notification.enabled": false } },
        });
        expect(off.json.eventsEnabled).toBe(false);
        expect(off.json.configuration["event.notification.enabled"]).toBe("false");
    });

    it("never echoes providerData", async () => {
        const created = await createInstance(emulator(), { providerData: { code: "oauth-code-123" } });
        expect(created).not.toHaveProperty("providerData");
        expect(JSON.stringify(created)).not.toContain("oauth-code-123");
    });
});

describe("read and list", () => {
    it("reads one instance by id, also under /elements/{key}/instances/{id}", async () => {
        const created = await createInstance(emulator(), { name: "readable" });
        const read = await call(emulator(), "GET", `/instances/${created.id}`);
        expect(read.status).toBe(200);
        expect(read.json).toEqual(created);
        const byElement = await call(emulator(), "GET", `/elements/freshdeskv2/instances/${created.id}`);
        expect(byElement.json).toEqual(created);
        const wrongElement = await call(emulator(), "GET", `/elements/jira/instances/${created.id}`);
        expect(wrongElement.status).toBe(404);
    });

    it("answers 404 for an unknown id and 400 for a non-integer id", async () => {
        // Ids below minInstanceId are never handed out.
        const unknown = await call(emulator(), "GET", "/instances/99999");
        expect(unknown.status).toBe(404);
        expect(unknown.json.message).toBe("No instance found with ID 99999");
        const bad = await call(emulator(), "GET", "/instances/abc");
        expect(bad.status).toBe(400);
    });

    it("lists the instances of an element, each with createdDate", async () => {
        const created = await createInstance(emulator(), { name: "by-element" });
        for (const keyOrId of ["freshdeskv2", "491"]) {
            const reply = await call(emulator(), "GET", `/elements/${keyOrId}/instances`);
            expect(reply.status).toBe(200);
            const found = reply.json.find((i: { id: number }) => i.id === created.id);
            expect(found.createdDate).toBe(created.createdDate);
            expect(reply.json.every((i: { elementId: number }) => i.elementId === 491)).toBe(true);
        }
        expect((await call(emulator(), "GET", "/elements/hubspot/instances")).status).toBe(404);
    });

    it("lists a lighter shape with hydrate=false", async () => {
        const created = await createInstance(emulator(), { name: "light" });
        const reply = await call(emulator(), "GET", "/instances?hydrate=false");
        const light = reply.json.find((i: { id: number }) => i.id === created.id);
        expect(light).not.toHaveProperty("configuration");
        expect(light.element).toEqual({
            id: 491,
            key: "freshdeskv2",
            name: "Freshdesk V2",
            hub: "helpdesk",
            authentication: { type: "basic" },
        });
        expect(light.token).toBe(created.token);
    });
});

describe("update", () => {
    it("PATCH replaces tags, merges configuration key by key, keeps id and token", async () => {
        const created = await createInstance(emulator(), {
            tags: ["a", "b"],
            configuration: { ...(exampleBody().configuration as object), "event.poller.refresh_interval": "15" },
        });
        const reply = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: {
                id: created.id,
                name: "renamed",
                tags: ["c"],
                configuration: { "event.notification.callback.url": "https://hooks.example.com/x" },
            },
        });
        expect(reply.status).toBe(200);
        expect(reply.json.id).toBe(created.id);
        expect(reply.json.token).toBe(created.token);
        expect(reply.json.name).toBe("renamed");
        expect(reply.json.tags).toEqual(["c"]);
        expect(reply.json.configuration).toEqual(
            fullConfiguration({
                subdomain: "acme",
                username: "FRESHDESK_API_KEY",
                "filter.response.nulls": "true",
                "event.poller.refresh_interval": "15",
                "event.notification.callback.url": "https://hooks.example.com/x",
            }),
        );
        expect(reply.json.createdDate).toBe(created.createdDate);
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).json).toEqual(reply.json);
    });

    it("PATCH with only tags keeps name and configuration; null resets an element key and removes an extra one", async () => {
        const created = await createInstance(emulator(), { name: "keep-me" });
        const tagsOnly = await call(emulator(), "PATCH", `/instances/${created.id}`, { body: { tags: [] } });
        expect(tagsOnly.json.tags).toEqual([]);
        expect(tagsOnly.json.name).toBe("keep-me");
        expect(tagsOnly.json.configuration).toEqual(created.configuration);
        await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { configuration: { "filter.response.nulls": false, "custom.extra": "x" } },
        });
        const removed = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { configuration: { "filter.response.nulls": null, "custom.extra": null } },
        });
        expect(removed.json.configuration).toEqual(
            fullConfiguration({ subdomain: "acme", username: "FRESHDESK_API_KEY" }),
        );
        const required = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { configuration: { subdomain: null } },
        });
        expect(required.status).toBe(400);
        expect(required.json.message).toContain("subdomain");
    });

    it("PATCH rejects a change to an unrelated element and accepts the same element", async () => {
        const created = await createInstance(emulator());
        const other = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { element: { key: "zendesk" } },
        });
        expect(other.status).toBe(400);
        expect(other.json.message).toContain("zendesk");
        const otherId = await call(emulator(), "PATCH", `/instances/${created.id}`, { body: { element: { id: 7 } } });
        expect(otherId.status).toBe(400);
        const same = await call(emulator(), "PATCH", `/instances/${created.id}`, { body: { element: { id: 491 } } });
        expect(same.status).toBe(200);
        expect(same.json.elementId).toBe(491);
    });

    it("re-checks credentials only when subdomain or username change, and changes nothing when the check fails", async () => {
        const created = await createInstance(emulator());
        const bad = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { name: "never-applied", configuration: { username: "wrong-key-000000000" } },
        });
        expect(bad.status).toBe(400);
        expect(bad.json.providerMessage).toContain("invalid_credentials");
        let stored = (await emulator().control.instances()).find((i) => i.id === created.id);
        expect(stored?.name).toBe(created.name);
        expect(stored?.apiKeyFingerprint).toBe(fingerprint("FRESHDESK_API_KEY"));

        const rotated = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { configuration: { username: acmeAccount.apiKeys[1] } },
        });
        expect(rotated.status).toBe(200);
        stored = (await emulator().control.instances()).find((i) => i.id === created.id);
        expect(stored?.apiKeyFingerprint).toBe(fingerprint(acmeAccount.apiKeys[1]));

        const moved = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { configuration: { subdomain: "globex" } },
        });
        expect(moved.status).toBe(400);
        const movedWithKey = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { configuration: { subdomain: "globex", username: globexAccount.apiKeys[0] } },
        });
        expect(movedWithKey.status).toBe(200);
        expect(movedWithKey.json.configuration.subdomain).toBe("globex");
    });

    it("a PATCH never re-checks unchanged credentials, even with ?reAuthenticate=true; PUT ?reAuthenticate=true does", async () => {
        const created = await createInstance(emulator());
        // Freshdesk now rejects the instance's key (e.g. it was revoked).
        await emulator().control.setAccounts({
            organizations: devAccounts.organizations,
            freshdesk: [{ subdomain: "acme", apiKeys: ["only-a-new-key-00001"] }],
        });
        try {
            const renamed = await call(emulator(), "PATCH", `/instances/${created.id}`, { body: { name: "renamed" } });
            expect(renamed.status).toBe(200);
            // reAuthenticate is documented on PUT only: PATCH ignores it.
            const patched = await call(emulator(), "PATCH", `/instances/${created.id}?reAuthenticate=true`, {
                body: { name: "patched", configuration: { "filter.response.nulls": false } },
            });
            expect(patched.status).toBe(200);
            expect(patched.json.name).toBe("patched");
            const plainPut = await call(emulator(), "PUT", `/instances/${created.id}`, { body: { name: "put" } });
            expect(plainPut.status).toBe(200);
            const reauth = await call(emulator(), "PUT", `/instances/${created.id}?reAuthenticate=true`, {
                body: { name: "never-applied" },
            });
            expect(reauth.status).toBe(400);
            expect(reauth.json.message).toContain("Failed to validate credentials");
            expect(reauth.json.providerMessage).toContain("invalid_credentials");
            expect((await call(emulator(), "GET", `/instances/${created.id}`)).json.name).toBe("put");
            // With a key Freshdesk accepts, the same PUT re-authenticates and applies: id and token are kept.
            const rotated = await call(emulator(), "PUT", `/instances/${created.id}?reAuthenticate=true`, {
                body: { name: "re-authenticated", configuration: { username: "only-a-new-key-00001" } },
            });
            expect(rotated.status).toBe(200);
            expect(rotated.json).toMatchObject({ id: created.id, token: created.token, name: "re-authenticated" });
        } finally {
            await emulator().control.setAccounts(devAccounts);
        }
    });

    it("PUT is partial: configuration merged, tags replaced ([] clears), name set, id and token kept", async () => {
        const created = await createInstance(emulator(), {
            configuration: { ...(exampleBody().configuration as object), "event.poller.refresh_interval": "15" },
        });
        const reply = await call(emulator(), "PUT", `/instances/${created.id}`, {
            body: {
                name: "replaced",
                tags: [],
                configuration: { subdomain: "acme", username: "FRESHDESK_API_KEY", "pagination.max": 30 },
            },
        });
        expect(reply.status).toBe(200);
        expect(reply.json.id).toBe(created.id);
        expect(reply.json.token).toBe(created.token);
        expect(reply.json.name).toBe("replaced");
        expect(reply.json.tags).toEqual([]);
        expect(reply.json.configuration).toEqual(
            fullConfiguration({
                subdomain: "acme",
                username: "FRESHDESK_API_KEY",
                "filter.response.nulls": "true",
                "event.poller.refresh_interval": "15",
                "pagination.max": "30",
            }),
        );
        // A configuration without the element's credentials keeps them (ce-go PUTs such bodies).
        const partial = await call(emulator(), "PUT", `/instances/${created.id}`, {
            body: { tags: ["x"], configuration: { "event.poller.refresh_interval": "5" } },
        });
        expect(partial.status).toBe(200);
        expect(partial.json.name).toBe("replaced");
        expect(partial.json.tags).toEqual(["x"]);
        expect(partial.json.configuration.username).toBe("FRESHDESK_API_KEY");
        expect(partial.json.configuration["event.poller.refresh_interval"]).toBe("5");
        const missing = await call(emulator(), "PUT", `/instances/${created.id}`, {
            body: { configuration: { username: null } },
        });
        expect(missing.status).toBe(400);
        expect(missing.json.message).toContain("username");
        const wrongId = await call(emulator(), "PUT", `/instances/${created.id}`, { body: { id: created.id + 1000 } });
        expect(wrongId.status).toBe(400);
    });

    it("updates through /elements/{key}/instances/{id}", async () => {
        const created = await createInstance(emulator());
        const patched = await call(emulator(), "PATCH", `/elements/freshdeskv2/instances/${created.id}`, {
            body: { tags: ["via-element"] },
        });
        expect(patched.json.tags).toEqual(["via-element"]);
        const put = await call(emulator(), "PUT", `/elements/491/instances/${created.id}`, { body: { name: "put" } });
        expect(put.json.name).toBe("put");
    });
});

describe("delete, enable and disable", () => {
    it("DELETE answers 200 with an empty body; the instance and its token are gone", async () => {
        const created = await createInstance(emulator());
        const deleted = await call(emulator(), "DELETE", `/instances/${created.id}`);
        expect(deleted.status).toBe(200);
        expect(deleted.text).toBe("");
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).status).toBe(404);
        expect((await call(emulator(), "DELETE", `/instances/${created.id}`)).status).toBe(404);
        const tokenCall = await call(emulator(), "GET", "/instances/configuration", {
            auth: `${devAuthorization}, Element ${created.token}`,
        });
        expect(tokenCall.status).toBe(401);
        expect((await emulator().control.instances()).some((i) => i.id === created.id)).toBe(false);
    });

    it("DELETE answers 409 while the instance is marked in use, and deletes once the mark is cleared", async () => {
        const created = await createInstance(emulator());
        const marked = await emulator().control.setInUse(created.id);
        expect(marked).toMatchObject({ id: created.id, inUse: true });
        const refused = await call(emulator(), "DELETE", `/instances/${created.id}`);
        expect(refused.status).toBe(409);
        expect(refused.json).toEqual({
            requestId: refused.headers.get("elements-request-id"),
            message: `Instance ${created.id} is in use and cannot be deleted`,
        });
        // Also through the element path; the instance stays and keeps working.
        expect((await call(emulator(), "DELETE", `/elements/freshdeskv2/instances/${created.id}`)).status).toBe(409);
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).status).toBe(200);
        expect((await call(emulator(), "PATCH", `/instances/${created.id}`, { body: { tags: ["t"] } })).status).toBe(
            200,
        );
        expect((await emulator().control.clearInUse(created.id)).inUse).toBe(false);
        expect((await call(emulator(), "DELETE", `/instances/${created.id}`)).status).toBe(200);
        const unknown = await emulator()
            .control.setInUse(created.id)
            .catch((error: unknown) => error);
        expect(unknown).toMatchObject({ status: 404 });
    });

    it("DELETE through /elements/{key}/instances/{id}", async () => {
        const created = await createInstance(emulator());
        expect((await call(emulator(), "DELETE", `/elements/freshdeskv2/instances/${created.id}`)).status).toBe(200);
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).status).toBe(404);
    });

    it("DELETE /enabled disables, PUT /enabled re-enables, the configuration is kept", async () => {
        const created = await createInstance(emulator());
        const disabled = await call(emulator(), "DELETE", `/instances/${created.id}/enabled`);
        expect(disabled.status).toBe(200);
        expect(disabled.json.disabled).toBe(true);
        const read = await call(emulator(), "GET", `/instances/${created.id}`);
        expect(read.json.disabled).toBe(true);
        expect(read.json.configuration).toEqual(created.configuration);
        expect((await emulator().control.instances()).find((i) => i.id === created.id)?.disabled).toBe(true);
        const enabled = await call(emulator(), "PUT", `/instances/${created.id}/enabled`);
        expect(enabled.status).toBe(200);
        expect(enabled.json.disabled).toBe(false);
        expect(enabled.json.token).toBe(created.token);
    });
});

describe("configuration entries", () => {
    it("lists every key of the element as {id, key, propertyValue} strings, the API key in clear", async () => {
        const created = await createInstance(emulator(), {
            configuration: { ...(exampleBody().configuration as object), "custom.extra": "x" },
        });
        const reply = await call(emulator(), "GET", `/instances/${created.id}/configuration`);
        expect(reply.status).toBe(200);
        // The element's keys in a fixed order, then the extra ones.
        expect(reply.json.map((e: { key: string }) => e.key)).toEqual([
            ...Object.keys(freshdeskConfigurationDefaults),
            "custom.extra",
        ]);
        const byKey = Object.fromEntries(reply.json.map((e: { key: string; propertyValue: string }) => [e.key, e]));
        expect(byKey.subdomain).toEqual({ id: expect.any(Number), key: "subdomain", propertyValue: "acme" });
        expect(byKey.username.propertyValue).toBe("FRESHDESK_API_KEY");
        expect(byKey["event.notification.signature.key"].propertyValue).toBe("");
        expect(new Set(reply.json.map((e: { id: number }) => e.id)).size).toBe(reply.json.length);
    });

    it("reads and patches one entry; entry ids survive a merge", async () => {
        const created = await createInstance(emulator());
        const entries = (await call(emulator(), "GET", `/instances/${created.id}/configuration`)).json;
        const nulls = entries.find((e: { key: string }) => e.key === "filter.response.nulls");
        const one = await call(emulator(), "GET", `/instances/${created.id}/configuration/${nulls.id}`);
        expect(one.json).toEqual(nulls);
        const patched = await call(emulator(), "PATCH", `/instances/${created.id}/configuration/${nulls.id}`, {
            body: { ...nulls, propertyValue: false },
        });
        expect(patched.status).toBe(200);
        expect(patched.json).toEqual({ ...nulls, propertyValue: "false" });
        expect(
            (await call(emulator(), "GET", `/instances/${created.id}`)).json.configuration["filter.response.nulls"],
        ).toBe("false");
        await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { configuration: { "pagination.max": 30 } },
        });
        const after = (await call(emulator(), "GET", `/instances/${created.id}/configuration`)).json;
        expect(after.find((e: { key: string }) => e.key === "filter.response.nulls").id).toBe(nulls.id);

        const username = entries.find((e: { key: string }) => e.key === "username");
        const badKey = await call(emulator(), "PATCH", `/instances/${created.id}/configuration/${username.id}`, {
            body: { key: "username", propertyValue: "wrong-key-000000000" },
        });
        expect(badKey.status).toBe(400);
        const wrongEntryKey = await call(emulator(), "PATCH", `/instances/${created.id}/configuration/${nulls.id}`, {
            body: { key: "subdomain", propertyValue: "x" },
        });
        expect(wrongEntryKey.status).toBe(400);
        expect((await call(emulator(), "GET", `/instances/${created.id}/configuration/999999`)).status).toBe(404);
    });
});

describe("token-scoped routes (Element token picks the instance)", () => {
    it("PATCH/PUT /instances, GET /instances/configuration and /instances/enabled act on the token's instance", async () => {
        const created = await createInstance(emulator());
        const auth = `${devAuthorization}, Element ${created.token}`;
        const patched = await call(emulator(), "PATCH", "/instances", { auth, body: { tags: ["by-token"] } });
        expect(patched.status).toBe(200);
        expect(patched.json.id).toBe(created.id);
        expect(patched.json.tags).toEqual(["by-token"]);
        const put = await call(emulator(), "PUT", "/instances", { auth, body: { name: "token-put" } });
        expect(put.json.name).toBe("token-put");
        const config = await call(emulator(), "GET", "/instances/configuration", { auth });
        expect(config.json.map((e: { key: string }) => e.key)).toEqual(Object.keys(freshdeskConfigurationDefaults));
        const entry = config.json.find((e: { key: string }) => e.key === "filter.response.nulls");
        const entryPatch = await call(emulator(), "PATCH", `/instances/configuration/${entry.id}`, {
            auth,
            body: { propertyValue: "false" },
        });
        expect(entryPatch.json.propertyValue).toBe("false");
        expect(
            (await call(emulator(), "GET", `/instances/configuration/${entry.id}`, { auth })).json.propertyValue,
        ).toBe("false");
        expect((await call(emulator(), "DELETE", "/instances/enabled", { auth })).json.disabled).toBe(true);
        expect((await call(emulator(), "PUT", "/instances/enabled", { auth })).json.disabled).toBe(false);
        const events = await call(emulator(), "GET", "/instances/events", { auth });
        expect(events.status).toBe(200);
        expect(events.json).toEqual([]);
        expect((await call(emulator(), "GET", `/instances/${created.id}/events`)).json).toEqual([]);
    });

    it("accepts User + Element without Organization, and answers 401 without a token or with a foreign one", async () => {
        const created = await createInstance(emulator());
        const userAndElement = await call(emulator(), "GET", "/instances/configuration", {
            auth: `User ${devUser.userSecret}, Element ${created.token}`,
        });
        expect(userAndElement.status).toBe(200);
        const noToken = await call(emulator(), "GET", "/instances/configuration");
        expect(noToken.status).toBe(401);
        const otherUsersToken = await call(emulator(), "GET", "/instances/configuration", {
            auth: `User ${devOrganization.users[1].userSecret}, Organization ${devOrganization.organizationSecret}, Element ${created.token}`,
        });
        expect(otherUsersToken.status).toBe(401);
        const userOfOtherInstance = await call(emulator(), "GET", "/instances/configuration", {
            auth: `User ${devOrganization.users[1].userSecret}, Element ${created.token}`,
        });
        expect(userOfOtherInstance.status).toBe(401);
    });
});

describe("masking (only PASSWORD-type keys; the API key optionally)", () => {
    const secretConfiguration = {
        subdomain: "acme",
        username: "FRESHDESK_API_KEY",
        "event.notification.signature.key": "hmac-signing-key-123",
        "event.notification.basic.password": "basic-pass-456",
        "user.password": "user-pass-789",
    };

    it("returns the API key and the signature key in clear, and masks set password keys everywhere", async () => {
        const created = await createInstance(emulator(), { configuration: secretConfiguration });
        const expected = fullConfiguration({
            subdomain: "acme",
            username: "FRESHDESK_API_KEY",
            "event.notification.signature.key": "hmac-signing-key-123",
            "event.notification.basic.password": "********",
            "user.password": "********",
        });
        expect(created.configuration).toEqual(expected);
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).json.configuration).toEqual(expected);
        expect((await call(emulator(), "GET", "/instances")).json[0].configuration).toEqual(expected);
        const entries = (await call(emulator(), "GET", `/instances/${created.id}/configuration`)).json as {
            key: string;
            propertyValue: string;
        }[];
        expect(Object.fromEntries(entries.map((e) => [e.key, e.propertyValue]))).toEqual(expected);
        // An unset password key stays empty rather than pretending to hold a value.
        const plain = await createInstance(emulator());
        expect(plain.configuration["event.notification.basic.password"]).toBe("");
    });

    it("masks the API key when asked (start option or run-time setting); a reset restores the start setting", async () => {
        await emulator().control.setSettings({ maskUsername: true });
        const created = await createInstance(emulator(), { configuration: secretConfiguration });
        expect(created.configuration.username).toBe("********");
        expect(created.configuration["event.notification.signature.key"]).toBe("hmac-signing-key-123");
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).json.configuration.username).toBe(
            "********",
        );
        expect(await emulator().control.settings()).toEqual({
            maskUsername: true,
            validateCredentials: true,
            emptyTagSearch: "404",
        });
        await emulator().control.reset({ settings: true });
        expect((await emulator().control.settings()).maskUsername).toBe(false);
        expect((await call(emulator(), "GET", `/instances/${created.id}`)).json.configuration.username).toBe(
            "FRESHDESK_API_KEY",
        );
        const masked = await startEmulator({ maskUsername: true });
        try {
            expect((await createInstance(masked)).configuration.username).toBe("********");
        } finally {
            await masked.close();
        }
        await expect(startEmulator({ emptyTagSearch: "none" as never })).rejects.toThrow(/emptyTagSearch/);
        const invalid = await emulator()
            .control.setSettings({ emptyTagSearch: "none" } as never)
            .catch((error: unknown) => error);
        expect(invalid).toMatchObject({ status: 400, message: expect.stringContaining("emptyTagSearch") });
        const unknown = await emulator()
            .control.setSettings({ maskEverything: true } as never)
            .catch((error: unknown) => error);
        expect(unknown).toMatchObject({ status: 400, message: expect.stringContaining("maskEverything") });
    });

    it("the control API never shows a secret, only fingerprints and the mask", async () => {
        const created = await createInstance(emulator(), { configuration: secretConfiguration });
        const [seen] = await emulator().control.instances();
        expect(seen.configuration).toEqual(
            fullConfiguration({
                subdomain: "acme",
                username: "********",
                "event.notification.signature.key": "********",
                "event.notification.basic.password": "********",
                "user.password": "********",
            }),
        );
        expect(seen.apiKeyFingerprint).toBe(fingerprint("FRESHDESK_API_KEY"));
        const dump = JSON.stringify(await emulator().control.instances());
        for (const secret of Object.values(secretConfiguration).slice(1)) {
            expect(dump).not.toContain(secret);
        }
        expect(dump).not.toContain(created.token);
    });
});
