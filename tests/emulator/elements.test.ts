/**
 * The element catalogue through real HTTP: metadata discovery (`/elements`, `/elements/keys`, `/elements/{keyOrId}`,
 * its configuration and authentication types), and what a create of each element must carry (required keys per
 * mode, the OAuth code or an external refresh token).
 */

import {
    type CatalogueKey,
    catalogueKeys,
    elementBody,
    elementCredentials,
    type MetadataItem,
    otherKeys,
    userSuppliedKeys,
} from "../helpers/elements";
import { call, useEmulator } from "../helpers/emulator";

const emulator = useEmulator();

const requestId = expect.stringMatching(/^[0-9a-f]{24}$/);
const itemTypes = [
    "TEXTFIELD_32",
    "TEXTFIELD_64",
    "TEXTFIELD_128",
    "TEXTFIELD_1000",
    "TEXTAREA",
    "BOOLEAN",
    "PASSWORD",
    "COMBO",
];
const oauthCodeMessage = "You must provide an OAuth code in order to create an instance of this element";

async function metadata(key: string): Promise<MetadataItem[]> {
    const reply = await call(emulator(), "GET", `/elements/${key}`);
    expect(reply.status).toBe(200);
    return reply.json.configuration;
}

async function instanceCount(): Promise<number> {
    return (await emulator().control.instances()).length;
}

