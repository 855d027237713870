/**
 * The plugin's schema against the TypeScript declarations and the shared implementation: generated from the TSDoc'd
 * args (so descriptions match what TypeScript users read), and failing here when the schema and what `check` accepts
 * or what the provider outputs drift apart. Also the adapter's secret wrapping, its reading of `PULUMI_CONFIG`, and
 * its `Diff` RPC answer (the detailed diff the SDK's server would drop).
 */
import * as path from "node:path";
import { connectionSources } from "../../provider/api/connection";
import {
    configFromEnvironment,
    diffHandler,
    elementInstanceToken,
    elementSecretSchemaPaths,
    freshdeskInstanceToken,
    makeProvider,
    ownerOf,
    programSecretConfigurationKeys,
    secretPaths,
    unwrapSecrets,
    wrapElementSecrets,
    wrapSecrets,
} from "../../provider/hosts/plugin/provider";
import { checkElementInputs } from "../../provider/model/element";
import type { InstanceInputs } from "../../provider/model/instance";
import { outputsFromInstance } from "../../provider/model/mapping";
import { checkInputs } from "../../provider/model/validation";
import {
    elementEventsTypeToken,
    eventsTypeToken,
    generateSchema,
    type PropertySpec,
} from "../../scripts/plugin-schema";

/** The parts of the generated package schema these tests read. */
interface ResourceSchema {
    inputProperties: Record<string, PropertySpec>;
    properties: Record<string, PropertySpec>;
    requiredInputs: string[];
}
interface PackageSchema {
    resources: Record<string, ResourceSchema>;
    types: Record<string, { properties: Record<string, PropertySpec> }>;
    config: { variables: Record<string, PropertySpec> };
    provider: { inputProperties: Record<string, PropertySpec> };
}

const schema = generateSchema(
    path.join(__dirname, "..", "..", "provider", "hosts", "dynamic", "resource.ts"),
    "1.2.3",
) as unknown as PackageSchema;
const resource = schema.resources[freshdeskInstanceToken];
const sig = "4dabf18193072939515e22adb298388d";
const secretValue = "1b47061264138c4ac30d75fd1eb44270";

/** A complete, valid set of inputs: every property the resource accepts. */
const complete = {
    subdomain: "acme",
    apiKey: "key",
    name: "Helpdesk",
    tags: ["a"],
    filterResponseNulls: false,
    events: {
        enabled: true,
        callbackUrl: "https://hooks.example.com/x",
        pollingIntervalMinutes: 5,
        resources: ["incidents"],
        signatureKey: "sig",
    },
    adoptInstanceId: 42,
    adoptTakeOver: true,
    enabled: true,
};
/** Outputs the provider keeps for itself: never part of the schema. */
const internalOutputs = ["createMarker", "createNonce", "unconfirmedCreate", "unconfirmedCreateUntil"];

test("the schema's inputs are exactly what check accepts (no more, no less)", () => {
    const { inputs, failures } = checkInputs(complete);
    expect(failures).toEqual([]);
    const accepted = Object.keys(inputs).filter((k) => !internalOutputs.includes(k) && k !== "__provider");
    expect(Object.keys(resource.inputProperties).sort()).toEqual(accepted.sort());
    expect(Object.keys(schema.types[eventsTypeToken].properties).sort()).toEqual(
        Object.keys(inputs.events ?? {}).sort(),
    );
});

test("required inputs are the ones check reports missing", () => {
    // `name` is optional: the TypeScript constructor and the plugin's check both default it to the resource name.
    const { failures } = checkInputs({ name: "resource-name" });
    expect([...new Set(failures.map((f) => f.property))].sort()).toEqual([...resource.requiredInputs].sort());
});

test("the schema's outputs are what the provider outputs, besides its internal bookkeeping", () => {
    const { inputs } = checkInputs(complete);
    const outs = outputsFromInstance(
        {
            id: 7,
            name: "Helpdesk",
            token: "t",
            createdDate: "2024-01-01T00:00:00Z",
            element: { id: 491, key: "freshdeskv2" },
            tags: ["a"],
            valid: true,
            disabled: false,
            eventsEnabled: true,
        },
        inputs as unknown as InstanceInputs,
        { createMarker: "m" },
    );
    const produced = Object.keys(outs).filter((k) => !internalOutputs.includes(k));
    expect(Object.keys(resource.properties).sort()).toEqual(produced.sort());
});

