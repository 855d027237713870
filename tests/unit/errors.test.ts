/**
 * Errors: our own types only (brand-checked), never the request config, headers or response body, and secrets a
 * server echoes back are redacted.
 */
import { CloudElementsError, HttpError, PartialCreateError, redact } from "../../provider/api/errors";
import * as impl from "../../provider/hosts/dynamic/implementation";
import {
    acme,
    type CheckedInputs,
    configReader,
    connectionConfig,
    devOrganization,
    devUser,
    useEmulator,
} from "../helpers/emulator";

const emulator = useEmulator();
const providerText = "exports.handler = __f0; /* stub */";

async function checked(news: Record<string, unknown> = {}): Promise<CheckedInputs> {
    const result = await impl.check(
        {},
        { __provider: providerText, subdomain: "acme", apiKey: acme.apiKey, name: "helpdesk", ...news },
    );
    return { ...result.inputs, __provider: providerText };
}

/** The rejection of `promise`; every failure these tests provoke is one of our own errors. */
async function failure(promise: Promise<unknown>): Promise<CloudElementsError> {
    return promise.then(
        () => {
            throw new Error("expected a failure");
        },
        (err) => err,
    );
}

/** Nothing that could carry a secret: no axios config/request/response, and no secret in any serialization. */
function expectClean(err: Error, secrets: string[]): void {
    for (const key of ["config", "request", "response", "cause", "toJSON"]) {
        expect(err).not.toHaveProperty(key);
    }
    const renderings = [err.message, String(err), err.stack, JSON.stringify(err), JSON.stringify(Object.entries(err))];
    for (const rendering of renderings) {
        for (const secret of secrets) {
            expect(rendering).not.toContain(secret);
        }
        expect(rendering).not.toMatch(/Authorization|Organization dev/);
    }
}

beforeEach(async () => {
    await impl.configure({ config: configReader(connectionConfig(emulator(), { "cloudelements:maxRetries": "0" })) });
});

afterAll(() => {
    impl.closeClients();
});

describe("redact", () => {
    it("replaces every occurrence, longest secrets first, and ignores very short values", () => {
        expect(redact("key abc123456 and abc123456789 again abc123456", ["abc123456", "abc123456789", "ab"])).toBe(
            "key [REDACTED] and [REDACTED] again [REDACTED]",
        );
        expect(redact("nothing here", [undefined, ""])).toBe("nothing here");
    });
});

describe("brand checks", () => {
    it("recognise our errors without instanceof, also from another copy of the package", () => {
        const http = new HttpError({ method: "GET", path: "/instances/1", status: 500 });
        expect(HttpError.isInstance(http)).toBe(true);
        expect(CloudElementsError.isInstance(http)).toBe(true);
        expect(PartialCreateError.isInstance(http)).toBe(false);
        expect(HttpError.isInstance(new CloudElementsError("response", "x"))).toBe(false);
        expect(HttpError.isInstance(new Error("x"))).toBe(false);
        expect(HttpError.isInstance(undefined)).toBe(false);
        // Another copy: a different class, the same global symbol brand.
        const foreign = Object.defineProperty(
            new Error("copy"),
            Symbol.for("pulumi-cloudelements-freshdesk:HttpError"),
            {
                value: true,
            },
        );
        expect(HttpError.isInstance(foreign)).toBe(true);
    });

    it("formats status, request id and provider message", () => {
        const err = new HttpError(
            {
                method: "POST",
                path: "/instances",
                status: 400,
                requestId: "0123456789abcdef01234567",
                apiMessage: "Failed to validate credentials for freshdeskv2",
                providerMessage: '{"code":"invalid_credentials"}',
            },
            "creating the instance",
        );
        expect(err.message).toBe(
            'creating the instance: Cloud Elements POST /instances failed: HTTP 400 (apiKey: Freshdesk rejected the API key for this subdomain; check the apiKey and subdomain inputs): Failed to validate credentials for freshdeskv2 (provider: {"code":"invalid_credentials"}) [requestId 0123456789abcdef01234567]',
        );
        expect(new HttpError({ method: "GET", path: "/x", code: "ECONNRESET" }).message).toBe(
            "Cloud Elements GET /x failed: no response (ECONNRESET)",
        );
    });
});

describe("where a request went", () => {
    it("names the base URL and its source when nothing answered, saying that stack config wins", () => {
        const fromConfig = new HttpError(
            {
                method: "GET",
                path: "/instances/7",
                code: "ECONNREFUSED",
                endpoint: { baseUrl: "http://127.0.0.1:9/elements/api-v2", origin: "config" },
            },
            "reading instance 7",
        );
        expect(fromConfig.message).toBe(
            "reading instance 7: Cloud Elements GET /instances/7 failed: no response (ECONNREFUSED): the request never " +
                "reached Cloud Elements; base URL http://127.0.0.1:9/elements/api-v2 from stack config " +
                "cloudelements:baseUrl (it wins over the environment variable CLOUD_ELEMENTS_BASE_URL)",
        );
        const fromEnv = new HttpError({
            method: "DELETE",
            path: "/instances/7",
            code: "ECONNABORTED: timed out",
            endpoint: { baseUrl: "https://ce.example.com/elements/api-v2", origin: "env" },
        });
        expect(fromEnv.message).toBe(
            "Cloud Elements DELETE /instances/7 failed: no response (ECONNABORTED: timed out); base URL " +
                "https://ce.example.com/elements/api-v2 from the environment variable CLOUD_ELEMENTS_BASE_URL " +
                "(stack config cloudelements:baseUrl is not set; it would win)",
        );
    });

    it("names the credential settings on a 401", () => {
        expect(new HttpError({ method: "GET", path: "/instances/7", status: 401 }).message).toBe(
            "Cloud Elements GET /instances/7 failed: HTTP 401 (check cloudelements:userSecret / " +
                "CLOUD_ELEMENTS_USER_SECRET and cloudelements:organizationSecret / CLOUD_ELEMENTS_ORGANIZATION_SECRET)",
        );
    });
});