describe("discovery", () => {
    it("lists the element keys and a summary of every element", async () => {
        const keys = await call(emulator(), "GET", "/elements/keys");
        expect(keys.status).toBe(200);
        expect(keys.json).toEqual([...catalogueKeys]);
        const list = await call(emulator(), "GET", "/elements");
        expect(list.status).toBe(200);
        expect(list.json.map((element: { key: string }) => element.key)).toEqual([...catalogueKeys]);
        expect(list.headers.get("elements-total-count")).toBe(String(catalogueKeys.length));
        for (const element of list.json) {
            expect(element).not.toHaveProperty("configuration");
            expect(element).toEqual({
                id: expect.any(Number),
                key: expect.any(String),
                name: expect.any(String),
                description: expect.any(String),
                image: expect.any(String),
                active: true,
                deleted: false,
                typeOauth: expect.any(Boolean),
                trialAccount: false,
                hub: expect.any(String),
                authentication: { type: expect.any(String) },
            });
        }
    });

    it("answers each element by key and by id, with configuration items carrying the platform's fields", async () => {
        for (const key of catalogueKeys) {
            const byKey = await call(emulator(), "GET", `/elements/${key}`);
            expect(byKey.status).toBe(200);
            expect(byKey.json.key).toBe(key);
            const byId = await call(emulator(), "GET", `/elements/${byKey.json.id}`);
            expect(byId.json).toEqual(byKey.json);
            const items: MetadataItem[] = byKey.json.configuration;
            expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
            for (const item of items) {
                expect(item).toMatchObject({
                    id: expect.any(Number),
                    key: expect.any(String),
                    name: expect.any(String),
                    description: expect.any(String),
                    required: expect.any(Boolean),
                    hideFromConsole: expect.any(Boolean),
                    internal: expect.any(Boolean),
                    displayOrder: expect.any(Number),
                    active: true,
                    companyConfig: false,
                    resellerConfig: false,
                    groupControl: false,
                });
                expect(itemTypes).toContain(item.type);
                // Like exported element metadata, an item without a default has no defaultValue field at all.
                expect(item.defaultValue === undefined || typeof item.defaultValue === "string").toBe(true);
                expect("defaultValue" in item).toBe(item.defaultValue !== undefined);
            }
        }
    });

    it("answers the element blocks of the documented responses", async () => {
        const expected: Record<CatalogueKey, [number, string, boolean, string]> = {
            freshdeskv2: [491, "basic", false, "helpdesk"],
            freshservice: [252, "basic", false, "helpdesk"],
            servicenow: [145, "basic", false, "helpdesk"],
            jira: [1, "basic", false, "helpdesk"],
            hubspot: [43, "oauth2", true, "marketing"],
            connectwisecrmrest: [3012, "custom", false, "crm"],
            salesforcemarketingcloud: [1357, "custom", false, "marketing"],
            sfdc: [23, "oauth2", true, "crm"],
        };
        for (const key of catalogueKeys) {
            const [id, type, typeOauth, hub] = expected[key];
            const element = (await call(emulator(), "GET", `/elements/${key}`)).json;
            expect({
                id: element.id,
                type: element.authentication.type,
                typeOauth: element.typeOauth,
                hub: element.hub,
            }).toEqual({ id, type, typeOauth, hub });
        }
    });

    it("answers /elements/{keyOrId}/configuration as an object holding the element's items", async () => {
        for (const key of catalogueKeys) {
            const reply = await call(emulator(), "GET", `/elements/${key}/configuration`);
            expect(reply.status).toBe(200);
            expect(Object.keys(reply.json)).toEqual(["configuration"]);
            expect(reply.json.configuration).toEqual(await metadata(key));
        }
    });

    it("types secrets as documented: PASSWORD items, and the API key and secrets some elements keep in text fields", async () => {
        const typeOf = async (key: string, item: string) =>
            (await metadata(key)).find((candidate) => candidate.key === item)?.type;
        for (const key of ["freshservice", "servicenow", "jira"]) {
            expect(await typeOf(key, "password")).toBe("PASSWORD");
        }
        expect(await typeOf("freshdeskv2", "username")).toBe("TEXTFIELD_128");
        expect(await typeOf("connectwisecrmrest", "private.key")).toBe("TEXTFIELD_128");
        expect(await typeOf("salesforcemarketingcloud", "clientSecret")).toBe("TEXTFIELD_128");
        expect(await typeOf("hubspot", "hubspot.authorization.apikey")).toBe("TEXTFIELD_128");
        expect(await typeOf("sfdc", "oauth.api.secret")).toBe("TEXTFIELD_128");
    });

    it("yields each element's user-supplied keys by the rule required && !internal && defaultValue == null", async () => {
        const expected: Record<CatalogueKey, string[]> = {
            freshdeskv2: ["subdomain", "username"],
            freshservice: ["username", "password", "subdomain"],
            servicenow: ["username", "password", "servicenow.subdomain"],
            jira: ["username", "password", "base.url"],
            hubspot: [],
            connectwisecrmrest: ["baseUrl", "company", "public.key", "private.key"],
            salesforcemarketingcloud: ["clientId", "clientSecret"],
            sfdc: ["oauth.api.key", "oauth.api.secret"],
        };
        for (const key of catalogueKeys) {
            const items = await metadata(key);
            expect(userSuppliedKeys(items)).toEqual(expected[key]);
            // Required keys the rule leaves out have a default or are the platform's own.
            const hidden = items.filter((item) => item.required && !expected[key].includes(item.key));
            for (const item of hidden) {
                expect(item.internal || typeof item.defaultValue === "string").toBe(true);
            }
        }
        const servicenow = await metadata("servicenow");
        expect(servicenow.find((item) => item.key === "base.url")).toMatchObject({
            required: true,
            hideFromConsole: true,
            defaultValue: "https://{subdomain}.service-now.com/api/now/v1/table",
        });
        expect(servicenow.find((item) => item.key === "event.vendor.type")).toMatchObject({
            internal: true,
            defaultValue: "polling",
        });
        const sfdc = await metadata("sfdc");
        expect(sfdc.find((item) => item.key === "oauth.user.refresh_token")).toMatchObject({ internal: true });
        expect(sfdc.find((item) => item.key === "oauth.user.refresh_token")).not.toHaveProperty("defaultValue");
    });

    it("answers hubspot's two authentication types and the items each one needs", async () => {
        const types = await call(emulator(), "GET", "/elements/hubspot/authentication-types");
        expect(types.status).toBe(200);
        expect(types.json).toEqual({
            defaultValue: "oauth2",
            options: [
                { value: "oauth2", description: "OAuth 2.0" },
                { value: "apiKey", description: "API Key" },
            ],
        });
        const element = await metadata("hubspot");
        expect(element.find((item) => item.key === "authentication.type")).toMatchObject({
            type: "COMBO",
            required: true,
            defaultValue: "oauth2",
            options: types.json.options,
        });
        // The element's own items do not say which mode needs what.
        expect(element.find((item) => item.key === "hubspot.authorization.apikey")?.required).toBe(false);
        expect(element.find((item) => item.key === "oauth.api.key")?.required).toBe(false);

        const apiKey = await call(emulator(), "GET", "/elements/hubspot/authentication-types/apiKey/configurations");
        expect(apiKey.status).toBe(200);
        const apiKeyItems = Object.fromEntries(apiKey.json.map((item: MetadataItem) => [item.key, item]));
        expect(apiKeyItems["hubspot.authorization.apikey"]).toMatchObject({ required: true, type: "TEXTFIELD_128" });
        expect(apiKeyItems).not.toHaveProperty("oauth.api.key");
        expect(apiKeyItems).not.toHaveProperty("oauth.user.refresh_token");
        expect(userSuppliedKeys(apiKey.json)).toEqual(["hubspot.authorization.apikey"]);

        const oauth = await call(emulator(), "GET", "/elements/hubspot/authentication-types/oauth2/configurations");
        expect(userSuppliedKeys(oauth.json)).toEqual(["oauth.api.key", "oauth.api.secret"]);
        expect(oauth.json.map((item: MetadataItem) => item.key)).not.toContain("hubspot.authorization.apikey");
        for (const item of [...apiKey.json, ...oauth.json]) {
            expect(Object.keys(item)).toEqual(
                expect.arrayContaining(["id", "key", "name", "description", "type", "required", "displayOrder"]),
            );
        }
    });

    it("answers a single-mode element's authentication type as the one option, and 404 for another", async () => {
        const types = await call(emulator(), "GET", "/elements/servicenow/authentication-types");
        expect(types.json).toEqual({ defaultValue: "basic", options: [{ value: "basic", description: "Basic" }] });
        const configurations = await call(emulator(), "GET", "/elements/145/authentication-types/basic/configurations");
        expect(configurations.status).toBe(200);
        expect(userSuppliedKeys(configurations.json)).toEqual(["username", "password", "servicenow.subdomain"]);
        const other = await call(emulator(), "GET", "/elements/servicenow/authentication-types/oauth2/configurations");
        expect(other.status).toBe(404);
        expect(other.json).toEqual({
            requestId,
            message: "No authentication type 'oauth2' found for element servicenow",
        });
    });

    it("answers 404 {requestId, message} for an unknown element on every discovery route", async () => {
        for (const path of [
            "/elements/nope",
            "/elements/nope/configuration",
            "/elements/nope/authentication-types",
            "/elements/nope/authentication-types/basic/configurations",
            "/elements/999999/configuration",
        ]) {
            const reply = await call(emulator(), "GET", path);
            expect(reply.status).toBe(404);
            const name = path.split("/")[2];
            expect(reply.json).toEqual({ requestId, message: `No element found with key or ID '${name}'` });
            expect(reply.json.requestId).toBe(reply.headers.get("elements-request-id"));
        }
    });

    it("authenticates discovery like every platform call and answers 405 to other methods", async () => {
        expect((await call(emulator(), "GET", "/elements/keys", { auth: null })).status).toBe(401);
        expect((await call(emulator(), "GET", "/elements/sfdc/configuration", { auth: null })).status).toBe(401);
        const post = await call(emulator(), "POST", "/elements/sfdc", { body: {} });
        expect(post.status).toBe(405);
        expect(post.headers.get("allow")).toBe("GET");
    });

    it("keeps the instance routes under /elements/{keyOrId}/instances", async () => {
        const { element: _element, ...body } = elementBody("servicenow");
        const created = await call(emulator(), "POST", "/elements/servicenow/instances", { body });
        expect(created.status).toBe(200);
        expect(created.json.element.key).toBe("servicenow");
        const byId = await call(emulator(), "POST", "/elements/145/instances", { body });
        expect(byId.json.elementId).toBe(145);
        const listed = await call(emulator(), "GET", "/elements/servicenow/instances");
        expect(listed.json.map((instance: { id: number }) => instance.id)).toEqual([created.json.id, byId.json.id]);
        const read = await call(emulator(), "GET", `/elements/servicenow/instances/${created.json.id}`);
        expect(read.json).toEqual(created.json);
        expect((await call(emulator(), "GET", `/elements/jira/instances/${created.json.id}`)).status).toBe(404);
        expect((await call(emulator(), "GET", "/elements/jira/instances")).status).toBe(404);
    });

    it("logs every discovery request like any other API request", async () => {
        await emulator().control.reset({ requests: true });
        await call(emulator(), "GET", "/elements/hubspot/configuration");
        await call(emulator(), "GET", "/elements/nope/configuration");
        const log = (await emulator().control.requests()).map(({ method, path, status }) => ({ method, path, status }));
        expect(log).toEqual([
            { method: "GET", path: "/elements/api-v2/elements/hubspot/configuration", status: 200 },
            { method: "GET", path: "/elements/api-v2/elements/nope/configuration", status: 404 },
        ]);
    });
});

