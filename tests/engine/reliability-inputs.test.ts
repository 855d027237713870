/**
 * Reliability, bad input: resource arguments the provider must reject (empty or malformed subdomain, empty or
 * whitespace API key, a key Freshdesk rejects, names and tags of the wrong type, events without or with a non-HTTPS
 * callback URL, non-positive or fractional polling intervals, ...), connection settings that cannot work (missing,
 * wrong or malformed secrets and base URL) and API answers that cannot be used (an instance of an unknown element,
 * malformed JSON). Each case runs one `pulumi up` of a program directory (`tests/fixtures/reliability-inputs`,
 * whose arguments come raw from stack config) through the plain CLI, and asserts a clear error naming the field,
 * that no instance was created (no POST at all when the input can be rejected before calling the API; otherwise no
 * successful one), and that no secret appears in the output.
 *
 * A program directory rather than an inline program: an `up` that fails fast can leave an inline program running
 * in the test process, where it overlaps with the next case's program (the runtime's state is process-wide).
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import type { FaultSpec } from "../../emulator";
import { programStack, repoRoot, runStackCommand } from "../helpers/pulumi";
import {
    attempt,
    captureEmulatorLogs,
    exportState,
    reconcile,
    Summary,
    Transcript,
    useReliability,
} from "../helpers/reliability";
import { cli, findSecrets, routeOf, workProgram } from "../helpers/stacks";

jest.setTimeout(600_000);

const tag = "rel-inputs";
/** One retry: retries are not what this file tests, and the unreachable cases would otherwise wait longer. */
const maxRetries = 1;

const fixture = path.join(repoRoot, "tests", "fixtures", "reliability-inputs");
const stackName = "inputs";

const ctx = useReliability("rel-inputs");
let stack: Stack;
let dir: string;
/** The secret `reliability-inputs:apiKey` in the stack's config, set again only when a case needs another one. */
let apiKeyInConfig: string | undefined;
const summary = new Summary("reliability-inputs");
const transcript = new Transcript();
/** A user secret that no account has, for the 401 case (swept for like the real ones). */
const wrongUserSecret = `usrwrong${randomBytes(12).toString("hex")}`;

/**
 * When the API may be called: `never` (rejected before any request), `refused` (the API is called and refuses:
 * no successful POST).
 */
type ApiContact = "never" | "refused";

interface InputCase {
    readonly name: string;
    /** Arguments that replace the valid ones (a key set to `undefined` is removed). */
    readonly args?: Record<string, unknown>;
    /** Config keys to set (value) or remove (null) for this case only. */
    readonly config?: Record<string, string | null>;
    /** A fault armed for this case only. */
    readonly fault?: FaultSpec;
    readonly api: ApiContact;
    /** What the error must say: it names the field (argument, config key, environment variable). */
    readonly message: RegExp[];
}

/** Valid arguments, but the API key: it comes from the secret config `reliability-inputs:apiKey` unless a case sets one. */
function validArgs(): Record<string, unknown> {
    const [account] = ctx.accounts.freshdesk;
    return { subdomain: account.subdomain, name: `${tag}-subject`, tags: [tag] };
}

/** An answer to POST /instances shaped like an instance, but of another element. */
const otherElementInstance = JSON.stringify({
    id: 987654,
    name: `${tag}-subject`,
    element: { id: 7, key: "salesforce" },
    tags: [tag],
    configuration: {},
    createdDate: "2024-05-01T10:00:00Z",
});

