/**
 * Shared building blocks of the engine suites that deploy `FreshdeskInstance` resources through the real Pulumi
 * CLI against the Cloud Elements emulator: one emulator and one backend per test file ({@link startE2E}), the stack
 * config and environment variables that point the provider at the emulator, request-log cursors ({@link RequestLog})
 * and readable summaries of what the provider called, a client of the emulator's public API for out-of-band changes
 * ({@link CloudElementsApi}), secret scanning of state and CLI output ({@link findSecrets}), and program directories
 * wired to this package ({@link workProgram}).
 *
 * Nothing here asserts: helpers return data, tests decide what is expected. The reliability suite builds on the same
 * helpers, so keep them general.
 */

import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import type { Deployment, StateResource } from "../../cli/deployment";
import {
    type EmulatedInstance,
    type EmulatorControl,
    fingerprint,
    type RequestLogEntry,
    startEmulator,
} from "../../emulator";
import { ApiError } from "../../emulator/api/errors";
import { FreshdeskInstance } from "../../provider";
import { packageName } from "../../provider/api/package-info";
import { freshdeskInstanceType } from "../../provider/hosts/dynamic/type-token";
import { type FreshdeskInstanceClass, instanceFromConfig } from "../fixtures/freshdesk/program";
import { call } from "./emulator";
import { type CliResult, cliEnv, createBackend, inlineStack, repoRoot, runPulumi, type TestBackend } from "./pulumi";
import { findSecrets } from "./secret-sweep";

/** Type token of the resource in state (the provider's own constant). */
export const freshdeskType = freshdeskInstanceType;

/** Path prefix of the Cloud Elements platform API. */
export const apiPrefix = "/elements/api-v2";

/** User-Agent of every call a test makes through {@link CloudElementsApi}, so logs can tell them apart. */
export const outOfBandUserAgent = "cef-e2e-tests/out-of-band";

/** One Freshdesk account the emulator accepts: a subdomain and its valid API keys. */
export interface TestFreshdeskAccount {
    readonly subdomain: string;
    readonly apiKeys: readonly string[];
}

/**
 * Credentials of one test file, generated fresh (random, distinctive values) so that finding one of them in state
 * or output is never a coincidence.
 */
export interface TestAccounts {
    readonly organizationSecret: string;
    readonly userSecret: string;
    readonly userEmail: string;
    /**
     * Freshdesk accounts: the first has two valid keys (for rotation), the second one; then one account (one key)
     * per extra subdomain asked for.
     */
    readonly freshdesk: readonly [TestFreshdeskAccount, TestFreshdeskAccount, ...TestFreshdeskAccount[]];
    /** A well-formed API key that no Freshdesk account accepts. */
    readonly invalidApiKey: string;
}

function randomToken(prefix: string, bytes: number): string {
    return `${prefix}${randomBytes(bytes).toString("hex")}`;
}

/**
 * Fresh random credentials; `label` only shapes the generated subdomains, for readable logs. `extraSubdomains` adds
 * Freshdesk accounts with these exact subdomains (e.g. the ones an example's stack config names).
 */
export function makeTestAccounts(label: string, extraSubdomains: readonly string[] = []): TestAccounts {
    const slug = label
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .slice(0, 20);
    const suffix = randomBytes(3).toString("hex");
    return {
        organizationSecret: randomBytes(16).toString("hex"),
        userSecret: randomToken("usr", 16),
        userEmail: `e2e-${suffix}@example.com`,
        freshdesk: [
            { subdomain: `${slug}-a-${suffix}`, apiKeys: [randomToken("fdk", 10), randomToken("fdk", 10)] },
            { subdomain: `${slug}-b-${suffix}`, apiKeys: [randomToken("fdk", 10)] },
            ...extraSubdomains.map((subdomain) => ({ subdomain, apiKeys: [randomToken("fdk", 10)] })),
        ],
        invalidApiKey: randomToken("bad", 10),
    };
}

/** The emulator's accounts document for {@link TestAccounts}. */
export function emulatorAccounts(accounts: TestAccounts) {
    return {
        organizations: [
            {
                organizationSecret: accounts.organizationSecret,
                users: [{ userSecret: accounts.userSecret, email: accounts.userEmail }],
            },
        ],
        freshdesk: accounts.freshdesk.map((a) => ({ subdomain: a.subdomain, apiKeys: [...a.apiKeys] })),
    };
}