describe("errors from real HTTP", () => {
    const secrets = [devUser.userSecret, devOrganization.organizationSecret, acme.apiKey];

    it("redacts the API key and the token when a server error message echoes them", async () => {
        const created = await impl.create(await checked());
        const token = created.outs!.token;
        await emulator().control.addFault({
            kind: "respond",
            method: "PATCH",
            status: 400,
            body: JSON.stringify({
                requestId: "0123456789abcdef01234567",
                message: `Invalid configuration: username=${acme.apiKey}, token ${token}`,
                providerMessage: `Freshdesk rejected key ${acme.apiKey}`,
                token,
            }),
        });
        const err = (await failure(impl.update(created.id, created.outs!, await checked({ name: "x" })))) as HttpError;
        expect(HttpError.isInstance(err)).toBe(true);
        expect(err.apiMessage).toBe("Invalid configuration: username=[REDACTED], token [REDACTED]");
        expect(err.providerMessage).toBe("Freshdesk rejected key [REDACTED]");
        expectClean(err, [...secrets, token]);
    });

    it("an HTML error page: says so, and hints at the base URL", async () => {
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            status: 502,
            body: "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
            contentType: "text/html",
        });
        const err = await failure(impl.read("1", {}));
        expect(err.message).toMatch(
            /^reading instance 1: Cloud Elements GET \/instances\/1 failed: HTTP 502: the server answered with an HTML page instead of a Cloud Elements JSON error; is the base URL right\?; base URL http:\/\/127\.0\.0\.1:\d+\/elements\/api-v2 from stack config cloudelements:baseUrl \(it wins over the environment variable CLOUD_ELEMENTS_BASE_URL\) \[requestId [0-9a-f]{24}\]$/,
        );
        expectClean(err, secrets);
    });

    it("an HTML page with status 200: a clear response error naming what was expected", async () => {
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            status: 200,
            body: "<html>login</html>",
            contentType: "text/html",
        });
        const err = await failure(impl.read("1", {}));
        expect(CloudElementsError.isInstance(err) && err.kind).toBe("response");
        expect(err.message).toMatch(/answered HTTP 200 with an HTML page instead of JSON; is cloudelements:baseUrl/);
    });

    it("malformed JSON: a clear response error, without echoing secrets from the body", async () => {
        await emulator().control.addFault({
            kind: "respond",
            method: "GET",
            status: 200,
            body: `{"id": 1, "token": "${acme.apiKey}"`,
        });
        const err = await failure(impl.read("1", {}));
        expect(err.message).toMatch(/Cloud Elements GET \/instances\/1 answered HTTP 200 with malformed JSON/);
        expect(err.message).toMatch(/expected a JSON object/);
        expectClean(err, secrets);
    });

    it("JSON that is not an instance: names what was expected", async () => {
        await emulator().control.addFault({ kind: "respond", method: "GET", status: 200, body: '["a"]' });
        await expect(impl.read("1", {})).rejects.toThrow(
            "Cloud Elements GET /instances/1 answered with a JSON array; expected an element instance object.",
        );
        await emulator().control.addFault({ kind: "respond", method: "GET", status: 200, body: '{"name":"x"}' });
        await expect(impl.read("1", {})).rejects.toThrow(/without a numeric "id"/);
    });

    it("a connection failure carries the code only", async () => {
        await impl.configure({
            config: configReader(
                connectionConfig(
                    { baseUrl: "http://127.0.0.1:9/elements/api-v2" },
                    { "cloudelements:maxRetries": "0" },
                ),
            ),
        });
        const err = await failure(impl.read("1", {}));
        expect(err.message).toBe(
            "reading instance 1: Cloud Elements GET /instances/1 failed: no response (ECONNREFUSED): the request never " +
                "reached Cloud Elements; base URL http://127.0.0.1:9/elements/api-v2 from stack config " +
                "cloudelements:baseUrl (it wins over the environment variable CLOUD_ELEMENTS_BASE_URL)",
        );
        expectClean(err, secrets);
    });

    it("a create that cannot connect is retried as is and then names the base URL, not an unknown outcome", async () => {
        await impl.configure({
            config: configReader(
                connectionConfig(
                    { baseUrl: "http://127.0.0.1:9/elements/api-v2" },
                    { "cloudelements:maxRetries": "1" },
                ),
            ),
        });
        const err = await failure(impl.create(await checked()));
        expect(err.message).toContain("Cloud Elements POST /instances failed: no response (ECONNREFUSED)");
        expect(err.message).toContain(
            "base URL http://127.0.0.1:9/elements/api-v2 from stack config cloudelements:baseUrl",
        );
        expect(err.message).toContain(
            "gave up after 2 attempts; no instance was created: no request reached Cloud Elements",
        );
        expect(err.message).not.toMatch(/unknown/);
        expectClean(err, secrets);
    });
});