test("descriptions come from the TSDoc, secrets and replacements are marked", () => {
    expect(resource.inputProperties.subdomain.description).toMatch(/^The Freshdesk account: `acme` for acme/);
    expect(resource.inputProperties.name.description).toMatch(/Default: the resource name\.$/);
    expect(resource.properties.token.description).toMatch(/element instance token/);
    expect(resource.inputProperties.subdomain.replaceOnChanges).toBe(true);
    const marked: string[] = [];
    for (const [name, spec] of Object.entries(resource.properties)) {
        if (spec.secret) {
            marked.push(name);
        }
    }
    for (const [name, spec] of Object.entries(schema.types[eventsTypeToken].properties)) {
        if (spec.secret) {
            marked.push(`events.${name}`);
        }
    }
    expect(marked.sort()).toEqual(secretPaths.map((p) => p.filter(Boolean).join(".")).sort());
});

test("every connection setting is a config variable; the secrets are marked secret", () => {
    const keys = Object.values(connectionSources).map((s) => s.configKey.replace(/^cloudelements:/, ""));
    expect(Object.keys(schema.config.variables).sort()).toEqual(keys.sort());
    for (const key of keys) {
        expect(schema.config.variables[key].secret ?? false).toBe(key.endsWith("Secret"));
    }
});

test("every connection setting is a provider input, of the config key's type; the secrets are marked secret", () => {
    const inputs = schema.provider.inputProperties;
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(connectionSources).sort());
    for (const [name, spec] of Object.entries(inputs)) {
        expect(spec.type).toBe(schema.config.variables[name].type);
        expect(spec.secret ?? false).toBe(name.endsWith("Secret"));
        const source = connectionSources[name as keyof typeof connectionSources];
        expect(spec.description).toContain(
            `Falls back to the stack config ${source.configKey}, then the environment variable ${source.envVar}.`,
        );
    }
    expect(inputs.timeoutMs.type).toBe("integer");
    expect(inputs.allowInsecureHttp.type).toBe("boolean");
});

test("secrets: inputs are unwrapped; apiKey, token, events.signatureKey and secret inputs come back wrapped", () => {
    const wrapped = (value: unknown) => ({ [sig]: secretValue, value });
    const { plain, secretKeys } = unwrapSecrets({
        apiKey: wrapped("k"),
        name: wrapped("n"),
        events: { signatureKey: wrapped("s"), enabled: true },
        tags: ["x"],
    });
    expect(plain).toEqual({ apiKey: "k", name: "n", events: { signatureKey: "s", enabled: true }, tags: ["x"] });
    expect([...secretKeys].sort()).toEqual(["apiKey", "events", "name"]);
    const outs = wrapSecrets(
        { apiKey: "k", token: "t", name: "n", tags: ["x"], events: { signatureKey: "s" } },
        new Set(["name"]),
    );
    expect(outs).toEqual({
        apiKey: wrapped("k"),
        token: wrapped("t"),
        name: wrapped("n"),
        tags: ["x"],
        events: { signatureKey: wrapped("s") },
    });
    expect(wrapSecrets({ events: { enabled: false }, token: undefined })).toEqual({ events: { enabled: false } });
});

test("config: PULUMI_CONFIG keys come without the namespace and are read with or without it", () => {
    const config = configFromEnvironment({ PULUMI_CONFIG: JSON.stringify({ baseUrl: "https://x", maxRetries: 2 }) });
    expect(config.get("cloudelements:baseUrl")).toBe("https://x");
    expect(config.get("baseUrl")).toBe("https://x");
    expect(config.get("cloudelements:maxRetries")).toBe("2");
    expect(config.get("cloudelements:userSecret")).toBeUndefined();
    expect(configFromEnvironment({}).get("cloudelements:baseUrl")).toBeUndefined();
    expect(() => configFromEnvironment({ PULUMI_CONFIG: "{secret" })).toThrow(/not valid JSON/);
});

