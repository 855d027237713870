/**
 * `ElementInstance` in process against the emulator's element catalogue: the element's metadata deciding required
 * keys, secrets, warnings and OAuth refusals at check; create, refresh without drift on masked values, a rotated
 * password and `enabled` in place, delete; its diff; the rules of `model/metadata.ts` on their own.
 */
import * as impl from "../../provider/hosts/dynamic/implementation";
import { diffElementInstance } from "../../provider/lifecycle/diff-element";
import { forgetMetadata, metadataReads } from "../../provider/lifecycle/element-metadata";
import { checkElementInputs, type ElementInstanceInputs } from "../../provider/model/element";
import {
    closestKey,
    type ElementMetadata,
    metadataFindings,
    requiredKeys,
    secretKeysOf,
} from "../../provider/model/metadata";
import { configReader, connectionConfig, useEmulator } from "../helpers/emulator";

const emulator = useEmulator();
const element = impl.elementInstance;
const sig = "4dabf18193072939515e22adb298388d";

beforeEach(async () => {
    forgetMetadata();
    await impl.configure({ config: configReader(connectionConfig(emulator())) });
});

const servicenow = {
    elementKey: "servicenow",
    name: "itsm",
    configuration: { username: "integration", password: "sn-password-1", "servicenow.subdomain": "dev12345" },
    owner: "p/s/itsm",
};

type Props = Record<string, unknown>;

/** Removes the wire format's secret wrappers, as the engine does before calling the provider again. */
function plain(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(plain);
    }
    if (typeof value === "object" && value !== null) {
        const v = value as Props;
        if (sig in v) {
            return plain(v.value);
        }
        return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, plain(e)]));
    }
    return value;
}

test("check reads the metadata once, records the secret keys and marks their values secret", async () => {
    const before = metadataReads();
    const result = await element.check({}, servicenow);
    expect(result.failures).toEqual([]);
    const inputs = result.inputs as Props;
    expect(inputs.secretConfigurationKeys).toEqual(["password"]);
    expect((inputs.configuration as Props).password).toEqual({
        [sig]: "1b47061264138c4ac30d75fd1eb44270",
        value: "sn-password-1",
    });
    expect((inputs.configuration as Props).username).toBe("integration");
    await element.check({}, servicenow);
    expect(metadataReads() - before).toBe(1);
});

test("a missing required key is a failure naming the key and the element", async () => {
    const { "servicenow.subdomain": _, ...rest } = servicenow.configuration;
    const result = await element.check({}, { ...servicenow, configuration: rest });
    expect(result.failures).toEqual([
        expect.objectContaining({
            property: "configuration.servicenow.subdomain",
            reason: expect.stringContaining("required by element servicenow"),
        }),
    ]);
});

test("an unknown element is a failure on elementKey", async () => {
    const result = await element.check({}, { ...servicenow, elementKey: "nosuchelement" });
    expect(result.failures).toEqual([
        expect.objectContaining({
            property: "elementKey",
            reason: expect.stringContaining('no element "nosuchelement"'),
        }),
    ]);
});

test("an undeclared key is a warning naming the closest declared key", async () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
        writes.push(String(chunk));
        return true;
    });
    try {
        const result = await element.check(
            {},
            { ...servicenow, configuration: { ...servicenow.configuration, "servicenow.subdomian": "x" } },
        );
        expect(result.failures).toEqual([]);
    } finally {
        spy.mockRestore();
    }
    expect(writes.join("")).toContain(
        'configuration.servicenow.subdomian: element servicenow does not declare this key; did you mean "servicenow.subdomain"?',
    );
});

test("sfdc without externalAuthentication is refused; with it and a refresh token it passes", async () => {
    const sfdc = { elementKey: "sfdc", name: "sf", configuration: { "oauth.api.key": "id", "oauth.api.secret": "s" } };
    const refused = await element.check({}, sfdc);
    expect(refused.failures).toEqual(
        expect.arrayContaining([
            expect.objectContaining({
                property: "externalAuthentication",
                reason: expect.stringContaining("OAuth 2.0"),
            }),
        ]),
    );
    const missingToken = await element.check({}, { ...sfdc, externalAuthentication: "initial" });
    expect((missingToken.failures ?? []).map((f) => f.property)).toContain("configuration.oauth.user.refresh_token");
    const ok = await element.check(
        {},
        {
            ...sfdc,
            externalAuthentication: "initial",
            configuration: { ...sfdc.configuration, "oauth.user.refresh_token": "rt" },
        },
    );
    expect(ok.failures).toEqual([]);
    expect((ok.inputs as Props).secretConfigurationKeys).toEqual([
        "oauth.api.key",
        "oauth.api.secret",
        "oauth.user.refresh_token",
    ]);
});

