/**
 * Instances of the catalogue's elements other than Freshdesk, through real HTTP: what a response shows (every key,
 * defaults, nulls, masks, the element block), updates, enabling and disabling, credentials listed in the accounts,
 * the control API and request log, and persistence.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    type AccountsConfig,
    devAccounts,
    type EmulatorControlError,
    fingerprint,
    parseAccounts,
    startEmulator,
} from "../../emulator";
import { type CatalogueKey, elementBody, elementCredentials, otherKeys } from "../helpers/elements";
import { call, finishedRequest, useEmulator } from "../helpers/emulator";

const emulator = useEmulator();

const requestId = expect.stringMatching(/^[0-9a-f]{24}$/);

// biome-ignore lint/suspicious/noExplicitAny: the created instance as the API answers it; the tests assert on its shape
async function create(key: CatalogueKey, overrides: Record<string, unknown> = {}): Promise<any> {
    const reply = await call(emulator(), "POST", "/instances", { body: elementBody(key, overrides) });
    if (reply.status !== 200) {
        throw new Error(`create ${key} answered ${reply.status}: ${reply.text}`);
    }
    return reply.json;
}

/** ServiceNow's configuration when only the user-supplied keys were sent (devportal servicenow/authenticate.md). */
const servicenowConfiguration = {
    username: "admin",
    password: "********",
    "servicenow.subdomain": "dev12345",
    "filter.response.nulls": "true",
    "base.url": "https://{subdomain}.service-now.com/api/now/v1/table",
    "pagination.max": "200",
    "pagination.type": "offset",
    "bulk.add_metadata": "false",
    "bulk.relations": "{}",
    "bulk.query.field_name": "sys_updated_on",
    "bulk.query.operator": ">=",
    "bulk.query.date_mask": "yyyy/MM/dd HH:mm:ss",
    "bulk.attribute.created_time": "sys_created_on",
    "bulk.query.download_format": "json",
    "event.notification.enabled": "false",
    "event.vendor.type": "polling",
    "event.notification.callback.url": null,
    "event.notification.signature.key": null,
    "event.notification.subscription.id": null,
    "event.poller.refresh_interval": "15",
    "event.poller.configuration": "{}",
};

describe("responses", () => {
    it("echoes every key of the element with defaults filled in, nulls kept, strings, and PASSWORD items masked", async () => {
        const created = await create("servicenow", {
            configuration: { ...elementCredentials("servicenow"), "filter.response.nulls": false, "my.extra": 5 },
        });
        expect(created.configuration).toEqual({
            ...servicenowConfiguration,
            "filter.response.nulls": "false",
            "my.extra": "5",
        });
        expect(Object.keys(created.configuration)).toEqual([...Object.keys(servicenowConfiguration), "my.extra"]);
        const read = await call(emulator(), "GET", `/instances/${created.id}`);
        expect(read.json).toEqual(created);
        const entries = (await call(emulator(), "GET", `/instances/${created.id}/configuration`)).json;
        const byKey = Object.fromEntries(entries.map((entry: { key: string }) => [entry.key, entry]));
        expect(byKey.password).toEqual({ id: expect.any(Number), key: "password", propertyValue: "********" });
        expect(byKey.username.propertyValue).toBe("admin");
        expect(byKey["event.notification.callback.url"].propertyValue).toBeNull();
        expect(byKey["my.extra"].propertyValue).toBe("5");
        expect(JSON.stringify([created, read.json, entries])).not.toContain("sn-password-1");
    });

    it("masks every PASSWORD item and OAuth secret, and returns the secrets kept in text fields in clear", async () => {
        const expected: Record<Exclude<CatalogueKey, "freshdeskv2">, Record<string, string>> = {
            freshservice: { username: "agent@acme.test", password: "********" },
            servicenow: { username: "admin", password: "********" },
            jira: { username: "jira-user", password: "********" },
            hubspot: { "hubspot.authorization.apikey": "hs-api-key-1" },
            connectwisecrmrest: { "public.key": "cw-public-1", "private.key": "cw-private-1" },
            salesforcemarketingcloud: { clientId: "sfmc-client-1", clientSecret: "sfmc-secret-1" },
            sfdc: { "oauth.api.key": "********", "oauth.api.secret": "********" },
        };
        for (const key of otherKeys) {
            const created = await create(key);
            expect(created.configuration).toMatchObject(expected[key]);
            const entries = (await call(emulator(), "GET", `/instances/${created.id}/configuration`)).json;
            const values = Object.fromEntries(
                entries.map((entry: { key: string; propertyValue: unknown }) => [entry.key, entry.propertyValue]),
            );
            expect(values).toEqual(created.configuration);
        }
    });

    it("answers the element's block and id, default tags and HTML stripped from name and tags", async () => {
        for (const key of otherKeys) {
            const element = (await call(emulator(), "GET", `/elements/${key}`)).json;
            const { configuration: _items, ...block } = element;
            const created = await create(key, { name: `<b>${key}</b>-x` });
            expect(created.element).toEqual(block);
            expect(created.elementId).toBe(element.id);
            expect(created.name).toBe(`${key}-x`);
            expect(created.tags).toEqual([`${key}-x`]);
            const light = (await call(emulator(), "GET", `/instances?hydrate=false&searchText=${key}-x`)).json;
            expect(light[0].element).toEqual({
                id: element.id,
                key,
                name: element.name,
                hub: element.hub,
                authentication: element.authentication,
            });
        }
        const tagged = await create("jira", { tags: ["<i>team</i>", "ops"] });
        expect(tagged.tags).toEqual(["team", "ops"]);
    });
});

