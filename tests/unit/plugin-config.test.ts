/**
 * The plugin's provider configuration: `CheckConfig` (an explicit provider's inputs checked as they will be used,
 * failures naming the input and never echoing a value, secrets returned wrapped; a default provider left as it always
 * was) and `Configure` (an explicit provider's inputs over stack config over the environment; a default provider from
 * stack config only), through their functions and through the plugin's real gRPC server (`serve`).
 */
import * as path from "node:path";
import { closeClients, connection } from "../../provider/api/session";
import {
    type CheckConfigResult,
    checkProviderConfig,
    configureHandler,
    configureProvider,
    isDefaultProvider,
    makeProvider,
    type PluginProvider,
    readProviderInputs,
    serve,
} from "../../provider/hosts/plugin/provider";

const sig = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const wrapped = (value: unknown) => ({ [sig]: secretSig, value });

const explicit = "urn:pulumi:dev::helpdesk::pulumi:providers:cloudelements::us";
const byDefault = "urn:pulumi:dev::helpdesk::pulumi:providers:cloudelements::default_0_1_0";

/** A complete, valid explicit provider (loopback http: the emulator). */
const valid = {
    baseUrl: "http://127.0.0.1:8765",
    userSecret: "usr-secret-0001",
    organizationSecret: "org-secret-0001",
    timeoutMs: 20000,
    maxRetries: 0,
    operationTimeoutMs: 60000,
    allowInsecureHttp: false,
};

const connectionVariables = Object.keys(process.env).filter(
    (k) => k.startsWith("CLOUD_ELEMENTS_") || k === "PULUMI_CONFIG",
);
const saved = Object.fromEntries(connectionVariables.map((k) => [k, process.env[k]]));

beforeEach(() => {
    for (const key of connectionVariables) {
        delete process.env[key];
    }
});

afterAll(() => {
    Object.assign(process.env, saved);
    closeClients();
});

function reasons(result: CheckConfigResult): string[] {
    expect(result.failures.every((f) => f.property === "")).toBe(true);
    return result.failures.map((f) => f.reason);
}

describe("readProviderInputs", () => {
    test("typed inputs become setting values; a string is accepted for every type", () => {
        expect(readProviderInputs({ ...valid, version: "0.1.0" })).toEqual({
            inputs: {
                baseUrl: "http://127.0.0.1:8765",
                userSecret: "usr-secret-0001",
                organizationSecret: "org-secret-0001",
                timeoutMs: "20000",
                maxRetries: "0",
                operationTimeoutMs: "60000",
                allowInsecureHttp: "false",
            },
            problems: [],
            unknown: false,
        });
        expect(readProviderInputs({ timeoutMs: "20000", allowInsecureHttp: "true" }).inputs).toEqual({
            timeoutMs: "20000",
            allowInsecureHttp: "true",
        });
    });

    test("a wrong type is named with the input and the kind of value, never the value", () => {
        const { problems } = readProviderInputs({
            userSecret: 12345678,
            timeoutMs: true,
            allowInsecureHttp: 1,
            baseUrl: ["https://x"],
            organizationSecret: { nested: "org-secret-0002" },
        });
        expect(problems).toEqual([
            "Cloud Elements provider input baseUrl must be a string, got a list.",
            "Cloud Elements provider input allowInsecureHttp must be a boolean, got a number.",
            "Cloud Elements provider input userSecret must be a string, got a number.",
            "Cloud Elements provider input organizationSecret must be a string, got an object.",
            "Cloud Elements provider input timeoutMs must be an integer, got a boolean.",
        ]);
        expect(problems.join()).not.toMatch(/12345678|org-secret-0002|https/);
    });

    test("a value not known yet (a preview) is flagged, not read", () => {
        expect(readProviderInputs({ userSecret: unknown, baseUrl: "https://x" })).toEqual({
            inputs: { baseUrl: "https://x" },
            problems: [],
            unknown: true,
        });
    });
});

