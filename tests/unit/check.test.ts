/**
 * `check`: validation and normalisation of every input, before any API call.
 */
import { check } from "../../provider/hosts/dynamic/implementation";
import { normalizeSubdomain } from "../../provider/model/freshdesk";
import { checkInputs } from "../../provider/model/validation";

const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const apiKey = "acmeFreshdeskKey0001";

function valid(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { subdomain: "acme", apiKey, name: "helpdesk", ...overrides };
}

describe("normalisation", () => {
    it.each([
        ["acme", "acme"],
        ["ACME", "acme"],
        ["acme.freshdesk.com", "acme"],
        ["https://acme.freshdesk.com/", "acme"],
        ["http://acme.freshdesk.com", "acme"],
        ["  acme-support  ", "acme-support"],
    ])("subdomain %j becomes %j", (input, expected) => {
        expect(normalizeSubdomain(input)).toBe(expected);
        const { inputs, failures } = checkInputs(valid({ subdomain: input }));
        expect(failures).toEqual([]);
        expect(inputs.subdomain).toBe(expected);
    });

    it("fills defaults: no tags, null filtering on, events off with the element's default resources", () => {
        const { inputs, failures } = checkInputs(valid());
        expect(failures).toEqual([]);
        expect(inputs).toEqual({
            subdomain: "acme",
            apiKey,
            name: "helpdesk",
            tags: [],
            filterResponseNulls: true,
            events: { enabled: false, pollingIntervalMinutes: 15, resources: ["incidents", "contacts"] },
        });
    });

    it("enables events when an events block is given, with the default interval and resources", () => {
        const { inputs, failures } = checkInputs(valid({ events: { callbackUrl: "https://hooks.example.com/fd" } }));
        expect(failures).toEqual([]);
        expect(inputs.events).toEqual({
            enabled: true,
            callbackUrl: "https://hooks.example.com/fd",
            pollingIntervalMinutes: 15,
            resources: ["incidents", "contacts"],
        });
    });

    it("accepts a numeric-string adoptInstanceId and stores a number", () => {
        expect(checkInputs(valid({ adoptInstanceId: "42" })).inputs.adoptInstanceId).toBe(42);
        expect(checkInputs(valid({ adoptInstanceId: 42 })).inputs.adoptInstanceId).toBe(42);
    });

    it("keeps adoptTakeOver only when given", () => {
        expect(checkInputs(valid({ adoptInstanceId: 42, adoptTakeOver: true })).inputs.adoptTakeOver).toBe(true);
        expect(checkInputs(valid({ adoptInstanceId: 42 })).inputs).not.toHaveProperty("adoptTakeOver");
    });

    it("drops unknown keys and keeps __provider", () => {
        const { inputs } = checkInputs(valid({ surprise: 1, __provider: "exports.handler = ..." }));
        expect(inputs).not.toHaveProperty("surprise");
        expect(inputs.__provider).toBe("exports.handler = ...");
    });
});