describe("create validation", () => {
    it("creates every element from the keys its metadata marks as user-supplied, plus the mode's keys", async () => {
        for (const key of catalogueKeys) {
            const items = await metadata(key);
            const configuration = elementCredentials(key);
            const sent = Object.keys(configuration).filter((item) => item !== "authentication.type");
            const modeKeys = key === "hubspot" ? ["hubspot.authorization.apikey"] : [];
            expect(sent.sort()).toEqual([...userSuppliedKeys(items), ...modeKeys].sort());
            const reply = await call(emulator(), "POST", "/instances", { body: elementBody(key) });
            expect(reply.status).toBe(200);
            expect(reply.json.element.key).toBe(key);
        }
    });

    it("answers 404 for an unknown element in the path and 400 for one in the body, creating nothing", async () => {
        const path = await call(emulator(), "POST", "/elements/nope/instances", { body: { name: "x" } });
        expect(path.status).toBe(404);
        expect(path.json).toEqual({ requestId, message: "No element found with key or ID 'nope'" });
        const body = await call(emulator(), "POST", "/instances", { body: { element: { key: "nope" }, name: "x" } });
        expect(body.status).toBe(400);
        expect(body.json).toEqual({
            requestId,
            message: `Element 'nope' is not available: this emulator serves ${catalogueKeys.join(", ")}`,
        });
        expect(await instanceCount()).toBe(0);
    });

    it("answers 400 naming every missing required key, with the platform's error shape", async () => {
        const cases: [CatalogueKey, Record<string, unknown>, string][] = [
            ["servicenow", { username: "admin" }, "entries for servicenow: password, servicenow.subdomain"],
            ["jira", { username: "u", password: "p" }, "entry for jira: base.url"],
            ["freshservice", {}, "entries for freshservice: username, password, subdomain"],
            [
                "connectwisecrmrest",
                { baseUrl: "https://x", company: "c", "public.key": "k" },
                "entry for connectwisecrmrest: private.key",
            ],
            [
                "salesforcemarketingcloud",
                { clientId: "id", clientSecret: "  " },
                "entry for salesforcemarketingcloud: clientSecret",
            ],
            ["hubspot", { "authentication.type": "apiKey" }, "entry for hubspot: hubspot.authorization.apikey"],
            ["sfdc", { "oauth.api.key": "k" }, "entry for sfdc: oauth.api.secret"],
        ];
        for (const [key, configuration, missing] of cases) {
            const reply = await call(emulator(), "POST", "/instances", { body: elementBody(key, { configuration }) });
            expect(reply.status).toBe(400);
            expect(reply.json).toEqual({ requestId, message: `Missing required configuration ${missing}` });
        }
        expect(await instanceCount()).toBe(0);
    });

    it("accepts hubspot's authentication.type only as the metadata spells it", async () => {
        const reply = await call(emulator(), "POST", "/instances", {
            body: elementBody("hubspot", {
                configuration: { "authentication.type": "APIKEY", "hubspot.authorization.apikey": "k" },
            }),
        });
        expect(reply.status).toBe(400);
        expect(reply.json).toEqual({
            requestId,
            message: "Invalid authentication.type 'APIKEY' for hubspot: expected one of oauth2, apiKey",
        });
    });
});