test("default providers are recognised as the engine does: a provider resource named default*", () => {
    expect(isDefaultProvider(byDefault)).toBe(true);
    expect(isDefaultProvider("urn:pulumi:dev::p::pulumi:providers:cloudelements::default")).toBe(true);
    expect(isDefaultProvider(explicit)).toBe(false);
    expect(isDefaultProvider("urn:pulumi:dev::p::my:index:Comp$pulumi:providers:cloudelements::defaultUs")).toBe(true);
    expect(isDefaultProvider("urn:pulumi:dev::p::cloudelements:index:FreshdeskInstance::default")).toBe(false);
});

describe("CheckConfig of an explicit provider", () => {
    test("valid inputs pass; the secrets come back wrapped, everything else as given", () => {
        const result = checkProviderConfig(explicit, { ...valid, version: "0.1.0" }, {});
        expect(result.failures).toEqual([]);
        expect(result.inputs).toEqual({
            ...valid,
            version: "0.1.0",
            userSecret: wrapped("usr-secret-0001"),
            organizationSecret: wrapped("org-secret-0001"),
        });
    });

    test("an input that arrived secret stays secret, wrapped once", () => {
        const result = checkProviderConfig(
            explicit,
            { ...valid, baseUrl: wrapped(valid.baseUrl), userSecret: wrapped("u") },
            {},
        );
        expect(result.failures).toEqual([]);
        expect(result.inputs.baseUrl).toEqual(wrapped(valid.baseUrl));
        expect(result.inputs.userSecret).toEqual(wrapped("u"));
    });

    test("a value out of range names the provider input, which wins over stack config and the environment", () => {
        const result = checkProviderConfig(explicit, { ...valid, timeoutMs: 0 }, {});
        expect(reasons(result)).toEqual([
            'Cloud Elements timeoutMs must be an integer from 1 to 600000, got "0"; check the provider input timeoutMs (it wins over stack config cloudelements:timeoutMs and the environment variable CLOUD_ELEMENTS_TIMEOUT_MS).',
        ]);
    });

    test("a missing setting is looked up in stack config, then the environment, then named in all three places", () => {
        const { userSecret: _, ...withoutUser } = valid;
        const config = { PULUMI_CONFIG: JSON.stringify({ userSecret: "usr-from-config" }) };
        expect(checkProviderConfig(explicit, withoutUser, config).failures).toEqual([]);
        expect(checkProviderConfig(explicit, withoutUser, { CLOUD_ELEMENTS_USER_SECRET: "usr-env" }).failures).toEqual(
            [],
        );
        expect(reasons(checkProviderConfig(explicit, withoutUser, {}))).toEqual([
            "Cloud Elements connection is not configured. Missing userSecret: set the provider input userSecret, stack config cloudelements:userSecret (pulumi config set --secret cloudelements:userSecret ...) or the environment variable CLOUD_ELEMENTS_USER_SECRET.",
        ]);
    });

    test("a bad stack config value the provider falls back to is reported as stack config", () => {
        const { timeoutMs: _, ...withoutTimeout } = valid;
        const env = { PULUMI_CONFIG: JSON.stringify({ timeoutMs: "soon" }) };
        expect(reasons(checkProviderConfig(explicit, withoutTimeout, env))[0]).toMatch(
            /timeoutMs must be an integer .*, got a value that is not a number; check stack config cloudelements:timeoutMs/,
        );
        // The provider's own input wins: the stack config's value is not used, so not checked.
        expect(checkProviderConfig(explicit, valid, env).failures).toEqual([]);
    });

    test("malformed secrets and base URLs are refused without their values", () => {
        const malformed = "usr-secret, Organization org-pasted-0003";
        const pastedUrl = "org-pasted-secret-0004";
        const result = checkProviderConfig(explicit, { ...valid, userSecret: malformed }, {});
        expect(reasons(result)).toEqual([
            expect.stringMatching(/userSecret contains whitespace or a comma, .*check the provider input userSecret/),
        ]);
        const url = checkProviderConfig(explicit, { ...valid, baseUrl: pastedUrl }, {});
        expect(reasons(url)).toEqual([
            expect.stringMatching(/baseUrl is not a valid URL.*check the provider input baseUrl/),
        ]);
        expect(JSON.stringify([result.failures, url.failures])).not.toMatch(/org-pasted/);
    });

    test("wrong types are all reported, and the connection is not resolved on top of them", () => {
        const result = checkProviderConfig(explicit, { timeoutMs: "soon", maxRetries: false, userSecret: 42 }, {});
        expect(reasons(result)).toEqual([
            "Cloud Elements provider input userSecret must be a string, got a number.",
            "Cloud Elements provider input maxRetries must be an integer, got a boolean.",
        ]);
    });

    test("in a preview, inputs not known yet are not resolved; known ones are still type-checked", () => {
        expect(checkProviderConfig(explicit, { userSecret: unknown }, {}).failures).toEqual([]);
        expect(checkProviderConfig(explicit, { userSecret: unknown }, {}).inputs).toEqual({ userSecret: unknown });
        expect(reasons(checkProviderConfig(explicit, { userSecret: unknown, timeoutMs: [] }, {}))).toHaveLength(1);
    });
});