describe("updates", () => {
    it("PATCH merges configuration for any element; a null resets a key to its default or null", async () => {
        const created = await create("hubspot");
        const patched = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { configuration: { "create.bulk.properties": true, "event.notification.callback.url": "https://x" } },
        });
        expect(patched.status).toBe(200);
        expect(patched.json.configuration).toEqual({
            ...created.configuration,
            "create.bulk.properties": "true",
            "event.notification.callback.url": "https://x",
        });
        const reset = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { configuration: { "create.bulk.properties": null, "event.notification.callback.url": null } },
        });
        expect(reset.json.configuration).toEqual(created.configuration);
        const missing = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { configuration: { "hubspot.authorization.apikey": null } },
        });
        expect(missing.json).toEqual({
            requestId,
            message: "Missing required configuration entry for hubspot: hubspot.authorization.apikey",
        });
    });

    it("PUT is partial; an entry PATCH changes one value; neither may change the element", async () => {
        const created = await create("connectwisecrmrest");
        const put = await call(emulator(), "PUT", `/instances/${created.id}`, {
            body: { name: "renamed", configuration: { company: "globex" } },
        });
        expect(put.status).toBe(200);
        expect(put.json).toEqual({
            ...created,
            name: "renamed",
            configuration: { ...created.configuration, company: "globex" },
        });
        const entries = (await call(emulator(), "GET", `/instances/${created.id}/configuration`)).json;
        const entry = entries.find((candidate: { key: string }) => candidate.key === "pagination.max");
        const patched = await call(emulator(), "PATCH", `/instances/${created.id}/configuration/${entry.id}`, {
            body: { ...entry, propertyValue: 25 },
        });
        expect(patched.json).toEqual({ ...entry, propertyValue: "25" });
        const other = await call(emulator(), "PATCH", `/instances/${created.id}`, {
            body: { element: { key: "jira" } },
        });
        expect(other.status).toBe(400);
        expect(other.json.message).toContain("jira");
    });
});

describe("enabled", () => {
    it("disables and re-enables an instance of every element, keeping its configuration", async () => {
        for (const key of otherKeys) {
            const created = await create(key);
            const disabled = await call(emulator(), "DELETE", `/instances/${created.id}/enabled`);
            expect(disabled.status).toBe(200);
            expect(disabled.json).toEqual({ ...created, disabled: true });
            const auth = `User dev-user-secret, Organization dev-organization-secret, Element ${created.token}`;
            const enabled = await call(emulator(), "PUT", "/instances/enabled", { auth });
            expect(enabled.json).toEqual(created);
            expect((await emulator().control.instances()).find((i) => i.id === created.id)?.disabled).toBe(false);
        }
    });
});