test("create, refresh without drift, rotate in place, disable, delete", async () => {
    const checked = plain((await element.check({}, servicenow)).inputs) as Props;
    const created = await element.create(checked as never);
    const outs = plain(created.outs) as Props;
    expect(outs).toMatchObject({ elementKey: "servicenow", disabled: false, configuration: servicenow.configuration });
    expect(typeof outs.token).toBe("string");

    const refreshed = await element.read(created.id, outs as never);
    const readInputs = plain(refreshed.inputs) as Props;
    expect(readInputs.configuration).toEqual(servicenow.configuration);
    expect(diffElementInstance(plain(refreshed.props) as Props, checked).changes).toBe(false);

    const rotated = {
        ...checked,
        configuration: { ...(checked.configuration as Props), password: "sn-password-2" },
        enabled: false,
    };
    const diff = diffElementInstance(outs, rotated);
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    expect(Object.keys(diff.detailedDiff).sort()).toEqual(["configuration.password", "enabled"]);
    const updated = plain((await element.update(created.id, outs as never, rotated as never)).outs) as Props;
    expect(updated).toMatchObject({ instanceId: outs.instanceId, token: outs.token, disabled: true });

    await element.delete(created.id, updated as never);
    await expect(element.read(created.id, updated as never)).resolves.toEqual({ id: "" });
});

test("the diff replaces on elementKey and account.baseUrl, quotes dotted keys, ignores externalAuthentication", () => {
    const old = {
        elementKey: "jira",
        name: "j",
        tags: [],
        configuration: { "base.url": "https://a" },
        account: { baseUrl: "https://x" },
    };
    expect(diffElementInstance(old, { ...old, elementKey: "servicenow" }).replaces).toEqual(["elementKey"]);
    expect(diffElementInstance(old, { ...old, account: { baseUrl: "https://y" } }).replaces).toEqual(["account"]);
    expect(diffElementInstance(old, { ...old, account: { baseUrl: "https://x", userSecret: "u" } })).toMatchObject({
        replaces: [],
        changed: ["account"],
    });
    const changed = diffElementInstance(old, { ...old, configuration: { "base.url": "https://b" } });
    expect(changed.detailedDiff).toEqual({ 'configuration["base.url"]': { kind: "UPDATE" } });
    expect(changed.changed).toEqual(["configuration"]);
    expect(diffElementInstance(old, { ...old, externalAuthentication: "initial" }).changes).toBe(false);
    expect(
        diffElementInstance({ ...old, configuration: { port: 22 } }, { ...old, configuration: { port: "22" } }).changes,
    ).toBe(false);
});

test("shape checks name the field and never echo a configuration value", () => {
    const { failures } = checkElementInputs({
        name: "x",
        configuration: { password: { nested: "secret-value" }, ok: "v" },
        externalAuthentication: "later",
        account: { userSecret: 5, region: "eu" },
    });
    expect(failures.map((f) => f.property).sort()).toEqual([
        "account.region",
        "account.userSecret",
        "configuration.password",
        "elementKey",
        "externalAuthentication",
    ]);
    expect(JSON.stringify(failures)).not.toContain("secret-value");
});

test("metadata rules: required per mode, secrets by type, name and element, closest key", () => {
    const metadata: ElementMetadata = {
        key: "stripe",
        authenticationType: "basic",
        items: [
            { key: "api.key", type: "TEXTFIELD_128", required: true },
            { key: "base.url", type: "TEXTFIELD_1000", required: true, defaultValue: "https://api.stripe.com" },
            { key: "oauth.token.url", required: true, internal: true },
            { key: "pin", type: "PASSWORD", required: false },
        ],
    };
    expect(requiredKeys(metadata)).toEqual(["api.key"]);
    expect(requiredKeys({ ...metadata, modeItems: [{ key: "username", required: true }] })).toEqual(["username"]);
    expect(secretKeysOf(metadata, ["api.key", "pin", "username", "site"])).toEqual(["api.key", "pin", "username"]);
    expect(secretKeysOf({ ...metadata, key: "jira" }, ["username"])).toEqual([]);
    expect(closestKey("api.kye", ["api.key", "base.url"])).toBe("api.key");
    expect(closestKey("completely.different", ["api.key"])).toBeUndefined();
    expect(
        metadataFindings(
            { ...metadata, authenticationType: "oauth1" },
            { elementKey: "x", configuration: { "api.key": "k" } },
        ).failures,
    ).toEqual([expect.objectContaining({ property: "elementKey", reason: expect.stringContaining("OAuth 1.0a") })]);
    expect(
        metadataFindings(metadata, { elementKey: "stripe", configuration: { "api.key": "k" }, events: {} }).failures,
    ).toEqual([expect.objectContaining({ property: "events" })]);
});