test("check stamps the owner (project, stack, type, name) that tells a replacement from another resource", async () => {
    const urn = "urn:pulumi:dev::helpdesk-project::cloudelements:index:FreshdeskInstance::helpdesk";
    expect(ownerOf(urn)).toBe("helpdesk-project/dev/cloudelements:index:FreshdeskInstance/helpdesk");
    // A child of a component: the qualified type's last part is the resource's own type.
    expect(ownerOf("urn:pulumi:prod::p::my:index:Comp$cloudelements:index:FreshdeskInstance::a::b")).toBe(
        "p/prod/cloudelements:index:FreshdeskInstance/a::b",
    );
    const plugin = makeProvider("{}", "1.2.3");
    const result = await plugin.check?.(urn, {}, { subdomain: "acme", apiKey: "k" });
    expect(result?.failures).toEqual([]);
    expect(result?.inputs.owner).toBe(ownerOf(urn));
    expect(result?.inputs.name).toBe("helpdesk");
});

test("the Diff RPC answers every changed path with its kind, a rotated secret included, and no value", async () => {
    // google-protobuf comes with @pulumi/pulumi.
    const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
    const proto = require("@pulumi/pulumi/proto/provider_pb");
    const secret = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": secretValue, value });
    const urn = "urn:pulumi:dev::p::cloudelements:index:FreshdeskInstance::helpdesk";
    const base = { subdomain: "acme", name: "helpdesk", tags: ["a"], filterResponseNulls: true };
    const olds = { ...base, apiKey: secret("old-key-0001"), instanceId: 7, unconfirmedCreate: true };
    const news = { ...base, subdomain: "globex", apiKey: secret("new-key-0002"), name: "renamed" };
    const call = {
        request: {
            getId: () => "7",
            getUrn: () => urn,
            getOlds: () => Struct.fromJavaScript(olds),
            getNews: () => Struct.fromJavaScript(news),
        },
    };
    /** The response as the engine decodes it. */
    interface DiffAnswer {
        changes: number;
        replacesList: string[];
        diffsList: string[];
        hasdetaileddiff: boolean;
        detaileddiffMap: [string, { kind: number; inputdiff: boolean }][];
    }
    const answer = await new Promise<{ err: unknown; wire: Uint8Array }>((resolve) => {
        void diffHandler(makeProvider("{}", "1.2.3"))(call, (err, resp) =>
            resolve({ err, wire: (resp as { serializeBinary(): Uint8Array }).serializeBinary() }),
        );
    });
    expect(answer.err).toBeUndefined();
    const resp: DiffAnswer = proto.DiffResponse.deserializeBinary(answer.wire).toObject();
    expect(resp.changes).toBe(proto.DiffResponse.DiffChanges.DIFF_SOME);
    expect(resp.replacesList).toEqual(["subdomain"]);
    expect(resp.diffsList).toEqual(["subdomain", "name", "apiKey", "unconfirmedCreate"]);
    expect(resp.hasdetaileddiff).toBe(true);
    const kinds = Object.fromEntries(resp.detaileddiffMap.map(([p, d]) => [p, [d.kind, d.inputdiff]]));
    const kind = proto.PropertyDiff.Kind;
    expect(kinds).toEqual({
        subdomain: [kind.UPDATE_REPLACE, false],
        name: [kind.UPDATE, false],
        apiKey: [kind.UPDATE, false],
        unconfirmedCreate: [kind.DELETE, false],
    });
    const wire = Buffer.from(answer.wire).toString("latin1");
    expect(wire).not.toContain("old-key-0001");
    expect(wire).not.toContain("new-key-0002");
});

