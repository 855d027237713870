/**
 * Persistence: with statePath, instances, ids and tokens survive a restart; the file is private and written
 * atomically.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
    type EmulatorOptions,
    fingerprint,
    minInstanceId,
    type RunningEmulator,
    StateFileError,
    startEmulator as start,
} from "../../emulator";
import {
    acmeAccount,
    call,
    createInstance,
    devAuthorization,
    devOrganization,
    devUser,
    exampleBody,
    fullConfiguration,
} from "../helpers/emulator";

let dir: string;
const started: RunningEmulator[] = [];

/** Starts an emulator that afterEach closes even when the test fails early (close() is idempotent). */
async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
    const emulator = await start(options);
    started.push(emulator);
    return emulator;
}

beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "ce-emulator-state-"));
});

afterEach(async () => {
    await Promise.all(started.splice(0).map((emulator) => emulator.close()));
    await rm(dir, { recursive: true, force: true });
});

describe("state file", () => {
    it("keeps instances, ids, tokens and configuration across a restart", async () => {
        const statePath = join(dir, "nested", "state.json");
        const first = await startEmulator({ statePath });
        const kept = await createInstance(first, { name: "kept", tags: ["t1"] });
        const deleted = await createInstance(first, { name: "deleted" });
        await call(first, "PATCH", `/instances/${kept.id}`, {
            body: { tags: ["t2"], configuration: { username: acmeAccount.apiKeys[1], "pagination.max": 30 } },
        });
        await call(first, "DELETE", `/instances/${kept.id}/enabled`);
        expect((await call(first, "DELETE", `/instances/${deleted.id}`)).status).toBe(200);
        const entriesBefore = (await call(first, "GET", `/instances/${kept.id}/configuration`)).json;
        const controlBefore = await first.control.instances();
        await first.close();

        const second = await startEmulator({ statePath });
        try {
            const read = await call(second, "GET", `/instances/${kept.id}`);
            expect(read.status).toBe(200);
            expect(read.json.token).toBe(kept.token);
            expect(read.json.createdDate).toBe(kept.createdDate);
            expect(read.json.tags).toEqual(["t2"]);
            expect(read.json.disabled).toBe(true);
            expect(read.json.configuration).toEqual(
                fullConfiguration({
                    subdomain: "acme",
                    username: acmeAccount.apiKeys[1],
                    "filter.response.nulls": "true",
                    "pagination.max": "30",
                }),
            );
            expect((await call(second, "GET", `/instances/${kept.id}/configuration`)).json).toEqual(entriesBefore);
            expect(await second.control.instances()).toEqual(controlBefore);
            expect((await call(second, "GET", `/instances/${deleted.id}`)).status).toBe(404);
            // The token still picks the instance, and ids are never reused.
            const byToken = await call(second, "GET", "/instances/configuration", {
                auth: `User dev-user-secret, Organization dev-organization-secret, Element ${kept.token}`,
            });
            expect(byToken.status).toBe(200);
            const next = await createInstance(second);
            expect(next.id).toBeGreaterThan(deleted.id);
            const newEntries = (await call(second, "GET", `/instances/${next.id}/configuration`)).json;
            const oldIds = new Set(entriesBefore.map((e: { id: number }) => e.id));
            expect(newEntries.some((e: { id: number }) => oldIds.has(e.id))).toBe(false);
        } finally {
            await second.close();
        }
    });

    it("keeps the in-use mark across a restart", async () => {
        const statePath = join(dir, "state.json");
        const first = await startEmulator({ statePath });
        const created = await createInstance(first);
        await first.control.setInUse(created.id);
        await first.close();
        const second = await startEmulator({ statePath });
        expect((await second.control.instances())[0].inUse).toBe(true);
        expect((await call(second, "DELETE", `/instances/${created.id}`)).status).toBe(409);
    });

    it("loads a state file of the older emulator (ids from 1, only the keys a client sent) and moves on", async () => {
        const statePath = join(dir, "state.json");
        const user = { id: 7, email: devUser.email, firstName: "Dev", lastName: "User" };
        await writeFile(
            statePath,
            JSON.stringify({
                version: 1,
                nextId: 3,
                nextConfigId: 3,
                instances: [
                    {
                        id: 2,
                        name: "old",
                        tags: ["t"],
                        createdDate: "2024-05-01T10:00:00Z",
                        token: "b2xkLXRva2VuLW9mLWFuLW9sZC1lbXVsYXRvci0wMDE=",
                        elementKey: "freshdeskv2",
                        organizationSecretFingerprint: fingerprint(devOrganization.organizationSecret),
                        user,
                        configuration: [
                            { id: 1, key: "subdomain", value: "acme" },
                            { id: 2, key: "username", value: "FRESHDESK_API_KEY" },
                        ],
                        disabled: false,
                        valid: true,
                    },
                ],
            }),
        );
        const emulator = await startEmulator({ statePath });
        const old = await call(emulator, "GET", "/instances/2", { auth: devAuthorization });
        expect(old.status).toBe(200);
        expect(old.json.configuration).toEqual(fullConfiguration({ subdomain: "acme", username: "FRESHDESK_API_KEY" }));
        const next = await createInstance(emulator);
        expect(next.id).toBeGreaterThanOrEqual(minInstanceId);
    });

    it("writes the file with mode 0600, atomically, with no temporary file left behind", async () => {
        const statePath = join(dir, "state.json");
        const emulator = await startEmulator({ statePath });
        try {
            // Concurrent mutations: every answered one must be on disk.
            const created = await Promise.all(
                Array.from({ length: 20 }, (_, i) => createInstance(emulator, { name: `burst-${i}` })),
            );
            const onDisk = JSON.parse(await readFile(statePath, "utf8")) as { instances: { id: number }[] };
            expect(onDisk.instances.map((i) => i.id).sort((a, b) => a - b)).toEqual(
                created.map((i) => i.id).sort((a, b) => a - b),
            );
            expect((await stat(statePath)).mode & 0o777).toBe(0o600);
            expect(await readdir(dir)).toEqual(["state.json"]);
        } finally {
            await emulator.close();
        }
    });

    it("starts empty without a state file, and forgets everything without statePath", async () => {
        const statePath = join(dir, "absent.json");
        const withState = await startEmulator({ statePath });
        expect(await withState.control.instances()).toEqual([]);
        await withState.close();
        const memory = await startEmulator();
        await createInstance(memory);
        await memory.close();
        const again = await startEmulator();
        expect(await again.control.instances()).toEqual([]);
        await again.close();
    });

    it("refuses a corrupt state file without quoting it", async () => {
        const statePath = join(dir, "state.json");
        await writeFile(statePath, '{"version":1,"instances":[{"token":"secret-token-in-file"');
        const failure = await startEmulator({ statePath }).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(StateFileError);
        expect((failure as Error).message).toContain(statePath);
        expect((failure as Error).message).not.toContain("secret-token-in-file");
        await writeFile(statePath, JSON.stringify({ version: 99, instances: [] }));
        await expect(startEmulator({ statePath })).rejects.toThrow(/not an emulator state file/);
    });

    it("answers 500 when the state file cannot be written", async () => {
        const folder = join(dir, "vanishing");
        const lines: string[] = [];
        const emulator = await startEmulator({
            statePath: join(folder, "state.json"),
            log: (line) => lines.push(line),
        });
        await rm(folder, { recursive: true, force: true });
        const reply = await call(emulator, "POST", "/instances", { body: exampleBody() });
        expect(reply.status).toBe(500);
        expect(reply.json).toEqual({
            requestId: reply.headers.get("elements-request-id"),
            message: "Internal emulator error",
        });
        expect((await emulator.control.requests()).at(-1)?.status).toBe(500);
        expect(lines.some((line) => line.startsWith("internal error on POST /elements/api-v2/instances"))).toBe(true);
    });

    it("persists a reset", async () => {
        const statePath = join(dir, "state.json");
        const first = await startEmulator({ statePath });
        await createInstance(first);
        await first.control.reset();
        await first.close();
        const second = await startEmulator({ statePath });
        expect(await second.control.instances()).toEqual([]);
        await second.close();
    });
});
