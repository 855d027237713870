/**
 * The resource class under `pulumi.runtime.setMocks`: type token, inputs as the engine would receive them (secrets
 * marked), the options merged in the constructor, and the serialized `__provider` (size, no secret, the stub).
 * Provider methods never run under mocks; see lifecycle.test.ts for those.
 */
import * as pulumi from "@pulumi/pulumi";
import type { FreshdeskInstance as FreshdeskInstanceClass } from "../../provider";
import { stubProvider } from "../../provider/hosts/dynamic/stub";

const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const sigKey = "4dabf18193072939515e22adb298388d";
const apiKey = "acmeFreshdeskKey0001";
const signatureKey = "webhook-signing-key-xyz";

interface Registration {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    additionalSecretOutputs: string[];
}

/** The parts of the SDK's `RegisterResourceRequest` (protobuf) this test reads. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0];
    getAdditionalsecretoutputsList(): string[];
}

/** The mock monitor's method the test wraps (the SDK types the monitor as its generic interface). */
interface RegisteringMonitor {
    registerResource(req: RegisterRequest, callback: unknown): unknown;
}

const registrations: Registration[] = [];
let FreshdeskInstance: typeof FreshdeskInstanceClass;

function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/** Whether `secret` occurs in `value` outside every secret wrapper. */
function containsInPlaintext(value: unknown, secret: string): boolean {
    if (typeof value === "string") {
        return value.includes(secret);
    }
    if (isSecretValue(value)) {
        return false;
    }
    if (typeof value === "object" && value !== null) {
        return Object.values(value).some((v) => containsInPlaintext(v, secret));
    }
    return false;
}

function isSecretValue(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[sigKey] === secretSig;
}

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => ({
                id: "42",
                state: { ...args.inputs, instanceId: 42, token: "mock-token", elementKey: "freshdeskv2" },
            }),
            call: (args) => args.inputs,
        },
        "project",
        "stack",
        false,
    );
    // The mock monitor does not pass the options to newResource; record what the SDK sends it.
    const monitor = pulumi.runtime.getMonitor() as unknown as RegisteringMonitor;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: RegisterRequest, callback: unknown) => {
        registrations.push({
            type: req.getType(),
            name: req.getName(),
            inputs: pulumi.runtime.deserializeProperties(req.getObject(), true),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        });
        return register(req, callback);
    };
    ({ FreshdeskInstance } = await import("../../provider"));
});

async function register(
    name: string,
    args: ConstructorParameters<typeof FreshdeskInstanceClass>[1],
    opts?: pulumi.CustomResourceOptions,
) {
    const resource = new FreshdeskInstance(name, args, opts);
    await unwrap(resource.urn);
    const registration = registrations.find((r) => r.name === name);
    if (!registration) {
        throw new Error(`no registration for ${name}`);
    }
    return { resource, registration };
}

describe("FreshdeskInstance under mocks", () => {
    it("registers the type token pulumi-nodejs:dynamic/cloudelements:FreshdeskInstance", async () => {
        const { registration } = await register("typed", { subdomain: "acme", apiKey });
        expect(registration.type).toBe("pulumi-nodejs:dynamic/cloudelements:FreshdeskInstance");
    });

    it("always makes the API key secret, even when passed as a plain string", async () => {
        const { registration } = await register("plain-key", { subdomain: "acme", apiKey });
        expect(isSecretValue(registration.inputs.apiKey)).toBe(true);
        expect((registration.inputs.apiKey as { value: unknown }).value).toBe(apiKey);
    });

    it("never sends events.signatureKey outside a secret; events without one stay readable", async () => {
        const { registration } = await register("signed", {
            subdomain: "acme",
            apiKey,
            events: { callbackUrl: "https://hooks.example.com/fd", signatureKey },
        });
        // Under mocks (no outputValues support) the SDK marks the whole object; the engine may keep it finer.
        expect(containsInPlaintext(registration.inputs, signatureKey)).toBe(false);
        expect(containsInPlaintext(registration.inputs, apiKey)).toBe(false);
        expect(JSON.stringify(registration.inputs)).toContain(signatureKey);
        const { registration: unsigned } = await register("unsigned", {
            subdomain: "acme",
            apiKey,
            events: { callbackUrl: "https://hooks.example.com/fd" },
        });
        expect(unsigned.inputs.events).toEqual({ callbackUrl: "https://hooks.example.com/fd" });
    });

    it("makes a whole events Output secret when it carries a signature key", async () => {
        const { registration } = await register("signed-output", {
            subdomain: "acme",
            apiKey,
            events: pulumi.output({ callbackUrl: "https://hooks.example.com/fd", signatureKey }),
        });
        expect(isSecretValue(registration.inputs.events)).toBe(true);
        const { registration: unsigned } = await register("unsigned-output", {
            subdomain: "acme",
            apiKey,
            events: pulumi.output({ callbackUrl: "https://hooks.example.com/fd" }),
        });
        expect(unsigned.inputs.events).toEqual({ callbackUrl: "https://hooks.example.com/fd" });
    });

    it("defaults the instance name to the resource name and sends no connection settings", async () => {
        const { registration } = await register("named-after-resource", { subdomain: "acme", apiKey });
        expect(registration.inputs.name).toBe("named-after-resource");
        const keys = Object.keys(registration.inputs).sort();
        expect(keys).toEqual(["__provider", "apiKey", "name", "owner", "subdomain"]);
        // Which resource manages the instance: stable across replacements, hashed into the pulumi-owner: tag.
        expect(registration.inputs.owner).toBe("project/stack/named-after-resource");
    });

    it("merges additionalSecretOutputs: ['token'] into the options, keeping the user's", async () => {
        const { registration } = await register("secret-token", { subdomain: "acme", apiKey });
        expect(registration.additionalSecretOutputs).toEqual(["token"]);
        const { registration: merged } = await register(
            "secret-token-merged",
            { subdomain: "acme", apiKey },
            { additionalSecretOutputs: ["name"] },
        );
        expect(merged.additionalSecretOutputs.sort()).toEqual(["name", "token"]);
    });

    it("declares and seeds the outputs, so they resolve from the provider's outputs", async () => {
        const { resource } = await register("outputs", { subdomain: "acme", apiKey });
        expect(await unwrap(resource.instanceId)).toBe(42);
        expect(await unwrap(resource.token)).toBe("mock-token");
        expect(await unwrap(resource.elementKey)).toBe("freshdeskv2");
        expect(await unwrap(resource.id)).toBe("42");
    });
});