describe("failures", () => {
    // [description, inputs, property, reason pattern]
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
        ["missing subdomain", { subdomain: undefined }, "subdomain", /subdomain is required/],
        ["numeric subdomain", { subdomain: 7 }, "subdomain", /subdomain must be a string .* got a number/],
        ["subdomain with a leading hyphen", { subdomain: "-acme" }, "subdomain", /1-63 letters, digits or hyphens/],
        ["subdomain with a trailing hyphen", { subdomain: "acme-" }, "subdomain", /not a Freshdesk subdomain/],
        ["subdomain of another domain", { subdomain: "acme.zendesk.com" }, "subdomain", /not a Freshdesk subdomain/],
        ["subdomain too long", { subdomain: "a".repeat(64) }, "subdomain", /1-63/],
        ["subdomain with a path", { subdomain: "https://acme.freshdesk.com/a" }, "subdomain", /not a Freshdesk/],
        ["missing apiKey", { apiKey: undefined }, "apiKey", /apiKey is required/],
        ["empty apiKey", { apiKey: "" }, "apiKey", /must not be empty/],
        ["apiKey with a newline", { apiKey: `${apiKey}\n` }, "apiKey", /must not contain whitespace/],
        ["numeric apiKey", { apiKey: 12345 }, "apiKey", /apiKey must be a string .* got a number/],
        ["numeric name", { name: 5 }, "name", /name must be a string .* got a number/],
        ["blank name", { name: "   " }, "name", /name must not be empty/],
        ["name too long", { name: "n".repeat(256) }, "name", /256 characters long: expected at most 255/],
        ["HTML in the name", { name: "<b>x</b>" }, "name", /must not contain < or >/],
        ["tags not an array", { tags: "a,b" }, "tags", /tags must be an array of strings, got a string/],
        ["a numeric tag", { tags: ["ok", 3] }, "tags[1]", /tags\[1\] must be a string, got a number/],
        ["an empty tag", { tags: [""] }, "tags[0]", /must not be empty/],
        ["the reserved marker prefix", { tags: ["pulumi-marker:x"] }, "tags[0]", /reserved/],
        [
            "the reserved create-nonce prefix",
            { tags: ["ok", "pulumi-create:x"] },
            "tags[1]",
            /"pulumi-create:" is reserved/,
        ],
        ["filterResponseNulls as a string", { filterResponseNulls: "yes" }, "filterResponseNulls", /must be a boolean/],
        ["events as an array", { events: [] }, "events", /events must be an object .* got an array/],
        [
            "events on without callbackUrl",
            { events: { enabled: true } },
            "events.callbackUrl",
            /required when events are enabled/,
        ],
        [
            "plain http callback",
            { events: { callbackUrl: "http://hooks.example.com/x" } },
            "events.callbackUrl",
            /uses http: expected an https URL/,
        ],
        ["ftp callback", { events: { callbackUrl: "ftp://hooks.example.com/x" } }, "events.callbackUrl", /uses ftp/],
        ["callback not a URL", { events: { callbackUrl: "hooks" } }, "events.callbackUrl", /not a valid URL/],
        [
            "events.enabled as a string",
            { events: { enabled: "true", callbackUrl: "https://h.example.com" } },
            "events.enabled",
            /must be a boolean, got a string/,
        ],
        [
            "zero polling interval",
            { events: { callbackUrl: "https://h.example.com", pollingIntervalMinutes: 0 } },
            "events.pollingIntervalMinutes",
            /positive whole number of minutes, got 0/,
        ],
        [
            "fractional polling interval",
            { events: { callbackUrl: "https://h.example.com", pollingIntervalMinutes: 1.5 } },
            "events.pollingIntervalMinutes",
            /got 1.5/,
        ],
        [
            "empty resources",
            { events: { callbackUrl: "https://h.example.com", resources: [] } },
            "events.resources",
            /must not be empty: expected resource names such as incidents, contacts, accounts, agents/,
        ],
        [
            "a resource that is not a name",
            { events: { callbackUrl: "https://h.example.com", resources: ["incidents", "/hubs/x"] } },
            "events.resources[1]",
            /hub resource name/,
        ],
        [
            "a duplicated resource",
            { events: { callbackUrl: "https://h.example.com", resources: ["agents", "agents"] } },
            "events.resources[1]",
            /twice/,
        ],
        [
            "an empty signature key",
            { events: { callbackUrl: "https://h.example.com", signatureKey: "" } },
            "events.signatureKey",
            /must not be empty/,
        ],
        [
            "a misspelt events field",
            { events: { callbackURL: "https://h.example.com", enabled: false } },
            "events.callbackURL",
            /not a known field/,
        ],
        ["adoptInstanceId zero", { adoptInstanceId: 0 }, "adoptInstanceId", /positive integer/],
        ["adoptInstanceId not numeric", { adoptInstanceId: "abc" }, "adoptInstanceId", /got "abc"/],
        ["adoptTakeOver not a boolean", { adoptTakeOver: "yes" }, "adoptTakeOver", /adoptTakeOver must be a boolean/],
    ];

    it.each(cases)("%s", (_description, overrides, property, reason) => {
        const { failures } = checkInputs(valid(overrides));
        expect(failures).toHaveLength(1);
        expect(failures[0].property).toBe(property);
        expect(failures[0].reason).toMatch(reason);
    });

    it("never echoes the API key in a reason", () => {
        const secretKey = "s3cr3t-Key-with space";
        const { failures } = checkInputs(valid({ apiKey: secretKey }));
        expect(failures.map((f) => f.property)).toEqual(["apiKey"]);
        expect(JSON.stringify(failures)).not.toContain("s3cr3t");
    });

    it("reports every problem at once", () => {
        const { failures } = checkInputs({ subdomain: "-", apiKey: "", name: 1, tags: [1], filterResponseNulls: 0 });
        expect(failures.map((f) => f.property).sort()).toEqual(
            ["apiKey", "filterResponseNulls", "name", "subdomain", "tags[0]"].sort(),
        );
    });

    it("accepts http callbacks on loopback hosts only", () => {
        for (const url of ["http://localhost:8080/x", "http://127.0.0.1/x", "http://[::1]:9/x"]) {
            expect(checkInputs(valid({ events: { callbackUrl: url } })).failures).toEqual([]);
        }
    });

    it("accepts events off without a callback, and any identifier-shaped resource", () => {
        expect(checkInputs(valid({ events: { enabled: false } })).failures).toEqual([]);
        const { failures, inputs } = checkInputs(
            valid({ events: { callbackUrl: "https://h.example.com", resources: ["accounts", "time_entries"] } }),
        );
        expect(failures).toEqual([]);
        expect((inputs.events as { resources: string[] }).resources).toEqual(["accounts", "time_entries"]);
    });
});