test("hubspot's apiKey mode: the mode's own required keys, polling events on then off", async () => {
    const hubspot = {
        elementKey: "hubspot",
        name: "marketing",
        configuration: { "authentication.type": "apiKey", "hubspot.authorization.apikey": "hs-key-1" },
        events: { callbackUrl: "https://hooks.example.com/hs", pollingIntervalMinutes: 5, signatureKey: "hs-sig" },
    };
    const missing = await element.check({}, { ...hubspot, configuration: { "authentication.type": "apiKey" } });
    expect((missing.failures ?? []).map((f) => f.property)).toEqual(["configuration.hubspot.authorization.apikey"]);
    const oauthDefault = await element.check({}, { ...hubspot, configuration: {} });
    expect((oauthDefault.failures ?? []).map((f) => f.property)).toContain("externalAuthentication");

    const checked = plain((await element.check({}, hubspot)).inputs) as Props;
    expect(checked.secretConfigurationKeys).toEqual(["hubspot.authorization.apikey"]);
    const created = await element.create(checked as never);
    const outs = plain(created.outs) as Props;
    expect(outs).toMatchObject({ eventsEnabled: true, events: { enabled: true, pollingIntervalMinutes: 5 } });
    const refreshed = await element.read(created.id, outs as never);
    expect(diffElementInstance(plain(refreshed.props) as Props, checked).changes).toBe(false);

    const off = { ...checked, events: { enabled: false, pollingIntervalMinutes: 15 } };
    const offDiff = diffElementInstance(outs, off);
    expect(offDiff.detailedDiff["events.enabled"]).toEqual({ kind: "UPDATE" });
    expect(offDiff.replaces).toEqual([]);
    const updated = plain((await element.update(created.id, outs as never, off as never)).outs) as Props;
    expect(updated).toMatchObject({ eventsEnabled: false });
    const removed = { ...checked, events: undefined };
    expect(diffElementInstance(updated, removed).detailedDiff).toEqual({ events: { kind: "DELETE" } });
    await element.delete(created.id, updated as never);
});

test("account shapes: absent fields dropped, numeric strings accepted, an unknown value passes through", () => {
    const { inputs, failures } = checkElementInputs({
        elementKey: "jira",
        name: "j",
        account: { baseUrl: "https://x", timeoutMs: "5000", maxRetries: 2, allowInsecureHttp: "yes", userSecret: null },
    });
    expect(failures).toEqual([expect.objectContaining({ property: "account.allowInsecureHttp" })]);
    expect(inputs.account).toEqual({
        baseUrl: "https://x",
        timeoutMs: "5000",
        maxRetries: 2,
        allowInsecureHttp: "yes",
    });
    expect(checkElementInputs({ elementKey: "jira", name: "j", account: "nope" }).failures).toEqual([
        expect.objectContaining({ property: "account" }),
    ]);
});

test("a partial failure records what the instance is: enabled when a disable failed", async () => {
    const { partialFailure } = await import("../../provider/lifecycle/partial");
    const { elementKind } = await import("../../provider/model/element");
    const inputs: ElementInstanceInputs = {
        ...servicenow,
        tags: [],
        secretConfigurationKeys: ["password"],
        enabled: false,
    };
    const err = partialFailure(
        { id: 7, token: "t", disabled: false, element: { key: "servicenow" } },
        inputs,
        "marker-1",
        ["disabling failed"],
        {
            createNonce: "n-1",
            unconfirmedCreate: true,
            unconfirmedCreateUntil: "2099-01-01T00:00:00Z",
            unconfirmedCreatePending: 1,
        },
        elementKind,
    );
    expect(err.properties).toMatchObject({ enabled: true, instanceId: 7, createNonce: "n-1", unconfirmedCreate: true });
    const plainInputs = partialFailure(
        { id: 8, element: { key: "servicenow" } },
        { ...inputs, enabled: undefined },
        "m",
        [],
        {},
        elementKind,
    );
    expect(plainInputs.properties.enabled).toBeUndefined();
});