describe("CheckConfig of a default provider", () => {
    const stackConfig = { baseUrl: "https://api.cloud-elements.com", userSecret: "usr-config", timeoutMs: "soon" };
    const env = { PULUMI_CONFIG: JSON.stringify(stackConfig) };

    test("its inputs (the stack config) pass unchecked, as before: a bad value fails the operation that needs it", () => {
        const result = checkProviderConfig(byDefault, { ...stackConfig, version: "0.1.0" }, env);
        expect(result.failures).toEqual([]);
        expect(result.inputs).toEqual({ ...stackConfig, version: "0.1.0", userSecret: wrapped("usr-config") });
    });

    test("inputs other than the stack config mean a user's provider named default*: refused, not ignored", () => {
        const result = checkProviderConfig(byDefault, { ...stackConfig, userSecret: "usr-other-0005" }, env);
        expect(reasons(result)).toEqual([
            expect.stringMatching(
                /"default_0_1_0" is named like a default provider .* its inputs userSecret would be ignored/,
            ),
        ]);
        expect(JSON.stringify(result.failures)).not.toMatch(/usr-other/);
    });
});

describe("Configure", () => {
    const stackConfig = { baseUrl: "https://config.example.com", organizationSecret: "org-config", maxRetries: 2 };

    test("an explicit provider's inputs win over stack config, which wins over the environment, setting by setting", async () => {
        process.env.CLOUD_ELEMENTS_OPERATION_TIMEOUT_MS = "999";
        process.env.CLOUD_ELEMENTS_USER_SECRET = "usr-env";
        process.env.CLOUD_ELEMENTS_BASE_URL = "https://env.example.com";
        await configureProvider(
            explicit,
            {
                baseUrl: "https://input.example.com",
                userSecret: wrapped("usr-input"),
                timeoutMs: 1234,
                version: "0.1.0",
            },
            { PULUMI_CONFIG: JSON.stringify(stackConfig) },
        );
        expect(connection()).toMatchObject({
            baseUrl: "https://input.example.com/elements/api-v2",
            baseUrlOrigin: "input",
            userSecret: "usr-input",
            organizationSecret: "org-config",
            timeoutMs: 1234,
            maxRetries: 2,
            operationTimeoutMs: 999,
        });
    });

    test("a default provider reads stack config and the environment only, as before", async () => {
        process.env.CLOUD_ELEMENTS_USER_SECRET = "usr-env";
        await configureProvider(
            byDefault,
            { baseUrl: "https://recorded.example.com", userSecret: wrapped("usr-recorded") },
            { PULUMI_CONFIG: JSON.stringify(stackConfig) },
        );
        expect(connection()).toMatchObject({
            baseUrl: "https://config.example.com/elements/api-v2",
            baseUrlOrigin: "config",
            userSecret: "usr-env",
        });
    });

    test("an input of the wrong type fails instead of falling back to another account's settings", async () => {
        await expect(configureProvider(explicit, { userSecret: 5 }, {})).rejects.toThrow(
            "Cloud Elements provider input userSecret must be a string, got a number.",
        );
    });

    test("the handler passes the URN and the args on, then lets the SDK answer; a failure answers the error", async () => {
        const seen: unknown[] = [];
        const prov = {
            configure: async (urn: string | undefined, args: unknown) => {
                seen.push([urn, args]);
                if (urn === "fail") {
                    throw new Error("refused");
                }
            },
        } as unknown as PluginProvider;
        const sdk = jest.fn((_call: unknown, callback: (err: unknown, resp: unknown) => void) =>
            callback(undefined, "sdk"),
        );
        const handler = configureHandler(prov, sdk);
        const call = (urn: string) => ({
            request: { getUrn: () => urn, getArgs: () => ({ toJavaScript: () => ({ baseUrl: "https://x" }) }) },
        });
        const answer = (urn: string) =>
            new Promise<[unknown, unknown]>((resolve) => void handler(call(urn), (err, resp) => resolve([err, resp])));
        expect(await answer(explicit)).toEqual([undefined, "sdk"]);
        expect(await answer("fail")).toEqual([new Error("refused"), undefined]);
        expect(sdk).toHaveBeenCalledTimes(1);
        expect(seen).toEqual([
            [explicit, { baseUrl: "https://x" }],
            ["fail", { baseUrl: "https://x" }],
        ]);
    });
});