describe("unknown values during preview", () => {
    it("passes unknown values through untouched, at any depth", () => {
        const news = {
            subdomain: unknown,
            apiKey: unknown,
            name: unknown,
            tags: ["a", unknown],
            filterResponseNulls: unknown,
            events: { enabled: true, callbackUrl: unknown, resources: [unknown], signatureKey: unknown },
            adoptInstanceId: unknown,
        };
        const { inputs, failures } = checkInputs(news);
        expect(failures).toEqual([]);
        expect(inputs).toMatchObject({
            subdomain: unknown,
            apiKey: unknown,
            name: unknown,
            tags: ["a", unknown],
            filterResponseNulls: unknown,
            adoptInstanceId: unknown,
        });
        expect(inputs.events).toMatchObject({ callbackUrl: unknown, resources: [unknown], signatureKey: unknown });
    });

    it("passes a wholly unknown events block through", () => {
        const { inputs, failures } = checkInputs(valid({ events: unknown, tags: unknown }));
        expect(failures).toEqual([]);
        expect(inputs.events).toBe(unknown);
        expect(inputs.tags).toBe(unknown);
    });
});

describe("the provider's check", () => {
    it("stamps a fresh random create marker for a new resource (no old inputs)", async () => {
        const first = await check({}, valid());
        const second = await check({}, valid());
        const marker = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
        expect(first.inputs?.createMarker).toMatch(marker);
        expect(second.inputs?.createMarker).toMatch(marker);
        expect(first.inputs?.createMarker).not.toBe(second.inputs?.createMarker);
        expect(first.failures).toEqual([]);
    });

    it("reuses the old inputs' marker, so an update's preview shows no random change", async () => {
        const olds = { ...valid(), createMarker: "b69b0c4e-0000-4000-8000-000000000001" };
        const rotated = await check(olds, valid({ apiKey: "rotatedFreshdeskKey01" }));
        expect(rotated.inputs?.createMarker).toBe(olds.createMarker);
        const replaced = await check(olds, valid({ subdomain: "globex" }));
        expect(replaced.inputs?.createMarker).toBe(olds.createMarker);
        // Anything that is not a string is no marker: a new one is stamped.
        expect((await check({ createMarker: 7 }, valid())).inputs?.createMarker).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("returns failures instead of throwing", async () => {
        const result = await check({}, valid({ subdomain: "" }));
        expect(result.failures?.map((f) => f.property)).toEqual(["subdomain"]);
    });
});