/** Options of {@link startE2E}. */
export interface E2EOptions {
    /** Names the backend's temp folder and the generated subdomains. */
    readonly label: string;
    /** Extra Freshdesk subdomains the emulator accepts (see {@link makeTestAccounts}). */
    readonly extraSubdomains?: readonly string[];
    /**
     * The file's program directories are repository fixtures, which `npm test` type-checks with the repository:
     * ts-node only transpiles them on every CLI run (`PULUMI_NODEJS_TRANSPILE_ONLY`). Not for examples run as a
     * user would.
     */
    readonly transpileOnly?: boolean;
    /** Extra emulator options (accounts are always the generated ones). */
    readonly emulator?: {
        readonly maskUsername?: boolean;
        readonly validateFreshdeskCredentials?: boolean;
        /** Receives every line of the emulator's access log (the reliability suites keep it for the secret sweep). */
        readonly log?: (line: string) => void;
    };
}

/** Everything one test file needs: an emulator, a backend, credentials, and ways to point a stack at them. */
export interface E2EContext {
    readonly backend: TestBackend;
    readonly accounts: TestAccounts;
    /** Emulator origin, e.g. `http://127.0.0.1:43123`. */
    readonly origin: string;
    /** The value for `cloudelements:baseUrl` / `CLOUD_ELEMENTS_BASE_URL`. */
    readonly baseUrl: string;
    /** In-process control of the emulator. */
    readonly control: EmulatorControl;
    /** Cursor over the emulator's request log. */
    readonly log: RequestLog;
    /** The emulator's public API, authenticated as the test user (for out-of-band changes). */
    readonly api: CloudElementsApi;
    /** Stack config that points the provider at the emulator, secrets marked secret. */
    connectionConfig(): ConfigMap;
    /** Environment variables that point the provider at the emulator. */
    connectionEnv(): Record<string, string>;
    /**
     * Every secret the tests know, by name: user and organization secret, all Freshdesk API keys (valid and invalid)
     * and every element token the emulator issued so far (`issuedToken[i]`, deleted instances' included).
     */
    knownSecrets(): Record<string, string>;
    /** Reads an instance's element token through the public API (the control API only has fingerprints). */
    tokenOf(instanceId: number | string): Promise<string>;
    /** Environment of a plain CLI run against this backend, with the toolchain's `pulumi` first on PATH. */
    cliEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
    /**
     * Registers an inline program's stack: its workspace folder (a temp folder the Automation API creates, holding
     * `Pulumi.<stack>.yaml`) is deleted by {@link E2EContext.close}. Returns the stack.
     */
    track(stack: Stack): Stack;
    /** Registers a folder the file made (a copied program, a scratch folder) for deletion by `close()`. Returns it. */
    trackDir(dir: string): string;
    /** Stops the emulator, deletes the backend and the tracked folders. */
    close(): Promise<void>;
}

/** Every secret of the test accounts, by a readable name: what secret sweeps search for. */
export function secretsOfAccounts(accounts: TestAccounts): Record<string, string> {
    const secrets: Record<string, string> = {
        userSecret: accounts.userSecret,
        organizationSecret: accounts.organizationSecret,
        invalidApiKey: accounts.invalidApiKey,
    };
    accounts.freshdesk.forEach((account, i) => {
        account.apiKeys.forEach((key, j) => {
            secrets[`apiKey[${i}][${j}]`] = key;
        });
    });
    return secrets;
}

/** The Freshdesk account with this subdomain among the test accounts; throws if there is none. */
export function accountFor(accounts: TestAccounts, subdomain: string): TestFreshdeskAccount {
    const account = accounts.freshdesk.find((a) => a.subdomain === subdomain);
    if (!account) {
        throw new Error(`no test Freshdesk account for subdomain ${subdomain}`);
    }
    return account;
}

