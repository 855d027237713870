/**
 * Connection settings: stack config first, then environment variables read at call time; base URL normalisation;
 * messages that name the config key and the environment variable and never contain a secret.
 */
import { normalizeBaseUrl, readConfiguredConnection, resolveConnection } from "../../provider/api/connection";
import { CloudElementsError } from "../../provider/api/errors";
import { configReader } from "../helpers/emulator";

const userSecret = "user-secret-value-123";
const organizationSecret = "org-secret-value-456";

function failure(fn: () => unknown): CloudElementsError {
    try {
        fn();
    } catch (err) {
        expect(CloudElementsError.isInstance(err)).toBe(true);
        return err as CloudElementsError;
    }
    throw new Error("expected a failure");
}

describe("normalizeBaseUrl", () => {
    it.each([
        ["https://api.cloud-elements.com", "https://api.cloud-elements.com/elements/api-v2"],
        ["https://api.cloud-elements.com/", "https://api.cloud-elements.com/elements/api-v2"],
        ["https://api.cloud-elements.com/elements/api-v2", "https://api.cloud-elements.com/elements/api-v2"],
        ["https://api.cloud-elements.com/elements/api-v2/", "https://api.cloud-elements.com/elements/api-v2"],
        ["https://API.Cloud-Elements.com", "https://api.cloud-elements.com/elements/api-v2"],
        ["https://api.cloud-elements.co.uk", "https://api.cloud-elements.co.uk/elements/api-v2"],
        ["https://staging.cloud-elements.com/", "https://staging.cloud-elements.com/elements/api-v2"],
        [
            "https://api.openconnectors.us2.ext.hana.ondemand.com/elements/api-v2",
            "https://api.openconnectors.us2.ext.hana.ondemand.com/elements/api-v2",
        ],
        [
            "https://api.openconnectors.ext.hana.ondemand.com",
            "https://api.openconnectors.ext.hana.ondemand.com/elements/api-v2",
        ],
        ["http://127.0.0.1:8765", "http://127.0.0.1:8765/elements/api-v2"],
        ["http://localhost:8765/elements/api-v2/", "http://localhost:8765/elements/api-v2"],
        ["http://[::1]:8765", "http://[::1]:8765/elements/api-v2"],
        ["  https://api.cloud-elements.com  ", "https://api.cloud-elements.com/elements/api-v2"],
        // Any https host: a private deployment, a proxy.
        ["https://ce.internal.example.com:8443/", "https://ce.internal.example.com:8443/elements/api-v2"],
        ["https://10.0.0.5/elements/api-v2", "https://10.0.0.5/elements/api-v2"],
    ])("%s → %s", (input, expected) => {
        expect(normalizeBaseUrl(input)).toBe(expected);
    });

    it.each([
        ["not a url", /not a valid URL/],
        ["api.cloud-elements.com", /not a valid URL/],
        ["http://api.cloud-elements.com", /plain http is only allowed for loopback hosts/],
        [
            "http://emulator:8080",
            /unless cloudelements:allowInsecureHttp \/ CLOUD_ELEMENTS_ALLOW_INSECURE_HTTP is true/,
        ],
        ["ftp://127.0.0.1", /unsupported scheme/],
        ["file:///etc/passwd", /unsupported scheme/],
        ["https://api.cloud-elements.com/other", /unexpected path/],
        ["https://api.cloud-elements.com/elements/api-v2?x=1", /must not have a query/],
    ])("rejects %s", (input, reason) => {
        const err = failure(() => normalizeBaseUrl(input));
        expect(err.kind).toBe("configuration");
        expect(err.message).toMatch(reason);
        expect(err.message).toContain("cloudelements:baseUrl");
        expect(err.message).toContain("CLOUD_ELEMENTS_BASE_URL");
    });

    it("accepts plain http for a non-loopback host only with the explicit opt-in", () => {
        expect(normalizeBaseUrl("http://emulator:8080", { allowInsecureHttp: true })).toBe(
            "http://emulator:8080/elements/api-v2",
        );
        expect(() => normalizeBaseUrl("http://emulator:8080", { allowInsecureHttp: false })).toThrow(
            /plain http is only allowed for loopback hosts/,
        );
    });

    it.each([
        ["a pasted token", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
        ["a token with a colon (parses as a URL scheme)", "ghp:Zx8Kq2LmNp4RsTuVwXyZ0123456789"],
        ["a secret in the path", "https://api.cloud-elements.com/sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
        ["a secret in the query", "https://api.cloud-elements.com/?key=sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
        ["a secret in the fragment", "https://api.cloud-elements.com/#sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
    ])("never echoes a malformed value: %s", (_what, value) => {
        const err = failure(() => normalizeBaseUrl(value));
        expect(err.kind).toBe("configuration");
        for (const part of ["sk_live", "4eC39HqLyjWDarjtT1zdp7dc", "Zx8Kq2LmNp4RsTuVwXyZ", "ghp"]) {
            expect(err.message).not.toContain(part);
        }
    });

    it("never echoes credentials embedded in the URL", () => {
        const err = failure(() => normalizeBaseUrl("https://me:hunter2hunter2@api.cloud-elements.com"));
        expect(err.message).toMatch(/must not contain credentials/);
        expect(err.message).not.toContain("hunter2");
    });
});

describe("resolveConnection", () => {
    const env = {
        CLOUD_ELEMENTS_BASE_URL: "http://127.0.0.1:1",
        CLOUD_ELEMENTS_USER_SECRET: "env-user",
        CLOUD_ELEMENTS_ORGANIZATION_SECRET: "env-org",
    };

    it("prefers stack config over the environment", () => {
        const configured = readConfiguredConnection(
            configReader({
                "cloudelements:baseUrl": "https://api.cloud-elements.co.uk",
                "cloudelements:userSecret": userSecret,
                "cloudelements:organizationSecret": organizationSecret,
                "cloudelements:timeoutMs": "5000",
                "cloudelements:maxRetries": "2",
                "cloudelements:operationTimeoutMs": "60000",
            }),
        );
        expect(resolveConnection(configured, { ...env, CLOUD_ELEMENTS_OPERATION_TIMEOUT_MS: "1" })).toEqual({
            baseUrl: "https://api.cloud-elements.co.uk/elements/api-v2",
            baseUrlOrigin: "config",
            userSecret,
            organizationSecret,
            timeoutMs: 5000,
            maxRetries: 2,
            operationTimeoutMs: 60_000,
        });
    });

    it("falls back to the environment, read at call time, with defaults for timeout and retries", () => {
        const mutable: Record<string, string> = { ...env };
        expect(resolveConnection({}, mutable)).toEqual({
            baseUrl: "http://127.0.0.1:1/elements/api-v2",
            baseUrlOrigin: "env",
            userSecret: "env-user",
            organizationSecret: "env-org",
            timeoutMs: 30_000,
            maxRetries: 5,
            operationTimeoutMs: 300_000,
        });
        mutable.CLOUD_ELEMENTS_USER_SECRET = "rotated-user";
        mutable.CLOUD_ELEMENTS_MAX_RETRIES = "0";
        mutable.CLOUD_ELEMENTS_OPERATION_TIMEOUT_MS = "2000";
        expect(resolveConnection({}, mutable)).toMatchObject({
            userSecret: "rotated-user",
            maxRetries: 0,
            operationTimeoutMs: 2000,
        });
    });

    it("mixes sources per setting", () => {
        const configured = readConfiguredConnection(configReader({ "cloudelements:userSecret": userSecret }));
        expect(resolveConnection(configured, env)).toMatchObject({ userSecret, organizationSecret: "env-org" });
    });

    it("names both the config key and the environment variable of a missing base URL", () => {
        const err = failure(() => resolveConnection({}, { ...env, CLOUD_ELEMENTS_BASE_URL: undefined }));
        expect(err.kind).toBe("configuration");
        expect(err.message).toContain("cloudelements:baseUrl");
        expect(err.message).toContain("CLOUD_ELEMENTS_BASE_URL");
        expect(err.message).not.toContain("cloudelements:userSecret");
    });

    it.each([
        ["userSecret", "CLOUD_ELEMENTS_USER_SECRET", "cloudelements:userSecret"],
        ["organizationSecret", "CLOUD_ELEMENTS_ORGANIZATION_SECRET", "cloudelements:organizationSecret"],
    ])("names both the config key and the environment variable of a missing %s", (_name, envVar, key) => {
        const err = failure(() => resolveConnection({}, { ...env, [envVar]: "  " }));
        expect(err.message).toContain(key);
        expect(err.message).toContain(envVar);
        expect(err.message).toContain("--secret");
        expect(err.message).not.toContain("env-user");
        expect(err.message).not.toContain("env-org");
    });

    it("lists every missing setting at once", () => {
        const err = failure(() => resolveConnection({}, {}));
        for (const text of [
            "cloudelements:baseUrl",
            "CLOUD_ELEMENTS_BASE_URL",
            "cloudelements:userSecret",
            "CLOUD_ELEMENTS_USER_SECRET",
            "cloudelements:organizationSecret",
            "CLOUD_ELEMENTS_ORGANIZATION_SECRET",
        ]) {
            expect(err.message).toContain(text);
        }
    });

    it.each([
        ["CLOUD_ELEMENTS_TIMEOUT_MS", "0", /timeoutMs must be an integer from 1 to 600000, got "0"/],
        ["CLOUD_ELEMENTS_TIMEOUT_MS", "1.5", /timeoutMs/],
        ["CLOUD_ELEMENTS_MAX_RETRIES", "-1", /maxRetries must be an integer from 0 to 20/],
        ["CLOUD_ELEMENTS_MAX_RETRIES", "many", /maxRetries/],
    ])("rejects %s=%s", (envVar, value, reason) => {
        const err = failure(() => resolveConnection({}, { ...env, [envVar]: value }));
        expect(err.message).toMatch(reason);
        expect(err.message).toContain(envVar);
    });

    it("names the source of an invalid base URL, and says that stack config wins", () => {
        const fromEnv = failure(() => resolveConnection({}, { ...env, CLOUD_ELEMENTS_BASE_URL: "http://ce.example" }));
        expect(fromEnv.message).toContain(
            "the environment variable CLOUD_ELEMENTS_BASE_URL (stack config cloudelements:baseUrl is not set; it would win)",
        );
        const fromConfig = failure(() =>
            resolveConnection(
                readConfiguredConnection(configReader({ "cloudelements:baseUrl": "http://ce.example" })),
                env,
            ),
        );
        expect(fromConfig.message).toContain(
            "stack config cloudelements:baseUrl (it wins over the environment variable CLOUD_ELEMENTS_BASE_URL)",
        );
    });

    it.each([
        ["stack config", { "cloudelements:allowInsecureHttp": "true" }, {}],
        ["the environment", {}, { CLOUD_ELEMENTS_ALLOW_INSECURE_HTTP: "TRUE" }],
    ])("accepts http for a non-loopback host with allowInsecureHttp from %s", (_where, config, extraEnv) => {
        const settings = resolveConnection(readConfiguredConnection(configReader(config)), {
            ...env,
            ...extraEnv,
            CLOUD_ELEMENTS_BASE_URL: "http://emulator:8080",
        });
        expect(settings.baseUrl).toBe("http://emulator:8080/elements/api-v2");
    });

    it("keeps refusing non-loopback http when allowInsecureHttp is false, and rejects a non-boolean without echoing it", () => {
        const insecure = { ...env, CLOUD_ELEMENTS_BASE_URL: "http://emulator:8080" };
        expect(() => resolveConnection({}, { ...insecure, CLOUD_ELEMENTS_ALLOW_INSECURE_HTTP: "false" })).toThrow(
            /plain http is only allowed for loopback hosts/,
        );
        const err = failure(() =>
            resolveConnection({}, { ...insecure, CLOUD_ELEMENTS_ALLOW_INSECURE_HTTP: "yes-pasted-secret-123" }),
        );
        expect(err.message).toMatch(/allowInsecureHttp must be true or false/);
        expect(err.message).toContain("CLOUD_ELEMENTS_ALLOW_INSECURE_HTTP");
        expect(err.message).not.toContain("pasted-secret");
    });

    it("does not echo a non-numeric timeout (it may be a pasted secret)", () => {
        const err = failure(() => resolveConnection({}, { ...env, CLOUD_ELEMENTS_TIMEOUT_MS: "abcd-secret-9999" }));
        expect(err.message).toMatch(/timeoutMs must be an integer from 1 to 600000, got a value that is not a number/);
        expect(err.message).not.toContain("abcd-secret");
    });

    it("rejects a secret that cannot go into the Authorization header, without echoing it", () => {
        const err = failure(() => resolveConnection({}, { ...env, CLOUD_ELEMENTS_USER_SECRET: "abc, Organization x" }));
        expect(err.message).toMatch(/userSecret contains whitespace or a comma/);
        expect(err.message).not.toContain("abc");
    });
    it("an explicit provider's inputs win over stack config and the environment, setting by setting", () => {
        const configured = { baseUrl: "https://api.cloud-elements.co.uk", timeoutMs: "5000", maxRetries: "3" };
        const inputs = { baseUrl: "https://api.cloud-elements.com", userSecret, maxRetries: "1" };
        expect(resolveConnection(configured, env, inputs)).toEqual({
            baseUrl: "https://api.cloud-elements.com/elements/api-v2",
            baseUrlOrigin: "input",
            userSecret,
            organizationSecret: "env-org",
            timeoutMs: 5000,
            maxRetries: 1,
            operationTimeoutMs: 300_000,
        });
    });

    it("names the provider input of a bad or missing setting when the connection has provider inputs", () => {
        const bad = failure(() => resolveConnection({}, env, { timeoutMs: "-1" }));
        expect(bad.message).toBe(
            'Cloud Elements timeoutMs must be an integer from 1 to 600000, got "-1"; check the provider input timeoutMs (it wins over stack config cloudelements:timeoutMs and the environment variable CLOUD_ELEMENTS_TIMEOUT_MS).',
        );
        const missing = failure(() =>
            resolveConnection({}, {}, { baseUrl: "https://api.cloud-elements.com", userSecret }),
        );
        expect(missing.message).toBe(
            "Cloud Elements connection is not configured. Missing organizationSecret: set the provider input organizationSecret, stack config cloudelements:organizationSecret (pulumi config set --secret cloudelements:organizationSecret ...) or the environment variable CLOUD_ELEMENTS_ORGANIZATION_SECRET.",
        );
        const url = failure(() => resolveConnection({}, env, { baseUrl: "http://ce.example" }));
        expect(url.message).toMatch(
            /check the provider input baseUrl \(it wins over stack config cloudelements:baseUrl/,
        );
    });
});
