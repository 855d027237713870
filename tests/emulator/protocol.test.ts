/**
 * HTTP-level behaviour: authentication, ownership, listing (search, tags, paging, empty answers), error shapes and
 * status codes, keep-alive and many concurrent requests. Speed is the benchmark's business (`npm run bench`), not
 * asserted here.
 */
import { Agent, request } from "node:http";
import { startEmulator } from "../../emulator";
import {
    call,
    createInstance,
    devAuthorization,
    devOrganization,
    devUser,
    devUser2,
    exampleBody,
    otherAuthorization,
    otherOrganization,
    otherUser,
    useEmulator,
} from "../helpers/emulator";

const emulator = useEmulator();
const authMessage = "Invalid Organization or User secret, or invalid Element token provided.";

describe("request ids and error shape", () => {
    it("sets a 24-hex Elements-Request-Id on every answer, success or error, distinct per request", async () => {
        await createInstance(emulator());
        const ok = await call(emulator(), "GET", "/instances");
        expect(ok.status).toBe(200);
        const notFound = await call(emulator(), "GET", "/nothing-here");
        const unauthorized = await call(emulator(), "GET", "/instances", { auth: null });
        const ids = [ok, notFound, unauthorized].map((reply) => reply.headers.get("elements-request-id"));
        for (const id of ids) {
            expect(id).toMatch(/^[0-9a-f]{24}$/);
        }
        expect(new Set(ids).size).toBe(3);
        expect(notFound.json.requestId).toBe(ids[1]);
        expect(unauthorized.json.requestId).toBe(ids[2]);
    });

    it("answers 404 {requestId, message} for an unknown route, inside or outside /elements/api-v2", async () => {
        const inside = await call(emulator(), "GET", "/instances/1/nonsense");
        expect(inside.status).toBe(404);
        expect(Object.keys(inside.json).sort()).toEqual(["message", "requestId"]);
        const outside = await fetch(`${emulator().origin}/api/v1/instances`);
        expect(outside.status).toBe(404);
        expect(((await outside.json()) as { message: string }).message).toContain("/api/v1/instances");
    });

    it("answers 405 with Allow for a wrong verb on a known path", async () => {
        const del = await call(emulator(), "DELETE", "/instances");
        expect(del.status).toBe(405);
        expect(del.headers.get("allow")).toBe("GET, POST, PUT, PATCH");
        expect(del.json.message).toContain("DELETE");
        const post = await call(emulator(), "POST", "/instances/1", { body: {} });
        expect(post.status).toBe(405);
        expect(post.headers.get("allow")).toBe("GET, PUT, PATCH, DELETE");
        const patchEnabled = await call(emulator(), "PATCH", "/instances/1/enabled");
        expect(patchEnabled.status).toBe(405);
    });

    it("answers 415 for a body that is not JSON, 400 for malformed JSON, a non-object or a missing body", async () => {
        const before = (await emulator().control.instances()).length;
        const text = await call(emulator(), "POST", "/instances", {
            rawBody: JSON.stringify(exampleBody()),
            headers: { "content-type": "text/plain" },
        });
        expect(text.status).toBe(415);
        expect(text.json.message).toContain("text/plain");
        const form = await call(emulator(), "POST", "/instances", {
            rawBody: "name=x",
            headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        expect(form.status).toBe(415);
        const malformed = await call(emulator(), "POST", "/instances", {
            rawBody: '{"name": "x",',
            headers: { "content-type": "application/json" },
        });
        expect(malformed.status).toBe(400);
        expect(malformed.json.message).toMatch(/JSON/);
        const array = await call(emulator(), "POST", "/instances", { body: [exampleBody()] });
        expect(array.status).toBe(400);
        const empty = await call(emulator(), "POST", "/instances", { headers: { "content-type": "application/json" } });
        expect(empty.status).toBe(400);
        expect((await emulator().control.instances()).length).toBe(before);
        // A charset parameter and vendor +json types are JSON.
        const charset = await call(emulator(), "POST", "/instances", {
            rawBody: JSON.stringify(exampleBody()),
            headers: { "content-type": "application/json; charset=utf-8" },
        });
        expect(charset.status).toBe(200);
    });

    it("answers 406 when the client does not accept JSON", async () => {
        await createInstance(emulator());
        const reply = await call(emulator(), "GET", "/instances", { headers: { accept: "text/html" } });
        expect(reply.status).toBe(406);
        const ok = await call(emulator(), "GET", "/instances", {
            headers: { accept: "application/json, text/plain, */*" },
        });
        expect(ok.status).toBe(200);
    });

    it("rejects a body over 8 MB with the platform's 429 without creating anything", async () => {
        const before = (await emulator().control.instances()).length;
        const huge = { ...exampleBody(), name: "x".repeat(8 * 1024 * 1024 + 10) };
        const reply = await call(emulator(), "POST", "/instances", { body: huge });
        expect(reply.status).toBe(429);
        expect(reply.json.message).toMatch(/payload/i);
        expect((await emulator().control.instances()).length).toBe(before);
    });
});

describe("authentication", () => {
    it("answers 401 with the platform message when the header is missing or a secret is unknown", async () => {
        const cases = [
            null,
            "",
            `User ${devUser.userSecret}`,
            `Organization ${devOrganization.organizationSecret}`,
            `User wrong-user-secret, Organization ${devOrganization.organizationSecret}`,
            `User ${devUser.userSecret}, Organization wrong-organization-secret`,
            // A real user and a real organization that do not belong together.
            `User ${otherUser.userSecret}, Organization ${devOrganization.organizationSecret}`,
            `Bearer ${devUser.userSecret}`,
        ];
        for (const auth of cases) {
            const reply = await call(emulator(), "GET", "/instances", { auth });
            expect(reply.status).toBe(401);
            expect(reply.json).toEqual({ requestId: expect.stringMatching(/^[0-9a-f]{24}$/), message: authMessage });
        }
        const create = await call(emulator(), "POST", "/instances", { body: exampleBody(), auth: null });
        expect(create.status).toBe(401);
    });

    it("tolerates extra whitespace, any order and case of the kinds", async () => {
        await createInstance(emulator());
        for (const auth of [
            `   User    ${devUser.userSecret} ,   Organization   ${devOrganization.organizationSecret}  `,
            `Organization ${devOrganization.organizationSecret}, User ${devUser.userSecret}`,
            `user ${devUser.userSecret}, organization ${devOrganization.organizationSecret}`,
        ]) {
            expect((await call(emulator(), "GET", "/instances", { auth })).status).toBe(200);
        }
    });

    it("never echoes a secret in an error", async () => {
        const reply = await call(emulator(), "GET", "/instances", {
            auth: `User ${devUser.userSecret}, Organization not-the-org-secret-xyz`,
        });
        expect(reply.text).not.toContain(devUser.userSecret);
        expect(reply.text).not.toContain("not-the-org-secret-xyz");
    });
});

describe("ownership", () => {
    it("scopes instances to their organization and user: others get 404 and never see them in lists", async () => {
        const mine = await createInstance(emulator(), { name: "isolated-mine", tags: ["isolation"] });
        const theirs = await createInstance(
            emulator(),
            { name: "isolated-theirs", tags: ["isolation"] },
            otherAuthorization,
        );
        const colleague = `User ${devUser2.userSecret}, Organization ${devOrganization.organizationSecret}`;
        for (const [auth, foreign] of [
            [otherAuthorization, mine],
            [devAuthorization, theirs],
            [colleague, mine],
        ] as const) {
            expect((await call(emulator(), "GET", `/instances/${foreign.id}`, { auth })).status).toBe(404);
            expect(
                (await call(emulator(), "PATCH", `/instances/${foreign.id}`, { auth, body: { name: "stolen" } }))
                    .status,
            ).toBe(404);
            expect((await call(emulator(), "DELETE", `/instances/${foreign.id}/enabled`, { auth })).status).toBe(404);
            expect((await call(emulator(), "DELETE", `/instances/${foreign.id}`, { auth })).status).toBe(404);
            const list = await call(emulator(), "GET", "/instances?tags[]=isolation", { auth });
            // The colleague has no instance at all: an empty answer is a 404.
            const listed = list.status === 404 ? [] : list.json;
            expect(listed.map((i: { id: number }) => i.id)).not.toContain(foreign.id);
            // Knowing the token is not enough either.
            const byToken = await call(emulator(), "GET", "/instances/configuration", {
                auth: `${auth}, Element ${foreign.token}`,
            });
            expect(byToken.status).toBe(401);
        }
        const theirList = await call(emulator(), "GET", "/instances?tags[]=isolation", { auth: otherAuthorization });
        expect(theirList.json.map((i: { id: number }) => i.id)).toEqual([theirs.id]);
        expect(theirList.json[0].user.emailAddress).toBe(otherUser.email);
        const stored = (await emulator().control.instances()).find((i) => i.id === theirs.id);
        expect(stored?.name).toBe("isolated-theirs");
        expect(stored?.userEmail).toBe(otherUser.email);
        expect(otherOrganization.organizationSecret).not.toBe(devOrganization.organizationSecret);
    });
});

describe("listing", () => {
    const listEmulator = useEmulator({ resetBeforeEach: false });
    let ids: number[] = [];

    beforeAll(async () => {
        ids = [];
        for (const [name, tags] of [
            ["alpha-helpdesk", ["env:dev", "team-a"]],
            ["beta-helpdesk", ["env:dev", "team-b"]],
            ["gamma-support", ["env:prod", "team-a"]],
            ["delta-support", ["env:prod"]],
            ["epsilon-helpdesk", ["team-a"]],
        ] as const) {
            ids.push((await createInstance(listEmulator(), { name, tags })).id);
        }
        await createInstance(listEmulator(), { name: "other-org-helpdesk", tags: ["team-a"] }, otherAuthorization);
    });

    const names = (reply: { json: { name: string }[] }) => reply.json.map((i) => i.name);

    it("lists the caller's instances in id order with count headers", async () => {
        const reply = await call(listEmulator(), "GET", "/instances");
        expect(reply.status).toBe(200);
        expect(reply.json.map((i: { id: number }) => i.id)).toEqual(ids);
        expect(reply.headers.get("elements-total-count")).toBe("5");
        expect(reply.headers.get("elements-returned-count")).toBe("5");
        expect(reply.headers.get("elements-next-page-token")).toBeNull();
    });

    it("filters by tags[] (repeatable, all must match)", async () => {
        expect(names(await call(listEmulator(), "GET", "/instances?tags[]=team-a"))).toEqual([
            "alpha-helpdesk",
            "gamma-support",
            "epsilon-helpdesk",
        ]);
        expect(names(await call(listEmulator(), "GET", "/instances?tags%5B%5D=team-a&tags%5B%5D=env%3Aprod"))).toEqual([
            "gamma-support",
        ]);
    });

    it("answers a tags[]-only search without a match with 404 by default, or [] when set so", async () => {
        const none = await call(listEmulator(), "GET", "/instances?tags[]=team-z");
        expect(none.status).toBe(404);
        expect(none.json).toEqual({
            requestId: none.headers.get("elements-request-id"),
            message: "No instances found",
        });
        try {
            await listEmulator().control.setSettings({ emptyTagSearch: "[]" });
            const empty = await call(listEmulator(), "GET", "/instances?tags[]=team-z");
            expect(empty.status).toBe(200);
            expect(empty.json).toEqual([]);
            expect(empty.headers.get("elements-total-count")).toBe("0");
            expect(empty.headers.get("elements-returned-count")).toBe("0");
            // The setting covers only the undocumented case: searchText without a match stays 404.
            const search = await call(listEmulator(), "GET", "/instances?tags[]=team-z&searchText=alpha");
            expect(search.status).toBe(404);
        } finally {
            await listEmulator().control.setSettings({ emptyTagSearch: "404" });
        }
    });

    it("answers 404 'No instances found' to a plain list of a caller without instances", async () => {
        const colleague = `User ${devUser2.userSecret}, Organization ${devOrganization.organizationSecret}`;
        for (const path of ["/instances", "/instances?hydrate=false", "/elements/freshdeskv2/instances"]) {
            const reply = await call(listEmulator(), "GET", path, { auth: colleague });
            expect(reply.status).toBe(404);
            expect(reply.json).toEqual({
                requestId: reply.headers.get("elements-request-id"),
                message: "No instances found",
            });
        }
    });

    it("searches names and the element key with searchText; no match is a 404 'No instances found'", async () => {
        expect(names(await call(listEmulator(), "GET", "/instances?searchText=support"))).toEqual([
            "gamma-support",
            "delta-support",
        ]);
        expect(names(await call(listEmulator(), "GET", "/instances?searchText=HELPDESK&tags[]=env:dev"))).toEqual([
            "alpha-helpdesk",
            "beta-helpdesk",
        ]);
        expect((await call(listEmulator(), "GET", "/instances?searchText=freshdesk")).json).toHaveLength(5);
        const none = await call(listEmulator(), "GET", "/instances?searchText=zendesk");
        expect(none.status).toBe(404);
        expect(none.json).toEqual({ requestId: expect.any(String), message: "No instances found" });
        const noneWithTags = await call(listEmulator(), "GET", "/instances?searchText=support&tags[]=env:dev");
        expect(noneWithTags.status).toBe(404);
    });

    it("pages with pageSize and nextPage, following Elements-Next-Page-Token", async () => {
        const seen: number[] = [];
        let path = "/instances?pageSize=2";
        const returned: string[] = [];
        for (let page = 0; page < 10; page++) {
            const reply = await call(listEmulator(), "GET", path);
            expect(reply.status).toBe(200);
            expect(reply.headers.get("elements-total-count")).toBe("5");
            returned.push(reply.headers.get("elements-returned-count") as string);
            seen.push(...reply.json.map((i: { id: number }) => i.id));
            const token = reply.headers.get("elements-next-page-token");
            if (!token) {
                break;
            }
            path = `/instances?pageSize=2&nextPage=${encodeURIComponent(token)}`;
        }
        expect(returned).toEqual(["2", "2", "1"]);
        expect(seen).toEqual(ids);
    });

    it("pages a filtered list and rejects a bad pageSize or nextPage", async () => {
        const first = await call(listEmulator(), "GET", "/instances?tags[]=team-a&pageSize=2");
        expect(names(first)).toEqual(["alpha-helpdesk", "gamma-support"]);
        expect(first.headers.get("elements-total-count")).toBe("3");
        const token = first.headers.get("elements-next-page-token") as string;
        const second = await call(
            listEmulator(),
            "GET",
            `/instances?tags[]=team-a&pageSize=2&nextPage=${encodeURIComponent(token)}`,
        );
        expect(names(second)).toEqual(["epsilon-helpdesk"]);
        expect(second.headers.get("elements-next-page-token")).toBeNull();
        for (const query of ["pageSize=0", "pageSize=-1", "pageSize=abc", "nextPage=garbage"]) {
            const reply = await call(listEmulator(), "GET", `/instances?${query}`);
            expect(reply.status).toBe(400);
        }
    });

    it("caps pageSize at 200 and answers 404 for a page past the last match", async () => {
        const all = await call(listEmulator(), "GET", "/instances?pageSize=100000");
        expect(all.status).toBe(200);
        expect(all.json).toHaveLength(5);
        // A cursor after the last instance (e.g. the rest was deleted meanwhile) is an empty page.
        const page = await call(listEmulator(), "GET", "/instances?pageSize=4");
        const token = page.headers.get("elements-next-page-token") as string;
        const last = await call(listEmulator(), "GET", `/instances?pageSize=4&nextPage=${encodeURIComponent(token)}`);
        expect(last.json.map((i: { id: number }) => i.id)).toEqual([ids[4]]);
        const other = await createInstance(listEmulator(), { name: "short-lived" });
        const first = await call(listEmulator(), "GET", "/instances?pageSize=5");
        const afterFive = first.headers.get("elements-next-page-token") as string;
        expect(afterFive).not.toBeNull();
        expect((await call(listEmulator(), "DELETE", `/instances/${other.id}`)).status).toBe(200);
        const beyond = await call(
            listEmulator(),
            "GET",
            `/instances?pageSize=5&nextPage=${encodeURIComponent(afterFive)}`,
        );
        expect(beyond.status).toBe(404);
        expect(beyond.json.message).toBe("No instances found");
    });

    it("pages 450 instances at 200 per page by default", async () => {
        const own = await startEmulator({ validateFreshdeskCredentials: false });
        try {
            const created: number[] = [];
            for (let i = 0; i < 45; i++) {
                const batch = await Promise.all(
                    Array.from({ length: 10 }, (_, j) => createInstance(own, { name: `bulk-${i}-${j}` })),
                );
                created.push(...batch.map((instance) => instance.id as number));
            }
            const seen: number[] = [];
            const returned: string[] = [];
            let path = "/instances?hydrate=false";
            for (let page = 0; page < 5; page++) {
                const reply = await call(own, "GET", path);
                expect(reply.status).toBe(200);
                expect(reply.headers.get("elements-total-count")).toBe("450");
                returned.push(reply.headers.get("elements-returned-count") as string);
                seen.push(...reply.json.map((i: { id: number }) => i.id));
                const token = reply.headers.get("elements-next-page-token");
                if (!token) {
                    break;
                }
                path = `/instances?hydrate=false&nextPage=${encodeURIComponent(token)}`;
            }
            expect(returned).toEqual(["200", "200", "50"]);
            expect(seen).toEqual(created.sort((a, b) => a - b));
        } finally {
            await own.close();
        }
    }, 60_000);
});

describe("connections and throughput", () => {
    it("close() ends promptly with idle keep-alive sockets open", async () => {
        const own = await startEmulator();
        const agent = new Agent({ keepAlive: true, maxSockets: 4 });
        const get = () =>
            new Promise<number>((resolve, reject) => {
                const req = request(
                    `${own.baseUrl}/instances`,
                    { agent, headers: { authorization: devAuthorization } },
                    (res) => {
                        res.resume();
                        res.on("end", () => resolve(res.statusCode ?? 0));
                    },
                );
                req.on("error", reject);
                req.end();
            });
        try {
            await createInstance(own);
            expect(await Promise.all([get(), get(), get()])).toEqual([200, 200, 200]);
            expect(Object.values(agent.freeSockets).flat().length).toBeGreaterThan(0);
            const started = Date.now();
            await own.close();
            // Without destroying idle sockets close() would wait for the 65 s keep-alive timeout; the bound leaves
            // room for a loaded machine.
            expect(Date.now() - started).toBeLessThan(10_000);
            await expect(fetch(`${own.baseUrl}/instances`)).rejects.toThrow();
        } finally {
            agent.destroy();
            await own.close();
        }
    });

    it("serves 600 interleaved reads and writes from 8 keep-alive connections, all answered, none lost", async () => {
        const own = await startEmulator();
        const agent = new Agent({ keepAlive: true, maxSockets: 8 });
        const send = (method: string, path: string, body?: unknown) =>
            new Promise<number>((resolve, reject) => {
                const payload = body === undefined ? undefined : JSON.stringify(body);
                const req = request(
                    `${own.baseUrl}${path}`,
                    {
                        method,
                        agent,
                        headers: {
                            authorization: devAuthorization,
                            ...(payload ? { "content-type": "application/json" } : {}),
                        },
                    },
                    (res) => {
                        res.resume();
                        res.on("end", () => resolve(res.statusCode ?? 0));
                    },
                );
                req.on("error", reject);
                req.end(payload);
            });
        try {
            const created = await createInstance(own);
            const statuses: number[] = [];
            const worker = async (n: number) => {
                for (let i = 0; i < 75; i++) {
                    statuses.push(
                        i % 5 === 0
                            ? await send("PATCH", `/instances/${created.id}`, { tags: [`w${n}-${i}`] })
                            : await send("GET", `/instances/${created.id}`),
                    );
                }
            };
            await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(worker));
            expect(statuses).toHaveLength(600);
            expect(statuses.every((status) => status === 200)).toBe(true);
            // Every request reached the log with its status; the stored tags are those of one of the writes.
            const log = await own.control.requests();
            expect(log).toHaveLength(601);
            expect(log.filter((entry) => entry.method === "PATCH" && entry.status === 200)).toHaveLength(120);
            expect((await own.control.instances())[0].tags).toEqual([expect.stringMatching(/^w[0-7]-\d+$/)]);
        } finally {
            agent.destroy();
            await own.close();
        }
    }, 60_000);
});