const cases: InputCase[] = [
    {
        name: "empty subdomain",
        args: { subdomain: "" },
        api: "never",
        message: [/subdomain/, /not a Freshdesk subdomain/],
    },
    {
        name: "malformed subdomain",
        args: { subdomain: "acme_corp!" },
        api: "never",
        message: [/subdomain "acme_corp!" is not a Freshdesk subdomain/],
    },
    {
        name: "subdomain starting with a hyphen",
        args: { subdomain: "-acme" },
        api: "never",
        message: [/subdomain "-acme" is not a Freshdesk subdomain/],
    },
    {
        name: "subdomain of the wrong type",
        args: { subdomain: 42 },
        api: "never",
        message: [/subdomain must be a string/],
    },
    { name: "empty API key", args: { apiKey: "" }, api: "never", message: [/apiKey must not be empty/] },
    {
        name: "whitespace API key",
        args: { apiKey: "   " },
        api: "never",
        message: [/apiKey must not contain whitespace/],
    },
    {
        name: "API key with a trailing newline",
        args: { apiKey: "abcdefghij0123456789\n" },
        api: "never",
        message: [/apiKey must not contain whitespace/],
    },
    { name: "name of the wrong type", args: { name: 42 }, api: "never", message: [/name must be a string/] },
    { name: "empty name", args: { name: "  " }, api: "never", message: [/name must not be empty/] },
    {
        name: "tags of the wrong type",
        args: { tags: "a,b" },
        api: "never",
        message: [/tags must be an array of strings/],
    },
    {
        name: "a tag of the wrong type",
        args: { tags: [tag, 7] },
        api: "never",
        message: [/tags\[1\] must be a string/],
    },
    {
        name: "a tag with the provider's reserved prefix",
        args: { tags: [tag, "pulumi-marker:mine"] },
        api: "never",
        message: [/tags\[1\].*reserved/],
    },
    {
        name: "events enabled without a callback URL",
        args: { events: { enabled: true } },
        api: "never",
        message: [/events\.callbackUrl is required when events are enabled/],
    },
    {
        name: "a non-HTTPS callback URL",
        args: { events: { enabled: true, callbackUrl: "http://hooks.example.com/freshdesk" } },
        api: "never",
        message: [/events\.callbackUrl "http:\/\/hooks\.example\.com" uses http/],
    },
    {
        name: "a malformed callback URL",
        args: { events: { enabled: true, callbackUrl: "hooks example com" } },
        api: "never",
        message: [/events\.callbackUrl is not a valid URL/],
    },
    {
        name: "a polling interval of 0",
        args: { events: { enabled: true, callbackUrl: "https://hooks.example.com/fd", pollingIntervalMinutes: 0 } },
        api: "never",
        message: [/events\.pollingIntervalMinutes must be a positive whole number of minutes, got 0/],
    },
    {
        name: "a negative polling interval",
        args: { events: { enabled: true, callbackUrl: "https://hooks.example.com/fd", pollingIntervalMinutes: -5 } },
        api: "never",
        message: [/events\.pollingIntervalMinutes must be a positive whole number of minutes, got -5/],
    },
    {
        name: "a fractional polling interval",
        args: { events: { enabled: true, callbackUrl: "https://hooks.example.com/fd", pollingIntervalMinutes: 1.5 } },
        api: "never",
        message: [/events\.pollingIntervalMinutes must be a positive whole number of minutes, got 1\.5/],
    },
    {
        name: "filterResponseNulls of the wrong type",
        args: { filterResponseNulls: "yes" },
        api: "never",
        message: [/filterResponseNulls must be a boolean/],
    },
    {
        name: "a non-numeric adoptInstanceId",
        args: { adoptInstanceId: "abc" },
        api: "never",
        message: [/adoptInstanceId must be a positive integer instance id/],
    },
    {
        name: "missing user secret",
        config: { "cloudelements:userSecret": null },
        api: "never",
        message: [/cloudelements:userSecret/, /CLOUD_ELEMENTS_USER_SECRET/],
    },
    {
        name: "missing organization secret",
        config: { "cloudelements:organizationSecret": null },
        api: "never",
        message: [/cloudelements:organizationSecret/, /CLOUD_ELEMENTS_ORGANIZATION_SECRET/],
    },
    {
        name: "malformed base URL",
        config: { "cloudelements:baseUrl": "not a url" },
        api: "never",
        message: [/baseUrl is not a valid URL/, /cloudelements:baseUrl/, /CLOUD_ELEMENTS_BASE_URL/],
    },
    {
        name: "plain-http base URL of a remote host",
        config: { "cloudelements:baseUrl": "http://api.cloud-elements.com/elements/api-v2" },
        api: "never",
        message: [/plain http is only allowed for loopback hosts/, /cloudelements:baseUrl/],
    },
    {
        // Any https host is accepted; a path other than /elements/api-v2 is not (and is not echoed).
        name: "base URL with an unexpected path",
        config: { "cloudelements:baseUrl": "https://api.example.com/v1/elements" },
        api: "never",
        message: [/https:\/\/api\.example\.com: unexpected path \(not shown\)/, /cloudelements:baseUrl/],
    },
    {
        // A refused connection never sent the POST: the message says so and names the setting.
        name: "unreachable base URL",
        config: { "cloudelements:baseUrl": "http://127.0.0.1:9/elements/api-v2" },
        api: "never",
        message: [/POST \/instances failed: no response \(ECONNREFUSED\)/, /cloudelements:baseUrl/],
    },
    {
        name: "wrong user secret (401)",
        config: { "cloudelements:userSecret": wrongUserSecret },
        api: "refused",
        message: [/HTTP 401/, /cloudelements:userSecret/, /CLOUD_ELEMENTS_USER_SECRET/],
    },
    {
        name: "an API key the Freshdesk check rejects",
        args: { apiKey: "__invalid__" },
        api: "refused",
        message: [/POST \/instances failed: HTTP 400/, /apiKey/],
    },
    {
        name: "an instance of an unknown element in the answer",
        fault: {
            kind: "respond",
            method: "POST",
            path: "^/instances$",
            status: 200,
            body: otherElementInstance,
            count: 0,
        },
        api: "refused",
        message: [/salesforce/, /freshdeskv2/],
    },
    {
        name: "a malformed JSON answer",
        fault: {
            kind: "respond",
            method: "POST",
            path: "^/instances$",
            status: 200,
            body: '{"id": 5, "name": ',
            count: 0,
        },
        api: "refused",
        message: [/POST \/instances answered HTTP 200 with malformed JSON/],
    },
];