/** Starts an emulator with fresh credentials and creates a backend; call `close()` in `afterAll`. */
export async function startE2E(options: E2EOptions): Promise<E2EContext> {
    const accounts = makeTestAccounts(options.label, options.extraSubdomains);
    const emulator = await startEmulator({
        port: 0,
        accounts: emulatorAccounts(accounts),
        validateFreshdeskCredentials: options.emulator?.validateFreshdeskCredentials ?? true,
        ...(options.emulator?.maskUsername !== undefined ? { maskUsername: options.emulator.maskUsername } : {}),
        ...(options.emulator?.log !== undefined ? { log: options.emulator.log } : {}),
    });
    const created = createBackend(options.label);
    const backend: TestBackend = options.transpileOnly
        ? { ...created, env: { ...created.env, PULUMI_NODEJS_TRANSPILE_ONLY: "true" } }
        : created;
    const api = new CloudElementsApi(emulator.baseUrl, accounts.userSecret, accounts.organizationSecret);
    const folders: string[] = [];
    return {
        backend,
        accounts,
        origin: emulator.origin,
        baseUrl: emulator.baseUrl,
        control: emulator.control,
        log: new RequestLog(emulator.control),
        api,
        connectionConfig: () => ({
            "cloudelements:baseUrl": { value: emulator.baseUrl },
            "cloudelements:userSecret": { value: accounts.userSecret, secret: true },
            "cloudelements:organizationSecret": { value: accounts.organizationSecret, secret: true },
        }),
        connectionEnv: () => ({
            CLOUD_ELEMENTS_BASE_URL: emulator.baseUrl,
            CLOUD_ELEMENTS_USER_SECRET: accounts.userSecret,
            CLOUD_ELEMENTS_ORGANIZATION_SECRET: accounts.organizationSecret,
        }),
        knownSecrets: () => ({
            ...secretsOfAccounts(accounts),
            ...Object.fromEntries(emulator.issuedTokens().map((token, i) => [`issuedToken[${i}]`, token])),
        }),
        tokenOf: async (instanceId) => {
            const instance = await api.getInstance(instanceId);
            if (typeof instance.token !== "string") {
                throw new Error(`instance ${instanceId} has no token in GET /instances/{id}`);
            }
            return instance.token;
        },
        cliEnv: (extra = {}) => cliEnv(backend, extra),
        track: (stack) => {
            const dir = stack.workspace.workDir;
            if (path.basename(dir).startsWith("automation-")) {
                folders.push(dir);
            }
            return stack;
        },
        trackDir: (dir) => {
            folders.push(dir);
            return dir;
        },
        close: async () => {
            await emulator.close();
            backend.cleanup();
            for (const dir of folders) {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}

/** Options of {@link useContext}. */
export interface UseContextOptions {
    /** Runs in `afterAll` before the context closes (e.g. killing CLI processes the file started). */
    readonly beforeClose?: () => unknown;
}

/**
 * The one setup of an engine test file: `start()` runs in `beforeAll`, `close()` in `afterAll` (after
 * `beforeClose`). Returns a stand-in that forwards to the started context, so the file declares it once at the top
 * (`const ctx = useE2E(...)`) and its tests and hooks use it directly; reading it before `beforeAll` throws.
 */
export function useContext<T extends { close(): Promise<void> }>(
    start: () => Promise<T>,
    options: UseContextOptions = {},
): T {
    let started: T | undefined;
    beforeAll(async () => {
        started = await start();
    });
    afterAll(async () => {
        try {
            await options.beforeClose?.();
        } finally {
            await started?.close();
        }
    });
    return new Proxy({} as T, {
        get: (_target, key) => {
            if (started === undefined) {
                throw new Error(`the engine test context is read (${String(key)}) before its beforeAll started it`);
            }
            return Reflect.get(started, key);
        },
    });
}

/**
 * {@link startE2E} for the whole test file (emulator, `file://` backend, PULUMI_HOME, credentials, cleanup): see
 * {@link useContext}.
 */
export function useE2E(options: E2EOptions & UseContextOptions): E2EContext {
    return useContext(() => startE2E(options), options);
}

/** The path of a logged request after the `/elements/api-v2` prefix. */
export function routeOf(entry: Pick<RequestLogEntry, "path">): string {
    return entry.path.startsWith(apiPrefix) ? entry.path.slice(apiPrefix.length) || "/" : entry.path;
}

/** The query string of a logged request (`?a=1&tags%5B%5D=x`), or "" without parameters. */
export function queryOf(entry: Pick<RequestLogEntry, "query">): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(entry.query ?? {})) {
        for (const v of Array.isArray(value) ? value : [value]) {
            params.append(key, v);
        }
    }
    const text = params.toString();
    return text ? `?${text}` : "";
}

/**
 * `"POST /instances 200"`-style lines (route after the API prefix, query string included), in arrival order:
 * readable in a failed `toEqual`.
 */
export function describeRequests(entries: readonly RequestLogEntry[]): string[] {
    return [...entries].sort((a, b) => a.seq - b.seq).map((e) => `${e.method} ${routeOf(e)}${queryOf(e)} ${e.status}`);
}

/** Which requests {@link RequestLog.since} returns. */
export type RequestSource = "all" | "provider" | "out-of-band";

/**
 * A cursor over the emulator's request log. `mark()` before a step, `since(mark)` after it: the requests the step
 * caused, in arrival order. The log's `seq` never goes back, even across `control.reset()`.
 */
export class RequestLog {
    constructor(private readonly control: EmulatorControl) {}

    /** Everything logged so far. */
    async all(): Promise<RequestLogEntry[]> {
        const entries = await this.control.requests();
        return [...entries].sort((a, b) => a.seq - b.seq);
    }

    /** The highest `seq` logged so far (0 when empty). */
    async mark(): Promise<number> {
        const entries = await this.control.requests();
        return entries.reduce((max, e) => Math.max(max, e.seq), 0);
    }

    /**
     * Requests logged after `mark`. `source: "provider"` keeps only requests whose User-Agent is this package's,
     * `"out-of-band"` only the ones made through {@link CloudElementsApi}.
     */
    async since(mark: number, source: RequestSource = "all"): Promise<RequestLogEntry[]> {
        const entries = (await this.all()).filter((e) => e.seq > mark);
        switch (source) {
            case "provider":
                return entries.filter((e) => isProviderRequest(e));
            case "out-of-band":
                return entries.filter((e) => e.userAgent === outOfBandUserAgent);
            default:
                return entries;
        }
    }
}

/** Whether a logged request came from this package (its User-Agent is `pulumi-cloudelements-freshdesk/<version>`). */
export function isProviderRequest(entry: Pick<RequestLogEntry, "userAgent">): boolean {
    return (entry.userAgent ?? "").startsWith(`${packageName}/`);
}

/** The package version a provider request announced in its User-Agent, or undefined. */
export function userAgentVersion(entry: Pick<RequestLogEntry, "userAgent">): string | undefined {
    const match = new RegExp(`^${packageName}/(\\S+)`).exec(entry.userAgent ?? "");
    return match?.[1];
}

/** The instance with this id in the emulator, or undefined. */
export async function instanceById(
    control: EmulatorControl,
    id: number | string,
): Promise<EmulatedInstance | undefined> {
    return (await control.instances()).find((i) => String(i.id) === String(id));
}

/** The emulator's instances that carry `tag` (tests tag what each stack creates, to tell stacks apart). */
export async function instancesTagged(control: EmulatorControl, tag: string): Promise<EmulatedInstance[]> {
    return (await control.instances()).filter((i) => i.tags.includes(tag));
}

/**
 * An exported deployment as `stack.exportStack()` (whose SDK type leaves `deployment` untyped) or
 * `pulumi stack export` gives it, with the parts the tests read typed (the `recover` command's types).
 */
export type ExportedState = { deployment: Deployment };

/**
 * Inputs or outputs of a resource in exported state: JSON whose shape the engine decides (a secret is
 * `{[secretSig]: secretMarker, ciphertext | plaintext}`, anything else plain JSON) and that the engine tests' assertions
 * navigate and check field by field.
 */
// biome-ignore lint/suspicious/noExplicitAny: state payloads are arbitrary JSON whose shape is what the engine tests assert
export type StateJson = Record<string, any>;

/** An instance as the API answers it: JSON whose fields the tests assert (see {@link StateJson}). */
export type ApiInstanceJson = StateJson;

/** A `FreshdeskInstance` in exported state: the deployment's typed resource, its inputs and outputs as JSON. */
export interface FreshdeskStateResource extends StateResource {
    id: string;
    inputs: StateJson;
    outputs: StateJson;
}

/**
 * The `FreshdeskInstance` resources of an exported deployment (`stack.exportStack()` or `pulumi stack export`); `type`
 * is the dynamic resource's by default, the plugin's is `cloudelements:index:FreshdeskInstance`.
 */
export function freshdeskResources(exported: ExportedState, type = freshdeskType): FreshdeskStateResource[] {
    return (exported.deployment?.resources ?? []).filter((r) => r.type === type) as FreshdeskStateResource[];
}

/** The one secret sweep of every suite: see `secret-sweep.ts` for the forms it searches. */
export { findSecrets } from "./secret-sweep";

/**
 * The resources of an exported deployment that contain any of the secrets (see {@link findSecrets}), with the names
 * of the secrets each contains. Use on a `--show-secrets` export to see where secrets live, encrypted or not.
 */
export function resourcesContaining(
    exported: ExportedState,
    secrets: Record<string, string>,
): { type: string; urn: string; secrets: string[]; resource: StateResource }[] {
    return (exported.deployment?.resources ?? [])
        .map((r) => ({ type: r.type, urn: r.urn, secrets: findSecrets(JSON.stringify(r), secrets), resource: r }))
        .filter((r: { secrets: string[] }) => r.secrets.length > 0);
}

/** The engine's marker key and value of a secret in state: `{[secretSig]: secretMarker, ciphertext | plaintext}`. */
export const secretSig = "4dabf18193072939515e22adb298388d";
/** See {@link secretSig}. */
export const secretMarker = "1b47061264138c4ac30d75fd1eb44270";

/** Collects everything the CLI prints through `onOutput`, for secret scanning. */
export function outputCollector(): { onOutput: (out: string) => void; text: () => string } {
    const chunks: string[] = [];
    return { onOutput: (out) => chunks.push(out), text: () => chunks.join("") };
}

/** Inline-program stacks come from the base helpers; re-exported so suites import their stack helpers from one place. */
/** `fingerprint()` of the emulator, re-exported so tests compare with the instance fields. */
/** The package's npm name (the provider's own constant), re-exported for the packaging suites. */
export { fingerprint, inlineStack, packageName };

/**
 * The emulator's public Cloud Elements API (`Authorization: User <u>, Organization <o>`), as another tool or a person
 * would use it: for out-of-band changes the provider must notice. Its calls are logged with the User-Agent
 * {@link outOfBandUserAgent}.
 */
export class CloudElementsApi {
    constructor(
        readonly baseUrl: string,
        private readonly userSecret: string,
        private readonly organizationSecret: string,
    ) {}

    /** Sends one request through the tests' raw API caller; throws {@link ApiError} on a non-2xx answer. */
    // biome-ignore lint/suspicious/noExplicitAny: parsed JSON of any route (instance, list, error); the tests assert on its shape, which is what they test
    async request(method: string, route: string, body?: unknown): Promise<any> {
        const reply = await call(this.baseUrl, method, route, {
            body,
            auth: `User ${this.userSecret}, Organization ${this.organizationSecret}`,
            headers: { "user-agent": outOfBandUserAgent, accept: "application/json" },
        });
        // A body that is not JSON is kept as text.
        const parsed: unknown = reply.json ?? (reply.text === "" ? undefined : reply.text);
        if (reply.status < 200 || reply.status > 299) {
            throw new ApiError(reply.status, `${method} ${route} answered ${reply.status}: ${JSON.stringify(parsed)}`);
        }
        return parsed;
    }

    /** `POST /instances` with the documented freshdeskv2 body; returns the instance (with its token). */
    createInstance(args: {
        name: string;
        subdomain: string;
        apiKey: string;
        tags?: string[];
    }): Promise<ApiInstanceJson> {
        return this.request("POST", "/instances", {
            element: { key: "freshdeskv2" },
            name: args.name,
            tags: args.tags ?? [],
            configuration: { subdomain: args.subdomain, username: args.apiKey, "filter.response.nulls": true },
        });
    }

    /** `GET /instances/{id}`. */
    getInstance(id: number | string): Promise<ApiInstanceJson> {
        return this.request("GET", `/instances/${id}`);
    }

    /** `PATCH /instances/{id}`. */
    patchInstance(id: number | string, body: Record<string, unknown>): Promise<ApiInstanceJson> {
        return this.request("PATCH", `/instances/${id}`, body);
    }

    /** `DELETE /instances/{id}`. */
    deleteInstance(id: number | string): Promise<unknown> {
        return this.request("DELETE", `/instances/${id}`);
    }
}

/** How {@link workProgram} provides this package to the program. */
export type PackageLink =
    /** No `node_modules/pulumi-cloudelements-freshdesk`: the program imports the repository's sources. */
    | "none"
    /** A symlink to the repository root (what `npm install` of `file:../..` produces). */
    | "symlink"
    /** A copy of `package.json` and `bin/provider` (a published package); its version can then be changed. */
    | "copy";

/**
 * Copies a program directory (a fixture or an example) to a fresh folder under `tests/.work`, so that module
 * resolution walks up to the repository's `node_modules` (`@pulumi/pulumi`, `typescript`, ...), and provides this
 * package as `link` says. Build (`npm run build`) first: the package is `bin/`.
 */
export function workProgram(sourceDir: string, label: string, link: PackageLink = "none"): string {
    const workRoot = path.join(repoRoot, "tests", ".work");
    fs.mkdirSync(workRoot, { recursive: true });
    const dir = fs.mkdtempSync(path.join(workRoot, `${label}-`));
    fs.cpSync(sourceDir, dir, {
        recursive: true,
        filter: (src) => !/(^|[/\\])(node_modules|bin|package-lock\.json)$/.test(path.relative(sourceDir, src)),
    });
    if (link !== "none") {
        const target = path.join(dir, "node_modules", packageName);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        if (link === "symlink") {
            fs.symlinkSync(repoRoot, target, "dir");
        } else {
            fs.mkdirSync(target);
            fs.copyFileSync(path.join(repoRoot, "package.json"), path.join(target, "package.json"));
            fs.cpSync(path.join(repoRoot, "bin", "provider"), path.join(target, "bin", "provider"), {
                recursive: true,
            });
        }
    }
    return dir;
}

/** Sets `version` in the `package.json` of a copied package (see {@link workProgram} `"copy"`). */
export function setCopiedPackageVersion(programDir: string, version: string): void {
    const file = path.join(programDir, "node_modules", packageName, "package.json");
    const manifest = JSON.parse(fs.readFileSync(file, "utf8"));
    manifest.version = version;
    fs.writeFileSync(file, `${JSON.stringify(manifest, null, 4)}\n`);
}

/** Runs the plain CLI in a program directory with the context's backend; env adds to the backend's environment. */
export function cli(
    ctx: Pick<E2EContext, "backend">,
    cwd: string,
    args: string[],
    env?: Record<string, string>,
): Promise<CliResult> {
    return runPulumi(args, { cwd, backend: ctx.backend, env });
}

/** Sets many config values at once; plain strings are non-secret, objects are JSON-encoded. */
export async function setConfig(
    stack: Stack,
    values: Record<string, string | number | boolean | object | { value: string; secret: boolean }>,
): Promise<void> {
    const config: ConfigMap = {};
    for (const [key, raw] of Object.entries(values)) {
        if (raw !== null && typeof raw === "object" && "secret" in raw && "value" in raw) {
            config[key] = raw as { value: string; secret: boolean };
        } else if (typeof raw === "object") {
            config[key] = { value: JSON.stringify(raw) };
        } else {
            config[key] = { value: String(raw) };
        }
    }
    await stack.setAllConfig(config);
}

/**
 * A stack of the config-driven program (`tests/fixtures/freshdesk/program.ts`) as an inline program, pointed at the
 * emulator (stack config) with the first Freshdesk account's subdomain and API key, plus `config`.
 */
export async function configDrivenStack(
    ctx: Pick<E2EContext, "backend" | "accounts" | "connectionConfig">,
    projectName: string,
    stackName: string,
    config: Record<string, string | number | boolean | object>,
): Promise<Stack> {
    const stack = await inlineStack({
        backend: ctx.backend,
        projectName,
        stackName,
        program: async () => instanceFromConfig(FreshdeskInstance as unknown as FreshdeskInstanceClass),
    });
    const [account] = ctx.accounts.freshdesk;
    await stack.setAllConfig(ctx.connectionConfig());
    await setConfig(stack, {
        subdomain: account.subdomain,
        apiKey: { value: account.apiKeys[0], secret: true },
        ...config,
    });
    return stack;
}