describe("credentials listed in the accounts", () => {
    const invalidServicenow =
        '{"error":{"message":"User Not Authenticated","detail":"Required to provide Auth information"},"status":"failure"}';

    async function withAccounts(accounts: AccountsConfig, test: () => Promise<void>): Promise<void> {
        await emulator().control.setAccounts(accounts);
        try {
            await test();
        } finally {
            await emulator().control.setAccounts(devAccounts);
        }
    }

    it("accepts only a listed credential set for a listed element, anything for an unlisted one", async () => {
        const accounts: AccountsConfig = {
            ...devAccounts,
            credentials: { servicenow: [{ username: "admin", password: "right", "servicenow.subdomain": "dev12345" }] },
        };
        await withAccounts(accounts, async () => {
            const wrong = await call(emulator(), "POST", "/instances", { body: elementBody("servicenow") });
            expect(wrong.status).toBe(400);
            expect(wrong.json).toEqual({
                requestId,
                message: "Failed to validate credentials for servicenow",
                providerMessage: invalidServicenow,
            });
            expect(await emulator().control.instances()).toEqual([]);
            const configuration = { ...elementCredentials("servicenow"), password: "right" };
            const right = await create("servicenow", { configuration });
            expect((await call(emulator(), "POST", "/instances", { body: elementBody("jira") })).status).toBe(200);

            const rotated = await call(emulator(), "PATCH", `/instances/${right.id}`, {
                body: { configuration: { password: "wrong" } },
            });
            expect(rotated.json).toMatchObject({ message: "Failed to validate credentials for servicenow" });
            expect((await call(emulator(), "GET", `/instances/${right.id}`)).json).toEqual(right);
            // A change the check does not read, and a rename, never re-check.
            const renamed = await call(emulator(), "PATCH", `/instances/${right.id}`, {
                body: { name: "renamed", configuration: { "pagination.max": "50" } },
            });
            expect(renamed.status).toBe(200);
            await emulator().control.setSettings({ validateCredentials: false });
            try {
                expect((await call(emulator(), "POST", "/instances", { body: elementBody("servicenow") })).status).toBe(
                    200,
                );
            } finally {
                await emulator().control.setSettings({ validateCredentials: true });
            }
        });
    });

    it("checks OAuth instances by their configuration, and an empty list accepts nothing", async () => {
        const accounts: AccountsConfig = {
            ...devAccounts,
            credentials: {
                sfdc: [{ "oauth.user.refresh_token": "good-refresh" }],
                hubspot: [{ "authentication.type": "oauth2" }, { "hubspot.authorization.apikey": "hs-good" }],
                jira: [],
            },
        };
        await withAccounts(accounts, async () => {
            const external = (token: string) =>
                call(emulator(), "POST", "/instances", {
                    body: elementBody("sfdc", {
                        providerData: undefined,
                        externalAuthentication: "initial",
                        configuration: { ...elementCredentials("sfdc"), "oauth.user.refresh_token": token },
                    }),
                });
            expect((await external("bad-refresh")).json.providerMessage).toBe(
                '{"error":"invalid_grant","error_description":"expired access/refresh token"}',
            );
            expect((await external("good-refresh")).status).toBe(200);
            expect((await call(emulator(), "POST", "/instances", { body: elementBody("hubspot") })).status).toBe(400);
            const hubspotKey = elementBody("hubspot", {
                configuration: { "authentication.type": "apiKey", "hubspot.authorization.apikey": "hs-good" },
            });
            expect((await call(emulator(), "POST", "/instances", { body: hubspotKey })).status).toBe(200);
            expect((await call(emulator(), "POST", "/instances", { body: elementBody("jira") })).status).toBe(400);
        });
    });

    it("keeps the accounts format valid and rejects a malformed credentials list, naming the field", async () => {
        expect(parseAccounts(devAccounts)).toEqual(devAccounts);
        const file = { ...devAccounts, credentials: { jira: [{ username: "u", password: "p" }] } };
        expect(parseAccounts(JSON.parse(JSON.stringify(file)))).toEqual(file);
        const cases: [unknown, string][] = [
            [{ nope: [] }, 'credentials["nope"] names no element this emulator knows (use the element key)'],
            [{ 1: [] }, 'credentials["1"] names no element this emulator knows (use the element key)'],
            [{ freshdeskv2: [] }, 'credentials["freshdeskv2"]: list Freshdesk accounts under "freshdesk"'],
            [{ jira: {} }, 'credentials["jira"] must be an array'],
            [{ jira: [{}] }, 'credentials["jira"][0] must name at least one configuration key'],
            [{ jira: [{ password: 7 }] }, 'credentials["jira"][0]["password"] must be a non-empty string'],
            [[], "credentials must be an object"],
        ];
        for (const [credentials, message] of cases) {
            expect(() => parseAccounts({ ...devAccounts, credentials })).toThrow(message);
            const rejected = await emulator()
                .control.setAccounts({ ...devAccounts, credentials } as AccountsConfig)
                .catch((error: EmulatorControlError) => error);
            expect(rejected).toMatchObject({ status: 400, message: expect.stringContaining(message) });
        }
    });
});