describe("OAuth2 elements", () => {
    const oauthConfiguration = { "oauth.api.key": "client-key", "oauth.api.secret": "client-secret" };

    it("refuses an OAuth2 create without providerData.code with exactly the platform's 400", async () => {
        const bodies = [
            elementBody("sfdc", { providerData: undefined }),
            elementBody("sfdc", { providerData: {} }),
            elementBody("sfdc", { providerData: { code: "" } }),
            elementBody("sfdc", { providerData: undefined, externalAuthentication: "none" }),
            elementBody("sfdc", { providerData: undefined, configuration: {} }),
            elementBody("hubspot", { configuration: oauthConfiguration }),
            elementBody("hubspot", { configuration: { ...oauthConfiguration, "authentication.type": "oauth2" } }),
        ];
        for (const body of bodies) {
            const reply = await call(emulator(), "POST", "/instances", { body });
            expect(reply.status).toBe(400);
            expect(reply.json).toEqual({
                requestId: reply.headers.get("elements-request-id"),
                message: oauthCodeMessage,
            });
        }
        const byPath = await call(emulator(), "POST", "/elements/sfdc/instances", {
            body: { name: "no-code", configuration: oauthConfiguration },
        });
        expect(byPath.json.message).toBe(oauthCodeMessage);
        expect(await instanceCount()).toBe(0);
    });

    it("accepts a code (the browser flow), never echoes providerData and answers externalAuthentication none", async () => {
        for (const body of [
            elementBody("sfdc"),
            elementBody("hubspot", { providerData: { code: "hs-code" }, configuration: oauthConfiguration }),
        ]) {
            const reply = await call(emulator(), "POST", "/instances", { body });
            expect(reply.status).toBe(200);
            expect(reply.json).not.toHaveProperty("providerData");
            expect(reply.json.externalAuthentication).toBe("none");
            expect(reply.json.configuration["oauth.api.key"]).toBe("********");
            expect(reply.json.configuration["oauth.api.secret"]).toBe("********");
            expect(reply.text).not.toContain("code");
        }
    });

    it("accepts externalAuthentication initial with a refresh token, key and secret, and echoes it", async () => {
        const body = {
            element: { key: "sfdc" },
            name: "external",
            externalAuthentication: "initial",
            configuration: { ...oauthConfiguration, "oauth.user.refresh_token": "refresh-token-1" },
        };
        const created = await call(emulator(), "POST", "/instances", { body });
        expect(created.status).toBe(200);
        expect(created.json.externalAuthentication).toBe("initial");
        expect(created.json.configuration).toMatchObject({
            "oauth.user.refresh_token": "********",
            "oauth.api.key": "********",
            "oauth.api.secret": "********",
            "oauth.user.token": null,
        });
        const read = await call(emulator(), "GET", `/instances/${created.json.id}`);
        expect(read.json).toEqual(created.json);
        const hubspot = await call(emulator(), "POST", "/instances", {
            body: { ...body, element: { key: "hubspot" } },
        });
        expect(hubspot.status).toBe(200);
        expect(hubspot.json.externalAuthentication).toBe("initial");
        expect(hubspot.json.configuration["authentication.type"]).toBe("oauth2");
        expect(JSON.stringify([created.json, read.json, hubspot.json])).not.toMatch(
            /refresh-token-1|client-key|client-secret/,
        );
    });

    it("answers 400 naming the keys an external grant lacks, and to initial on an element that is not OAuth2", async () => {
        const lacking = await call(emulator(), "POST", "/instances", {
            body: elementBody("sfdc", { providerData: undefined, externalAuthentication: "initial" }),
        });
        expect(lacking.status).toBe(400);
        expect(lacking.json).toEqual({
            requestId,
            message: "Missing required configuration entry for sfdc: oauth.user.refresh_token",
        });
        for (const key of otherKeys.filter((candidate) => candidate !== "sfdc")) {
            const reply = await call(emulator(), "POST", "/instances", {
                body: elementBody(key, { externalAuthentication: "initial" }),
            });
            expect(reply.status).toBe(400);
            expect(reply.json.message).toMatch(
                /^externalAuthentication "initial" applies to OAuth2 authentication only/,
            );
        }
        const bogus = await call(emulator(), "POST", "/instances", {
            body: elementBody("sfdc", { externalAuthentication: "later" }),
        });
        expect(bogus.json).toEqual({
            requestId,
            message: `externalAuthentication must be "none" or "initial", not 'later'`,
        });
        expect(await instanceCount()).toBe(0);
    });

    it("asks for a new grant when an update switches to OAuth2 or re-authenticates", async () => {
        const hubspot = (await call(emulator(), "POST", "/instances", { body: elementBody("hubspot") })).json;
        const toOauth = { configuration: { "authentication.type": "oauth2", ...oauthConfiguration } };
        const refused = await call(emulator(), "PATCH", `/instances/${hubspot.id}`, { body: toOauth });
        expect(refused.status).toBe(400);
        expect(refused.json.message).toBe(oauthCodeMessage);
        const switched = await call(emulator(), "PATCH", `/instances/${hubspot.id}`, {
            body: { ...toOauth, providerData: { code: "new-code" } },
        });
        expect(switched.status).toBe(200);
        expect(switched.json.configuration["authentication.type"]).toBe("oauth2");

        const sfdc = (await call(emulator(), "POST", "/instances", { body: elementBody("sfdc") })).json;
        // A plain update keeps the grant; re-authentication needs a new one.
        expect((await call(emulator(), "PUT", `/instances/${sfdc.id}`, { body: { name: "renamed" } })).status).toBe(
            200,
        );
        const reauth = await call(emulator(), "PUT", `/instances/${sfdc.id}?reAuthenticate=true`, { body: {} });
        expect(reauth.json).toEqual({ requestId, message: oauthCodeMessage });
        const external = await call(emulator(), "PUT", `/instances/${sfdc.id}?reAuthenticate=true`, {
            body: { externalAuthentication: "initial", configuration: { "oauth.user.refresh_token": "r2" } },
        });
        expect(external.status).toBe(200);
        expect(external.json.externalAuthentication).toBe("initial");
        const withCode = await call(emulator(), "PUT", `/instances/${sfdc.id}?reAuthenticate=true`, {
            body: { providerData: { code: "code-2" } },
        });
        expect(withCode.json.externalAuthentication).toBe("none");
    });
});