describe("the plugin's gRPC server", () => {
    // The SDK's gRPC modules, as `serve` resolves them.
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = require(require.resolve("@grpc/grpc-js", { paths: [sdk] }));
    const services = require("@pulumi/pulumi/proto/provider_grpc_pb");
    const proto = require("@pulumi/pulumi/proto/provider_pb");
    const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdk] }));
    let server: { forceShutdown(): void } | undefined;
    // biome-ignore lint/suspicious/noExplicitAny: the generated gRPC client is untyped JavaScript
    let client: any;

    beforeAll(async () => {
        // Capture the server `main` creates and the port it prints.
        const prototype = grpc.Server.prototype;
        const original = prototype.addService;
        prototype.addService = function (this: { forceShutdown(): void }, ...args: unknown[]) {
            server = this;
            return original.apply(this, args);
        };
        const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
        let port: unknown;
        try {
            await serve(makeProvider("{}", "1.2.3"), []);
            port = log.mock.calls[0]?.[0];
        } finally {
            prototype.addService = original;
            log.mockRestore();
        }
        client = new services.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    afterAll(() => {
        client?.close();
        server?.forceShutdown();
    });

    // biome-ignore lint/suspicious/noExplicitAny: responses of the generated client
    function rpc(method: string, request: unknown): Promise<any> {
        return new Promise((resolve, reject) =>
            client[method](request, (err: unknown, resp: unknown) => (err ? reject(err) : resolve(resp))),
        );
    }

    test("CheckConfig answers the inputs with the secrets wrapped, and failures without a property", async () => {
        const request = new proto.CheckRequest();
        request.setUrn(explicit);
        request.setNews(Struct.fromJavaScript({ ...valid }));
        const ok = await rpc("checkConfig", request);
        expect(ok.getFailuresList()).toEqual([]);
        expect(ok.getInputs().toJavaScript()).toEqual({
            ...valid,
            userSecret: wrapped(valid.userSecret),
            organizationSecret: wrapped(valid.organizationSecret),
        });
        request.setNews(Struct.fromJavaScript({ ...valid, maxRetries: 50 }));
        const refused = (await rpc("checkConfig", request)).toObject();
        expect(refused.failuresList).toEqual([
            {
                property: "",
                reason: 'Cloud Elements maxRetries must be an integer from 0 to 20, got "50"; check the provider input maxRetries (it wins over stack config cloudelements:maxRetries and the environment variable CLOUD_ELEMENTS_MAX_RETRIES).',
            },
        ]);
    });

    test("Configure keeps the SDK's answer (secrets, resources and outputs accepted) and configures the connection", async () => {
        const request = new proto.ConfigureRequest();
        request.setUrn(explicit);
        request.setType("pulumi:providers:cloudelements");
        request.setArgs(Struct.fromJavaScript({ ...valid, userSecret: wrapped("usr-grpc") }));
        const resp = (await rpc("configure", request)).toObject();
        expect(resp).toMatchObject({ acceptsecrets: true, acceptresources: true, acceptoutputs: true });
        expect(connection()).toMatchObject({ userSecret: "usr-grpc", timeoutMs: 20000, maxRetries: 0 });
    });

    test("DiffConfig stays unimplemented: the engine then updates the provider, never replaces it", async () => {
        await expect(rpc("diffConfig", new proto.DiffRequest())).rejects.toMatchObject({
            code: grpc.status.UNIMPLEMENTED,
        });
    });
});