describe("control API and request log", () => {
    it("shows every element's secrets masked and fingerprinted, never in clear", async () => {
        const mainSecret: Record<Exclude<CatalogueKey, "freshdeskv2">, string> = {
            freshservice: "fs-password-1",
            servicenow: "sn-password-1",
            jira: "jira-password-1",
            hubspot: "hs-api-key-1",
            connectwisecrmrest: "cw-private-1",
            salesforcemarketingcloud: "sfmc-secret-1",
            sfdc: "",
        };
        for (const key of otherKeys) {
            const created = await create(key);
            const seen = (await emulator().control.instances()).find((instance) => instance.id === created.id);
            expect(seen?.elementKey).toBe(key);
            expect(seen?.apiKeyFingerprint).toBe(fingerprint(mainSecret[key]));
        }
        const dump = JSON.stringify(await emulator().control.instances());
        for (const secret of ["password-1", "hs-api-key-1", "cw-private-1", "sfmc-secret-1", "sfdc-consumer"]) {
            expect(dump).not.toContain(secret);
        }
        const connectwise = (await emulator().control.instances()).find((i) => i.elementKey === "connectwisecrmrest");
        expect(connectwise?.configuration).toMatchObject({ "private.key": "********", "public.key": "cw-public-1" });
    });

    it("redacts every element's secrets in logged bodies", async () => {
        await create("connectwisecrmrest");
        const entry = await finishedRequest(emulator(), (candidate) => candidate.method === "POST");
        expect(entry.body).toMatchObject({
            configuration: { "private.key": "[redacted]", "public.key": "cw-public-1", company: "acme" },
        });
        await create("sfdc");
        const sfdc = await finishedRequest(emulator(), (candidate) => candidate.method === "POST");
        expect(sfdc.body).toMatchObject({
            providerData: "[redacted]",
            configuration: { "oauth.api.key": "[redacted]", "oauth.api.secret": "[redacted]" },
        });
    });
});

describe("persistence", () => {
    it("keeps element instances, nulls and the external grant across a restart", async () => {
        const dir = await mkdtemp(join(tmpdir(), "ce-emulator-elements-"));
        try {
            const statePath = join(dir, "state.json");
            const first = await startEmulator({ statePath });
            const post = (body: Record<string, unknown>) => call(first, "POST", "/instances", { body });
            const servicenow = (await post(elementBody("servicenow"))).json;
            const sfdc = (
                await post(
                    elementBody("sfdc", {
                        providerData: undefined,
                        externalAuthentication: "initial",
                        configuration: { ...elementCredentials("sfdc"), "oauth.user.refresh_token": "r1" },
                    }),
                )
            ).json;
            const entries = (await call(first, "GET", `/instances/${servicenow.id}/configuration`)).json;
            await first.close();
            const second = await startEmulator({ statePath });
            try {
                expect((await call(second, "GET", `/instances/${servicenow.id}`)).json).toEqual(servicenow);
                expect((await call(second, "GET", `/instances/${sfdc.id}`)).json).toEqual(sfdc);
                expect(sfdc.externalAuthentication).toBe("initial");
                expect((await call(second, "GET", `/instances/${servicenow.id}/configuration`)).json).toEqual(entries);
            } finally {
                await second.close();
            }
        } finally {
            await rm(dir, { recursive: true, force: true });
        }
    });
});
