/**
 * The setup of the create-recovery suites (`tests/unit/create-recovery*.test.ts`): the dynamic provider's
 * implementation driven directly against an in-process emulator and its faults, with the request log as lines
 * (`GET /instances/1 200`). One file per group of cases, so that jest runs their waits (late answers, retry delays,
 * deadlines) side by side.
 */

import type { RunningEmulator } from "../../emulator";
import { fingerprint } from "../../emulator";
import * as impl from "../../provider/hosts/dynamic/implementation";
import type { InstanceOutputs } from "../../provider/model/instance";
import { acme, type CheckedInputs, configReader, connectionConfig, type StateProps, useEmulator } from "./emulator";
import { until } from "./reliability";

/** The `__provider` the tests pass as state holds it (the implementation only carries it along). */
export const providerText = "exports.handler = __f0; /* stub */";

/** What a create-recovery suite works with; see {@link useCreateRecovery}. */
export interface CreateRecovery {
    /** The file's emulator. */
    emulator(): RunningEmulator;
    /** Configures the implementation for the emulator, with stack config `overrides`. */
    configure(overrides?: Record<string, string>): Promise<void>;
    /** Valid inputs (acme's subdomain and key) through `check`, with `news` over them. */
    checked(news?: Record<string, unknown>): Promise<CheckedInputs>;
    /** The request log as `METHOD /path?query STATUS` lines, in arrival order. */
    log(): Promise<string[]>;
    /** The log once it has `count` entries: a request the client gave up on is logged when the emulator finishes it. */
    logOf(count: number): Promise<string[]>;
    /** Creates one instance and clears the request log. */
    createOne(): Promise<{ id: string; outs: StateProps; inputs: CheckedInputs }>;
    /** The outs token belongs to the one instance in the emulator, which carries `marker`. */
    expectSingleInstance(outs: Partial<InstanceOutputs>, marker: string): Promise<void>;
    /** The nonce the create sent with its POSTs (from the request log: creates that fail return no outputs). */
    postedNonce(): Promise<string>;
    /** Waits until the emulator holds `count` instances (a late commit landing). */
    instancesReach(count: number): Promise<void>;
}

/** The request-log line of one nonce lookup (every lookup asks for the documented maximum page size). */
export function lookupLine(nonce: string, status: number): string {
    return `GET /instances?tags%5B%5D=${encodeURIComponent(`pulumi-create:${nonce}`)}&pageSize=200 ${status}`;
}

/**
 * The one setup of a create-recovery file, called at its top: an emulator reset before each test, the
 * implementation configured with `maxRetries` 3 before each test, and after each test a wait until the emulator
 * finished every request (a request held by a delay fault still commits after the test; it must not land in the
 * next one). Each test may take 30 s.
 */
export function useCreateRecovery(): CreateRecovery {
    // The cases wait on real timers (client timeouts, late answers, Retry-After) for up to about 5 s on an idle
    // machine: jest's default of 5 s per test is no margin when other suites load it.
    jest.setTimeout(30_000);
    const emulator = useEmulator();

    async function configure(overrides: Record<string, string> = {}): Promise<void> {
        await impl.configure({ config: configReader(connectionConfig(emulator(), overrides)) });
    }

    async function checked(news: Record<string, unknown> = {}): Promise<CheckedInputs> {
        const result = await impl.check(
            {},
            {
                __provider: providerText,
                subdomain: "acme",
                apiKey: acme.apiKey,
                name: "helpdesk",
                tags: ["t"],
                ...news,
            },
        );
        expect(result.failures).toEqual([]);
        return { ...result.inputs, __provider: providerText };
    }

    async function log(): Promise<string[]> {
        return (await emulator().control.requests()).map((r) => {
            const query = Object.keys(r.query).length
                ? `?${new URLSearchParams(Object.entries(r.query).map(([key, value]): [string, string] => [key, String(value)]))}`
                : "";
            return `${r.method} ${r.path.replace("/elements/api-v2", "")}${query} ${r.status}`;
        });
    }

    async function logOf(count: number): Promise<string[]> {
        const deadline = Date.now() + 5000;
        let lines = await log();
        while (lines.length < count && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            lines = await log();
        }
        return lines;
    }

    async function createOne(): Promise<{ id: string; outs: StateProps; inputs: CheckedInputs }> {
        const inputs = await checked();
        const created = await impl.create(inputs);
        await emulator().control.reset({ requests: true });
        return { id: created.id, outs: { ...created.outs, __provider: providerText }, inputs };
    }

    async function expectSingleInstance(outs: Partial<InstanceOutputs>, marker: string): Promise<void> {
        const instances = await emulator().control.instances();
        expect(instances).toHaveLength(1);
        expect(instances[0].tags).toContain(`pulumi-marker:${marker}`);
        expect(fingerprint(outs.token!)).toBe(instances[0].tokenFingerprint);
        expect(outs.instanceId).toBe(instances[0].id);
    }

    async function postedNonce(): Promise<string> {
        const post = (await emulator().control.requests()).find((r) => r.method === "POST");
        const tag = (post?.body as { tags?: string[] } | undefined)?.tags?.find((t) => t.startsWith("pulumi-create:"));
        expect(tag).toBeDefined();
        return (tag as string).slice("pulumi-create:".length);
    }

    async function instancesReach(count: number): Promise<void> {
        expect(await until(async () => (await emulator().control.instances()).length === count, 15_000, 25)).toBe(true);
    }

    beforeEach(async () => {
        await configure({ "cloudelements:maxRetries": "3" });
    });
    afterAll(() => {
        impl.closeClients();
    });
    afterEach(async () => {
        expect(await until(async () => (await emulator().control.health()).inFlight === 0, 15_000, 25)).toBe(true);
    });

    return { emulator, configure, checked, log, logOf, createOne, expectSingleInstance, postedNonce, instancesReach };
}