beforeAll(async () => {
    dir = ctx.trackDir(workProgram(fixture, "rel-inputs", "symlink"));
    stack = await programStack({ backend: ctx.backend, workDir: dir, stackName });
    await stack.setAllConfig(ctx.connectionConfig({ maxRetries }));
});

function secrets(): Record<string, string> {
    return { ...ctx.knownSecrets(), wrongUserSecret };
}

for (const c of cases) {
    test(c.name, async () => {
        const row = summary.row("bad input");
        row.cases++;
        row.badInputsTried++;
        const t0 = Date.now();
        const [account] = ctx.accounts.freshdesk;
        const invalidKey = c.args?.apiKey === "__invalid__";
        const args = { ...validArgs(), ...c.args };
        if (invalidKey) {
            delete args.apiKey;
        }
        const apiKey = invalidKey ? ctx.accounts.invalidApiKey : account.apiKeys[0];
        if (apiKey !== apiKeyInConfig) {
            await stack.setConfig("reliability-inputs:apiKey", { value: apiKey, secret: true });
            apiKeyInConfig = apiKey;
        }
        const original: ConfigMap = ctx.connectionConfig({ maxRetries });
        const mark = await ctx.log.mark();
        let output: string;
        try {
            for (const [key, value] of Object.entries(c.config ?? {})) {
                if (value === null) {
                    await stack.removeConfig(key);
                } else {
                    await stack.setConfig(key, { value, secret: key.endsWith("Secret") });
                }
            }
            if (c.fault) {
                await ctx.control.addFault(c.fault);
            }
            // The case's arguments are set by the `up` itself (`--config` saves them to the stack's config first).
            const up = await cli(ctx, dir, [
                "up",
                "--yes",
                "--skip-preview",
                "--stack",
                stackName,
                "--config",
                `reliability-inputs:args=${JSON.stringify(args)}`,
            ]);
            output = `${up.stdout}\n${up.stderr}`;
            transcript.add(`inputs: ${c.name}`, output);
            expect(up.code).not.toBe(0);
        } finally {
            await ctx.control.clearFaults();
            for (const key of Object.keys(c.config ?? {})) {
                await stack.setConfig(key, original[key]);
            }
        }
        // A clear error that names the field.
        for (const pattern of c.message) {
            expect(output).toMatch(pattern);
        }
        // Nothing created.
        const requests = await ctx.log.since(mark);
        const posts = requests.filter((e) => e.method === "POST" && routeOf(e) === "/instances");
        if (c.api === "never") {
            expect(posts).toEqual([]);
        } else {
            expect(posts.length).toBeGreaterThan(0);
        }
        expect((await ctx.control.instances()).filter((i) => i.tags.includes(tag))).toEqual([]);
        // A partial create the engine recorded (an answer it could not use) must not stay behind as a resource
        // with no instance: destroy clears it, as a user would.
        let exported = await exportState(stack, ctx.backend, transcript, `inputs: ${c.name}: export`);
        const recorded = (await reconcile(ctx.control, exported, tag)).stateIds;
        if (recorded.length > 0) {
            process.stdout.write(
                `[reliability] ${c.name}: the engine recorded resource id(s) ${recorded.join(", ")}\n`,
            );
            const destroy = await attempt((io) => runStackCommand(stack, "destroy", io));
            transcript.add(`inputs: ${c.name}: destroy`, destroy.output);
            expect(destroy.ok).toBe(true);
            exported = await exportState(stack, ctx.backend, transcript, `inputs: ${c.name}: export`);
        }
        const rec = await reconcile(ctx.control, exported, tag);
        row.orphaned += rec.orphans.length;
        row.duplicated += rec.duplicates;
        expect(rec.stateIds).toEqual([]);
        // No secret in what the CLI printed.
        const leaks = findSecrets(output, secrets());
        row.secretsFound += leaks.length;
        expect(leaks).toEqual([]);
        row.badInputsRejected++;
        row.seconds += (Date.now() - t0) / 1000;
    });
}

test("summary: every bad input rejected cleanly, nothing created, no secret in any output", async () => {
    await captureEmulatorLogs(ctx, transcript);
    const leaks = transcript.findSecrets(secrets());
    const row = summary.row("bad input");
    row.secretsFound = leaks.length;
    summary.publish();
    expect(leaks).toEqual([]);
    expect(row.badInputsTried).toBeGreaterThanOrEqual(20);
    expect(row.badInputsRejected).toBe(row.badInputsTried);
    expect(row.orphaned).toBe(0);
    expect(row.duplicated).toBe(0);
});