describe("the serialized __provider", () => {
    let text: string;

    beforeAll(async () => {
        const { registration } = await register("serialized", {
            subdomain: "acme",
            apiKey,
            events: { callbackUrl: "https://hooks.example.com/fd", signatureKey },
        });
        text = registration.inputs.__provider as string;
    });

    it("is the stub: small, self-contained, requiring the implementation path at call time", async () => {
        expect(typeof text).toBe("string");
        const size = Buffer.byteLength(text);
        // Measured: about 1.9 KB (one function: configure installs the methods). The benchmark's target is 2 KB.
        expect(size).toBeLessThan(2048);
        expect(text).toContain('"pulumi-cloudelements-freshdesk/bin/provider/implementation.js"');
        // Nothing of the implementation or its dependencies is captured.
        expect(text).not.toMatch(/axios|@pulumi\/pulumi|createMarker|POST/);
    });

    it("is the same for every resource and equals a direct serialization of the stub object", async () => {
        const { registration } = await register("second", { subdomain: "globex", apiKey: "other-key-0000000001" });
        expect(registration.inputs.__provider).toBe(text);
        // The SDK serializes `() => provider` (dynamic/index.js); the captured variable's name is part of the text.
        const provider = stubProvider;
        const direct = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
        expect(direct.text).toBe(text);
        expect(direct.containsSecrets).toBe(false);
    });

    it("contains no secret: API key, signature key, or connection secrets from the environment", async () => {
        const saved = { ...process.env };
        process.env.CLOUD_ELEMENTS_USER_SECRET = "env-user-secret-value";
        process.env.CLOUD_ELEMENTS_ORGANIZATION_SECRET = "env-org-secret-value";
        try {
            const { registration } = await register("with-env", { subdomain: "acme", apiKey });
            for (const secret of [apiKey, signatureKey, "env-user-secret-value", "env-org-secret-value"]) {
                expect(registration.inputs.__provider).not.toContain(secret);
                expect(text).not.toContain(secret);
            }
        } finally {
            process.env = saved;
        }
    });

    it("deserializes into a provider that has every method once configured, as the runtime does", async () => {
        const requireFromString = require(
            require.resolve("require-from-string", {
                paths: [require.resolve("@pulumi/pulumi")],
            }),
        );
        const provider = requireFromString(text).handler();
        expect(Object.keys(provider)).toEqual(["configure"]);
        // The runtime awaits configure before any other call; the repository's build is what it loads here.
        await provider.configure({ config: { get: () => undefined, require: () => "" } });
        for (const method of ["check", "diff", "create", "read", "update", "delete"]) {
            expect(typeof provider[method]).toBe("function");
        }
    });
});

describe("ElementInstance and Account under mocks", () => {
    it("registers pulumi-nodejs:dynamic/cloudelements:ElementInstance, the account's secrets secret, token secret", async () => {
        const { Account, ElementInstance } = await import("../../provider");
        const account = new Account({
            baseUrl: "https://api.example.com",
            userSecret: "u-secret-1",
            organizationSecret: "o-secret-1",
        });
        const resource = new ElementInstance("jira", {
            elementKey: "jira",
            configuration: { username: "bot", password: "pw-1", "base.url": "https://acme.atlassian.net" },
            account,
            enabled: false,
        });
        await unwrap(resource.urn);
        const registration = registrations.find((r) => r.name === "jira");
        expect(registration?.type).toBe("pulumi-nodejs:dynamic/cloudelements:ElementInstance");
        expect(registration?.additionalSecretOutputs).toEqual(["token"]);
        expect(registration?.inputs).toMatchObject({
            elementKey: "jira",
            name: "jira",
            enabled: false,
            owner: "project/stack/jira",
        });
        expect(containsInPlaintext(registration?.inputs, "u-secret-1")).toBe(false);
        expect(containsInPlaintext(registration?.inputs, "o-secret-1")).toBe(false);
        const plainAccount = new Account({});
        const named = new ElementInstance("named", { elementKey: "servicenow", name: "itsm", account: plainAccount });
        await unwrap(named.urn);
        expect(registrations.find((r) => r.name === "named")?.inputs).toMatchObject({ name: "itsm" });
    });

    it("FreshdeskInstance takes an account and enabled too", async () => {
        const { Account } = await import("../../provider");
        const { registration } = await register("with-account", {
            subdomain: "acme",
            apiKey,
            enabled: false,
            account: new Account({ baseUrl: "https://eu.example.com", userSecret: "u-2" }),
        });
        expect(registration.inputs).toMatchObject({ enabled: false });
        expect(containsInPlaintext(registration.inputs, "u-2")).toBe(false);
    });
});