describe("ElementInstance", () => {
    const element = schema.resources[elementInstanceToken];
    const wrapped = (value: unknown) => ({ [sig]: secretValue, value });
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const completeElement = {
        elementKey: "servicenow",
        name: "Desk",
        configuration: { username: "u", password: "p", "servicenow.subdomain": "acme" },
        tags: ["a"],
        events: {
            enabled: true,
            callbackUrl: "https://hooks.example.com/x",
            pollingIntervalMinutes: 5,
            signatureKey: "s",
        },
        externalAuthentication: "initial",
        enabled: true,
        adoptInstanceId: 42,
        adoptTakeOver: true,
    };
    /** Inputs the provider keeps for itself, and the account (the plugin's is its explicit provider). */
    const internal = [...internalOutputs, "__provider", "owner", "secretConfigurationKeys", "account"];

    test("the schema's inputs are exactly what check accepts", () => {
        const { inputs, failures } = checkElementInputs(completeElement);
        expect(failures).toEqual([]);
        const accepted = Object.keys(inputs).filter((k) => !internal.includes(k));
        expect(Object.keys(element.inputProperties).sort()).toEqual(accepted.sort());
        expect(Object.keys(schema.types[elementEventsTypeToken].properties).sort()).toEqual(
            Object.keys(completeElement.events).sort(),
        );
        expect(element.requiredInputs).toEqual(["elementKey"]);
    });

    test("outputs, secrets, replacement and the configuration's type", () => {
        for (const output of ["instanceId", "token", "elementKey", "elementId", "disabled", "valid", "createdDate"]) {
            expect(element.properties[output]).toBeDefined();
        }
        const marked = Object.entries(element.properties)
            .filter(([, spec]) => spec.secret)
            .map(([name]) => name);
        for (const [name, spec] of Object.entries(schema.types[elementEventsTypeToken].properties)) {
            if (spec.secret) {
                marked.push(`events.${name}`);
            }
        }
        expect(marked.sort()).toEqual(elementSecretSchemaPaths.map((p) => p.filter(Boolean).join(".")).sort());
        expect(element.inputProperties.elementKey.replaceOnChanges).toBe(true);
        expect(element.inputProperties.configuration).toMatchObject({
            type: "object",
            additionalProperties: { type: "string" },
        });
        expect(element.inputProperties.events.$ref).toBe(`#/types/${elementEventsTypeToken}`);
    });

    test("the configuration keys the program passed as secrets are found, nested or whole", () => {
        expect(
            programSecretConfigurationKeys({ configuration: { username: "u", "api.token": wrapped("t"), x: 1 } }),
        ).toEqual(["api.token"]);
        expect(programSecretConfigurationKeys({ configuration: wrapped({ b: "1", a: "2" }) })).toEqual(["a", "b"]);
        expect(programSecretConfigurationKeys({})).toEqual([]);
    });

    test("what goes back has the token, secret configuration keys and signature key wrapped", () => {
        const outs = wrapElementSecrets(
            {
                token: "t",
                name: "n",
                configuration: { username: "u", password: "p" },
                secretConfigurationKeys: ["password"],
                events: { signatureKey: "s" },
            },
            new Set(["name", "configuration"]),
        );
        expect(outs).toEqual({
            token: wrapped("t"),
            name: wrapped("n"),
            configuration: { username: "u", password: wrapped("p") },
            secretConfigurationKeys: ["password"],
            events: { signatureKey: wrapped("s") },
        });
    });

    test("check defaults the name, stamps the owner and keeps a value the program marked secret secret", async () => {
        const urn = `urn:pulumi:dev::p::${elementInstanceToken}::desk`;
        const plugin = makeProvider("{}", "1.2.3");
        // An unknown element key (a preview) skips the metadata read: shapes only.
        const result = await plugin.check?.(
            urn,
            {},
            { elementKey: unknown, configuration: { username: "u", "site.code": wrapped("c") } },
        );
        expect(result?.failures).toEqual([]);
        expect(result?.inputs.owner).toBe(ownerOf(urn));
        expect(result?.inputs.name).toBe("desk");
        expect(result?.inputs.configuration).toEqual({ username: "u", "site.code": wrapped("c") });
        expect(result?.inputs.secretConfigurationKeys).toEqual(["site.code"]);
    });
});
