/**
 * `diff` is a pure function of the old outputs and the new checked inputs.
 */

import { diff } from "../../provider/hosts/dynamic/implementation";
import { diffInstance } from "../../provider/lifecycle/diff";

const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const events = {
    enabled: true,
    callbackUrl: "https://hooks.example.com/fd",
    pollingIntervalMinutes: 15,
    resources: ["incidents", "contacts"],
    signatureKey: "sig-key-1",
};

/** Old outputs as stored in state after a create. */
function olds(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        subdomain: "acme",
        apiKey: "acmeFreshdeskKey0001",
        name: "helpdesk",
        tags: ["team-a", "env:dev"],
        filterResponseNulls: true,
        events,
        createMarker: "11111111-1111-4111-8111-111111111111",
        __provider: "exports.handler = __f0; // old",
        instanceId: 7,
        token: "tok",
        createdDate: "2024-01-01T00:00:00Z",
        valid: true,
        disabled: false,
        eventsEnabled: true,
        elementKey: "freshdeskv2",
        elementId: 491,
        ...overrides,
    };
}

/** New checked inputs equal to the state above. */
function news(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        subdomain: "acme",
        apiKey: "acmeFreshdeskKey0001",
        name: "helpdesk",
        tags: ["team-a", "env:dev"],
        filterResponseNulls: true,
        events,
        createMarker: "22222222-2222-4222-8222-222222222222",
        __provider: "exports.handler = __f0; // new",
        ...overrides,
    };
}

describe("diffInstance", () => {
    // [description, old-output overrides, new-input overrides, expected changed keys, replaces]
    const table: [string, Record<string, unknown>, Record<string, unknown>, string[], string[]][] = [
        ["identical except marker and __provider", {}, {}, [], []],
        ["subdomain changed", {}, { subdomain: "globex" }, ["subdomain"], ["subdomain"]],
        ["name changed", {}, { name: "renamed" }, ["name"], []],
        ["a tag added", {}, { tags: ["team-a", "env:dev", "x"] }, ["tags"], []],
        ["tags reordered", {}, { tags: ["env:dev", "team-a"] }, [], []],
        ["api key rotated", {}, { apiKey: "acmeFreshdeskKey0002" }, ["apiKey"], []],
        ["null filtering turned off", {}, { filterResponseNulls: false }, ["filterResponseNulls"], []],
        ["old state without filterResponseNulls, new default", { filterResponseNulls: undefined }, {}, [], []],
        ["events turned off", {}, { events: { ...events, enabled: false } }, ["events"], []],
        ["callback changed", {}, { events: { ...events, callbackUrl: "https://other.example.com" } }, ["events"], []],
        ["interval changed", {}, { events: { ...events, pollingIntervalMinutes: 5 } }, ["events"], []],
        [
            "resource added",
            {},
            { events: { ...events, resources: ["incidents", "contacts", "agents"] } },
            ["events"],
            [],
        ],
        ["signature key rotated", {}, { events: { ...events, signatureKey: "sig-key-2" } }, ["events"], []],
        ["signature key removed", {}, { events: { ...events, signatureKey: undefined } }, ["events"], []],
        [
            "events off on both sides, other fields differ",
            { events: { enabled: false, callbackUrl: "https://a.example.com", resources: ["incidents"] } },
            { events: { enabled: false, pollingIntervalMinutes: 15, resources: ["incidents", "contacts"] } },
            [],
            [],
        ],
        ["events absent in old state, off now", { events: undefined }, { events: { enabled: false } }, [], []],
        ["output-only fields differ", { token: "other", valid: false, createdDate: "x", instanceId: 8 }, {}, [], []],
        ["adoptInstanceId added after creation", {}, { adoptInstanceId: 99 }, [], []],
        ["adoptTakeOver added after creation", {}, { adoptInstanceId: 99, adoptTakeOver: true }, [], []],
        [
            "subdomain and name changed",
            {},
            { subdomain: "globex", name: "renamed" },
            ["subdomain", "name"],
            ["subdomain"],
        ],
        ["unknown name", {}, { name: unknown }, ["name"], []],
        ["unknown subdomain", {}, { subdomain: unknown }, ["subdomain"], ["subdomain"]],
        ["unknown tag element", {}, { tags: ["team-a", unknown] }, ["tags"], []],
        ["unknown events block", {}, { events: unknown }, ["events"], []],
        ["unknown nested callback", {}, { events: { ...events, callbackUrl: unknown } }, ["events"], []],
        ["unknown api key", {}, { apiKey: unknown }, ["apiKey"], []],
        ["unknown createMarker is still no change", {}, { createMarker: unknown }, [], []],
    ];

    it.each(table)("%s", (_description, oldOverrides, newOverrides, changed, replaces) => {
        const result = diffInstance(olds(oldOverrides), news(newOverrides));
        expect(result.changed).toEqual(changed);
        expect(result.replaces).toEqual(replaces);
        expect(result.changes).toBe(changed.length > 0);
        expect(result.deleteBeforeReplace).toBe(false);
    });
});

describe("the provider's diff", () => {
    it("always answers changes as a boolean (never undefined, which would make the engine diff __provider)", async () => {
        const same = await diff("7", olds(), news());
        expect(same).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
        const changed = await diff("7", olds(), news({ subdomain: "globex" }));
        expect(changed).toEqual({ changes: true, replaces: ["subdomain"], deleteBeforeReplace: false });
    });
});
