/**
 * `diff` is a pure function of the old outputs and the new checked inputs: which properties changed, by path and
 * kind (the detailed diff), and the rule that an unconfirmed create is a change the next update settles.
 */

import { diff } from "../../provider/hosts/dynamic/implementation";
import { diffInstance } from "../../provider/lifecycle/diff";
import { afterSweep, unconfirmedCreateFields } from "../../provider/model/instance";

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

describe("the detailed diff", () => {
    // [description, old-output overrides, new-input overrides, expected paths and kinds]
    const table: [string, Record<string, unknown>, Record<string, unknown>, Record<string, string>][] = [
        ["no change", {}, {}, {}],
        ["api key rotated: a changed secret, by name", {}, { apiKey: "acmeFreshdeskKey0002" }, { apiKey: "UPDATE" }],
        ["renamed", {}, { name: "renamed" }, { name: "UPDATE" }],
        ["a tag added", {}, { tags: ["team-a", "env:dev", "x"] }, { tags: "UPDATE" }],
        ["subdomain: a replacement", {}, { subdomain: "globex" }, { subdomain: "UPDATE_REPLACE" }],
        [
            "filterResponseNulls first set in old state",
            { filterResponseNulls: undefined },
            { filterResponseNulls: false },
            { filterResponseNulls: "ADD" },
        ],
        [
            "events turned on: each changed field",
            { events: { enabled: false, pollingIntervalMinutes: 15, resources: ["incidents", "contacts"] } },
            {
                events: {
                    enabled: true,
                    callbackUrl: "https://h.example.com",
                    pollingIntervalMinutes: 5,
                    resources: ["contacts", "incidents"],
                },
            },
            { "events.callbackUrl": "ADD", "events.enabled": "UPDATE", "events.pollingIntervalMinutes": "UPDATE" },
        ],
        [
            "callback changed",
            {},
            { events: { ...events, callbackUrl: "https://other.example.com" } },
            { "events.callbackUrl": "UPDATE" },
        ],
        [
            "signature key removed",
            {},
            { events: { ...events, signatureKey: undefined } },
            { "events.signatureKey": "DELETE" },
        ],
        ["events absent in old state, on now", { events: undefined }, {}, { events: "ADD" }],
        [
            "unknown nested callback: the whole events",
            {},
            { events: { ...events, callbackUrl: unknown } },
            { events: "UPDATE" },
        ],
        ["an unconfirmed create: the flag goes", { unconfirmedCreate: true }, {}, { unconfirmedCreate: "DELETE" }],
        [
            "an unconfirmed create and a rename",
            { unconfirmedCreate: true },
            { name: "renamed" },
            { name: "UPDATE", unconfirmedCreate: "DELETE" },
        ],
        ["a confirmed create (flag false or absent) is no change", { unconfirmedCreate: false }, {}, {}],
    ];

    it.each(table)("%s", (_description, oldOverrides, newOverrides, expected) => {
        const result = diffInstance(olds(oldOverrides), news(newOverrides));
        expect(Object.fromEntries(Object.entries(result.detailedDiff).map(([p, c]) => [p, c.kind]))).toEqual(expected);
        expect(result.changes).toBe(Object.keys(expected).length > 0);
        expect(result.changed).toEqual([...new Set(Object.keys(expected).map((p) => p.split(".")[0]))]);
    });

    it("an unconfirmed create makes an otherwise unchanged resource an update, not a replacement", () => {
        const result = diffInstance(
            olds({ unconfirmedCreate: true, unconfirmedCreateUntil: "2030-01-01T00:00:00Z" }),
            news(),
        );
        expect(result).toMatchObject({ changes: true, replaces: [], changed: ["unconfirmedCreate"] });
    });

    it("the dynamic host's diff reports the unconfirmed create as a change", async () => {
        expect(await diff("7", olds({ unconfirmedCreate: true }), news())).toEqual({
            changes: true,
            replaces: [],
            deleteBeforeReplace: false,
        });
    });
});

describe("what a sweep leaves of an unconfirmed create", () => {
    const now = Date.parse("2030-01-01T00:00:00Z");
    const until = "2030-01-01T00:05:00.000Z";

    it("clears the flag once every attempt that may commit is accounted for", () => {
        expect(
            afterSweep({ unconfirmedCreate: true, unconfirmedCreateUntil: until, unconfirmedCreatePending: 1 }, 1, now),
        ).toEqual({});
    });

    it("keeps the flag, fewer pending, while an attempt may still commit", () => {
        expect(
            afterSweep({ unconfirmedCreate: true, unconfirmedCreateUntil: until, unconfirmedCreatePending: 2 }, 1, now),
        ).toEqual({
            unconfirmedCreate: true,
            unconfirmedCreateUntil: until,
            unconfirmedCreatePending: 1,
        });
        expect(
            afterSweep({ unconfirmedCreate: true, unconfirmedCreateUntil: until, unconfirmedCreatePending: 1 }, 0, now),
        ).toEqual({
            unconfirmedCreate: true,
            unconfirmedCreateUntil: until,
            unconfirmedCreatePending: 1,
        });
    });

    it("clears the flag after the window, whatever is pending", () => {
        const later = Date.parse(until) + 1;
        expect(
            afterSweep(
                { unconfirmedCreate: true, unconfirmedCreateUntil: until, unconfirmedCreatePending: 3 },
                0,
                later,
            ),
        ).toEqual({});
    });

    it("state without the count waits for the window", () => {
        expect(afterSweep({ unconfirmedCreate: true, unconfirmedCreateUntil: until }, 1, now)).toEqual({
            unconfirmedCreate: true,
            unconfirmedCreateUntil: until,
        });
    });

    it("records nothing for a create whose attempts are all accounted for", () => {
        expect(unconfirmedCreateFields(300_000, 0, now)).toEqual({});
        expect(unconfirmedCreateFields(300_000, 1, now)).toEqual({
            unconfirmedCreate: true,
            unconfirmedCreateUntil: until,
            unconfirmedCreatePending: 1,
        });
    });
});
