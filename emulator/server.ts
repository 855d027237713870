import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { AccountDirectory, type AccountsConfig, AccountsError, devAccounts, parseAccounts } from "./accounts";
import { errorOutcome, InstanceApi, type Outcome, toEmulatedInstance } from "./api";
import { EmulatorControl } from "./control";
import { secretKeys } from "./element";
import { FaultRegistry, FaultValidationError } from "./faults";
import { InstanceStore } from "./store";
import type { EmulatorHealth, EmulatorSettings, RequestLogEntry, ResetOptions } from "./types";

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
    /**
     * Interface to listen on. Default `127.0.0.1`. Off loopback (e.g. `0.0.0.0` in a CI service container) the control
     * API is off unless {@link EmulatorOptions.controlToken} is set: see {@link controlApiAccess}.
     */
    host?: string;
    /**
     * When set, every control request (`/__emulator/*`) must carry `Authorization: Bearer <controlToken>` (401
     * otherwise), on any host. Required to use the control API off loopback.
     */
    controlToken?: string;
    /** Port; default 0 (an ephemeral port, see {@link RunningEmulator.port}). */
    port?: number;
    /** Organizations, users and Freshdesk credentials; default {@link devAccounts}. */
    accounts?: AccountsConfig;
    /**
     * Persist instances to this JSON file (mode 0600: it holds tokens and API keys). Every mutation is written
     * atomically (temp file in the same folder, fsync, rename) before it is answered; the file is loaded at start.
     */
    statePath?: string;
    /**
     * Default false: `configuration.username` (the Freshdesk API key) comes back in clear, as the reference says it
     * may (section 12). True returns `"********"`. See {@link EmulatorSettings.maskUsername}.
     */
    maskUsername?: boolean;
    /** Default true: create, and updates changing `subdomain`/`username`, check the key against the accounts. */
    validateFreshdeskCredentials?: boolean;
    /** Default `"404"`: what a `tags[]`-only search without a match answers. See {@link EmulatorSettings.emptyTagSearch}. */
    emptyTagSearch?: EmulatorSettings["emptyTagSearch"];
    /** Access log sink: one line per API request (method, path, status, duration). Never receives secrets. */
    log?: (line: string) => void;
}

/** A started emulator. */
export interface RunningEmulator {
    /** e.g. `http://127.0.0.1:38211` */
    origin: string;
    /** `origin + "/elements/api-v2"`: what a Cloud Elements client takes as its base URL. */
    baseUrl: string;
    port: number;
    /** Control client bound to this emulator (it sends the control token when one is set). */
    control: EmulatorControl;
    /**
     * Every element token this emulator issued since start, deleted instances' included (in-process only: the control
     * API shows fingerprints), so that a test can search its output for every token of the run.
     */
    issuedTokens(): readonly string[];
    /** Closes the server and every open socket (idle keep-alive ones too); waits for pending state writes. */
    close(): Promise<void>;
}

const apiPrefix = "/elements/api-v2";
const controlPrefix = "/__emulator";
/** The platform's payload limit (reference section 7, answered with 429 there). */
const maxBodyBytes = 8 * 1024 * 1024;
const maxControlBodyBytes = 1024 * 1024;
const requestLogLimit = 10_000;
const loggedBodyLimit = 16 * 1024;
const jsonContentType = "application/json;charset=UTF-8";

const requestIdMiddle = randomBytes(5).toString("hex");
let requestIdCounter = randomBytes(3).readUIntBE(0, 3);

/** A 24-hex-character id shaped like a MongoDB ObjectId (seconds, random, counter), as the platform's. */
function newRequestId(): string {
    requestIdCounter = (requestIdCounter + 1) & 0xffffff;
    return (
        Math.floor(Date.now() / 1000)
            .toString(16)
            .padStart(8, "0") +
        requestIdMiddle +
        requestIdCounter.toString(16).padStart(6, "0")
    );
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
    const h = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
    return h === "localhost" || h === "::1" || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Who may use the control API (`/__emulator/*`), which can read and change every instance and arm faults:
 * - `"token"` when a control token is set (on any host): requests need `Authorization: Bearer <token>`;
 * - `"open"` on a loopback host without a token: only this machine can reach it (tests, local development);
 * - `"off"` on any other host without a token: a listener on a network interface must not hand its state to
 *   whoever can reach it, so the control API answers 403 to every request.
 */
export function controlApiAccess(host: string, controlToken: string | undefined): "open" | "token" | "off" {
    if (controlToken !== undefined) return "token";
    return isLoopbackHost(host) ? "open" : "off";
}

/** Constant-time comparison of an `Authorization` header with `Bearer <token>`. */
function bearerMatches(header: string | undefined, token: string): boolean {
    const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
    return timingSafeEqual(digest(header?.trim() ?? ""), digest(`Bearer ${token}`));
}

class ClientGone extends Error {}

/** Reads the body; beyond `limit` it keeps draining (so the answer reaches the client) but keeps nothing. */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        let ended = false;
        req.on("data", (chunk: Buffer) => {
            size += chunk.length;
            if (size > limit) {
                tooLarge = true;
                chunks.length = 0;
            } else if (!tooLarge) {
                chunks.push(chunk);
            }
        });
        req.on("end", () => {
            ended = true;
            resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge });
        });
        req.on("error", () => reject(new ClientGone()));
        req.on("close", () => {
            if (!ended) reject(new ClientGone());
        });
    });
}

const secretField =
    /^(token|authorization|providerdata)$|password|secret|signature\.key|api[._-]?key|(access|refresh)[._-]?token/i;
const redacted = "[redacted]";

/** A deep copy of a request body with every secret replaced (see `RequestLogEntry.body`). */
function redact(value: unknown, inConfiguration = false): unknown {
    if (Array.isArray(value)) return value.map((item) => redact(item));
    if (!value || typeof value !== "object") return value;
    const source = value as Record<string, unknown>;
    const entryKey = typeof source.key === "string" ? source.key : undefined;
    const secretEntry = entryKey !== undefined && (secretKeys.has(entryKey) || secretField.test(entryKey));
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(source)) {
        const secret =
            secretField.test(key) ||
            (inConfiguration && secretKeys.has(key)) ||
            (secretEntry && key === "propertyValue");
        copy[key] = secret ? redacted : redact(child, key === "configuration");
    }
    return copy;
}

function loggableBody(raw: Buffer, tooLarge: boolean): unknown {
    if (tooLarge) return `[omitted: over ${maxBodyBytes} bytes]`;
    if (raw.length === 0) return undefined;
    if (raw.length > loggedBodyLimit) return `[omitted: ${raw.length} bytes]`;
    try {
        return redact(JSON.parse(raw.toString("utf8")));
    } catch {
        // Not JSON: it could hold anything, secrets included, so it is not logged.
        return undefined;
    }
}

/**
 * Query parameters as an object; a repeated parameter, or one named `x[]`, becomes an array. A parameter named like
 * a secret (`token`, `apiKey`, ...) is redacted: no platform route takes one, but a careless client might send it.
 */
function queryObject(params: URLSearchParams): Record<string, string | string[]> {
    const query: Record<string, string | string[]> = {};
    for (const [key, raw] of params) {
        const value = secretField.test(key) ? redacted : raw;
        const previous = query[key];
        if (previous === undefined) query[key] = key.endsWith("[]") ? [value] : value;
        else if (Array.isArray(previous)) previous.push(value);
        else query[key] = [previous, value];
    }
    return query;
}

function splitUrl(url: string): { path: string; search: string } {
    const q = url.indexOf("?");
    return q < 0 ? { path: url, search: "" } : { path: url.slice(0, q), search: url.slice(q + 1) };
}

function sendJson(res: ServerResponse, status: number, json: unknown, headers: OutgoingHttpHeaders = {}): void {
    if (res.destroyed || res.writableEnded) return;
    const payload = json === undefined ? "" : JSON.stringify(json);
    res.writeHead(status, {
        ...headers,
        ...(payload ? { "Content-Type": jsonContentType } : {}),
        "Content-Length": Buffer.byteLength(payload),
    });
    res.end(payload);
}

class ControlError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

type ControlHandler = (body: Buffer) => unknown | Promise<unknown>;

/** What {@link Emulator} knows about an API request once it is logged as arrived. */
interface ApiCall {
    method: string;
    path: string;
    query: URLSearchParams;
    requestId: string;
    entry: RequestLogEntry;
    /** Fault kinds applied so far (for the log). */
    kinds: string[];
    /** Records the final status (0 = no answer); only the first call counts. */
    finish(status: number): void;
}

const defaultHost = "127.0.0.1";

/** What is wrong with settings from options or the control API, naming the field; undefined when valid. */
function settingsProblem(settings: EmulatorSettings): string | undefined {
    if (typeof settings.maskUsername !== "boolean") return "maskUsername must be a boolean";
    if (typeof settings.validateCredentials !== "boolean") return "validateCredentials must be a boolean";
    if (settings.emptyTagSearch !== "404" && settings.emptyTagSearch !== "[]") {
        return 'emptyTagSearch must be "404" or "[]"';
    }
    return undefined;
}

/** Holds the state of one emulator and handles its requests. */
class Emulator {
    private accounts: AccountDirectory;
    private readonly faults = new FaultRegistry();
    private requestLog: RequestLogEntry[] = [];
    private seq = 0;
    private served = 0;
    private inFlight = 0;
    private readonly settings: EmulatorSettings;
    /** The settings given at start, which a reset restores. */
    private readonly initialSettings: Readonly<EmulatorSettings>;
    private readonly controlAccess: "open" | "token" | "off";
    private readonly startedAt = Date.now();
    private readonly closing = new AbortController();
    private readonly api: InstanceApi;
    private readonly controlRoutes: Record<string, Record<string, ControlHandler>>;

    constructor(
        private readonly store: InstanceStore,
        accounts: AccountsConfig,
        private readonly options: EmulatorOptions,
    ) {
        this.accounts = new AccountDirectory(accounts);
        this.settings = {
            maskUsername: options.maskUsername ?? false,
            validateCredentials: options.validateFreshdeskCredentials ?? true,
            emptyTagSearch: options.emptyTagSearch ?? "404",
        };
        const problem = settingsProblem(this.settings);
        if (problem) throw new TypeError(`startEmulator: ${problem}`);
        this.initialSettings = Object.freeze({ ...this.settings });
        this.controlAccess = controlApiAccess(options.host ?? defaultHost, options.controlToken);
        this.api = new InstanceApi(store, () => this.accounts, this.settings);
        this.api.completeStoredInstances();
        this.controlRoutes = {
            "/health": { GET: () => this.health() },
            "/instances": { GET: () => [...this.store.values()].map(toEmulatedInstance) },
            "/settings": {
                GET: () => ({ ...this.settings }),
                PUT: (body) => this.changeSettings(body),
            },
            "/requests": { GET: () => [...this.requestLog].sort((a, b) => a.seq - b.seq) },
            "/reset": { POST: (body) => this.reset(body) },
            "/faults": {
                GET: () => this.faults.list(),
                POST: (body) => ({ id: this.faults.add(this.controlJson(body, true)) }),
                DELETE: () => {
                    this.faults.clear();
                    return {};
                },
            },
            "/fault-log": { GET: () => this.faults.log() },
            "/accounts": {
                PUT: (body) => {
                    this.accounts = new AccountDirectory(parseAccounts(this.controlJson(body, true)));
                    return {};
                },
            },
        };
    }

    /** The `http.Server` request listener. */
    readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
        this.process(req, res).catch((error: unknown) => {
            if (error instanceof ClientGone) return;
            this.options.log?.(`internal error: ${(error as Error)?.message ?? error}`);
            sendJson(res, 500, { message: "Internal emulator error" });
        });
    };

    /** Stops delays and latencies so that close() does not wait for them. */
    shutdown(): void {
        this.closing.abort();
    }

    private async pause(ms: number): Promise<void> {
        if (ms > 0) await sleep(ms, undefined, { signal: this.closing.signal }).catch(() => {});
    }

    private async process(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const startedAt = new Date();
        const t0 = performance.now();
        const method = (req.method ?? "GET").toUpperCase();
        const { path, search } = splitUrl(req.url ?? "/");
        if (path === controlPrefix || path.startsWith(`${controlPrefix}/`)) {
            await this.control(req, res, method, path.slice(controlPrefix.length));
            return;
        }
        const requestId = newRequestId();
        res.setHeader("Elements-Request-Id", requestId);
        const query = new URLSearchParams(search);
        const entry: RequestLogEntry = {
            seq: ++this.seq,
            method,
            path,
            query: queryObject(query),
            status: 0,
            startedAt: startedAt.toISOString(),
            durationMs: 0,
        };
        const userAgent = req.headers["user-agent"];
        if (userAgent) entry.userAgent = userAgent;
        const kinds: string[] = [];
        this.inFlight++;
        let finished = false;
        const finish = (status: number) => {
            if (finished) return;
            finished = true;
            this.inFlight--;
            entry.status = status;
            entry.durationMs = Math.round((performance.now() - t0) * 100) / 100;
            if (kinds.length > 0) entry.fault = kinds.join(",");
            this.record(entry);
        };

        try {
            await this.serve(req, res, { method, path, query, requestId, entry, kinds, finish });
        } finally {
            // An unexpected error: the request still leaves the in-flight count (handle() answers 500).
            finish(0);
        }
    }

    /** The life of one API request after it is logged as arrived: body, faults, processing, answer. */
    private async serve(req: IncomingMessage, res: ServerResponse, r: ApiCall): Promise<void> {
        const { method, path, query, requestId, entry, kinds, finish } = r;
        let raw: Buffer;
        let tooLarge: boolean;
        try {
            ({ body: raw, tooLarge } = await readBody(req, maxBodyBytes));
        } catch {
            finish(0);
            return;
        }
        const body = loggableBody(raw, tooLarge);
        if (body !== undefined) entry.body = body;

        const apiPath =
            path === apiPrefix || path.startsWith(`${apiPrefix}/`) ? path.slice(apiPrefix.length) || "/" : undefined;
        const verdict = this.faults.evaluate(method, apiPath ?? path);
        kinds.push(...verdict.kinds);
        await this.pause(verdict.latencyMs);
        if (this.closing.signal.aborted) {
            req.socket.destroy();
            finish(0);
            return;
        }

        const action = verdict.action;
        let outcome: Outcome;
        if (verdict.rateLimited) {
            outcome = errorOutcome(requestId, 429, "Too many requests: rate limit exceeded", undefined, {
                "Retry-After": "1",
            });
        } else if (action?.kind === "reset") {
            req.socket.destroy();
            finish(0);
            return;
        } else if (action?.kind === "status") {
            outcome = errorOutcome(
                requestId,
                action.status,
                {
                    429: "Too many requests: rate limit exceeded",
                    500: "Internal server error",
                    502: "Bad gateway: the provider did not answer",
                    503: "Service temporarily unavailable",
                }[action.status],
                undefined,
                action.status === 429 ? { "Retry-After": String(action.retryAfterSeconds ?? 1) } : undefined,
            );
        } else if (action?.kind === "respond") {
            outcome = {
                status: action.status,
                raw: action.body,
                contentType: action.contentType ?? jsonContentType,
                headers: action.headers,
            };
        } else if (tooLarge) {
            outcome = errorOutcome(requestId, 429, `Request payload exceeds the limit of ${maxBodyBytes} bytes`);
        } else {
            if (action?.kind === "delay" && action.commit === "after") {
                // Processed only once the delay is over, whether or not the client is still there.
                await this.pause(action.delayMs);
                if (this.closing.signal.aborted) {
                    req.socket.destroy();
                    finish(0);
                    return;
                }
            }
            try {
                outcome = await this.api.dispatch({
                    method,
                    path,
                    apiPath,
                    query,
                    headers: req.headers,
                    rawBody: raw,
                    requestId,
                });
            } catch (error) {
                // e.g. the state file could not be written: the change stays in memory only.
                this.options.log?.(`internal error on ${method} ${path}: ${(error as Error)?.message ?? error}`);
                outcome = errorOutcome(requestId, 500, "Internal emulator error");
            }
        }

        if (action?.kind === "commit-then-drop") {
            req.socket.destroy();
            finish(0);
            return;
        }
        if (action?.kind === "delay" && action.commit !== "after") await this.pause(action.delayMs);
        this.send(res, outcome);
        finish(res.destroyed && !res.writableFinished ? 0 : outcome.status);
    }

    private send(res: ServerResponse, outcome: Outcome): void {
        if (res.destroyed || res.writableEnded) return;
        if (outcome.raw !== undefined) {
            res.writeHead(outcome.status, {
                ...outcome.headers,
                "Content-Type": outcome.contentType ?? jsonContentType,
                "Content-Length": Buffer.byteLength(outcome.raw),
            });
            res.end(outcome.raw);
            return;
        }
        sendJson(res, outcome.status, outcome.json, outcome.headers);
    }

    private record(entry: RequestLogEntry): void {
        this.served++;
        this.requestLog.push(entry);
        if (this.requestLog.length > requestLogLimit * 1.1) {
            this.requestLog = this.requestLog.slice(this.requestLog.length - requestLogLimit);
        }
        if (this.options.log) {
            const fault = entry.fault ? ` fault=${entry.fault}` : "";
            this.options.log(`${entry.method} ${entry.path} ${entry.status} ${Math.round(entry.durationMs)}ms${fault}`);
        }
    }

    // --- control API ---------------------------------------------------------------------------------

    private async control(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
        const { body, tooLarge } = await readBody(req, maxControlBodyBytes);
        try {
            if (this.controlAccess === "off") {
                throw new ControlError(
                    403,
                    "the control API is off: this emulator listens on a non-loopback address without a control " +
                        "token (start it with --control-token, or on 127.0.0.1)",
                );
            }
            if (
                this.controlAccess === "token" &&
                !bearerMatches(req.headers.authorization, this.options.controlToken ?? "")
            ) {
                res.setHeader("WWW-Authenticate", 'Bearer realm="cloud-elements-emulator"');
                throw new ControlError(401, "the control API needs Authorization: Bearer <control token>");
            }
            if (tooLarge) throw new ControlError(413, "control request body too large");
            let handlers = this.controlRoutes[path];
            if (!handlers && /^\/faults\/[^/]+$/.test(path)) {
                const faultId = decodeURIComponent(path.slice("/faults/".length));
                handlers = { DELETE: () => this.removeFault(faultId) };
            }
            const inUse = /^\/instances\/([^/]+)\/in-use$/.exec(path);
            if (!handlers && inUse) {
                const id = inUse[1];
                handlers = { PUT: () => this.setInUse(id, true), DELETE: () => this.setInUse(id, false) };
            }
            if (!handlers) throw new ControlError(404, `unknown control route ${controlPrefix}${path}`);
            const handler = handlers[method];
            if (!handler) {
                res.setHeader("Allow", Object.keys(handlers).join(", "));
                throw new ControlError(405, `method ${method} not allowed on ${controlPrefix}${path}`);
            }
            sendJson(res, 200, await handler(body));
        } catch (error) {
            if (error instanceof ControlError) sendJson(res, error.status, { message: error.message });
            else if (error instanceof FaultValidationError || error instanceof AccountsError) {
                sendJson(res, 400, { message: error.message });
            } else throw error;
        }
    }

    private controlJson(body: Buffer, required: boolean): unknown {
        if (body.length === 0) {
            if (required) throw new ControlError(400, "a JSON body is required");
            return undefined;
        }
        try {
            return JSON.parse(body.toString("utf8"));
        } catch {
            throw new ControlError(400, "malformed JSON body");
        }
    }

    private async setInUse(idText: string, inUse: boolean): Promise<unknown> {
        const instance = /^\d{1,15}$/.test(idText) ? this.store.get(Number(idText)) : undefined;
        if (!instance) throw new ControlError(404, `no instance with id ${idText}`);
        this.store.put({ ...instance, inUse });
        await this.store.commit();
        return toEmulatedInstance({ ...instance, inUse });
    }

    private changeSettings(body: Buffer): EmulatorSettings {
        const value = this.controlJson(body, true);
        if (!value || typeof value !== "object" || Array.isArray(value)) {
            throw new ControlError(
                400,
                "settings must be an object like {maskUsername?, validateCredentials?, emptyTagSearch?}",
            );
        }
        const known = Object.keys(this.settings);
        const unknown = Object.keys(value).filter((key) => !known.includes(key));
        if (unknown.length > 0) throw new ControlError(400, `unknown setting ${unknown.join(", ")}`);
        const next = { ...this.settings, ...(value as Partial<EmulatorSettings>) };
        const problem = settingsProblem(next);
        if (problem) throw new ControlError(400, problem);
        Object.assign(this.settings, next);
        return { ...this.settings };
    }

    private removeFault(id: string): unknown {
        if (!this.faults.remove(id)) throw new ControlError(404, `no fault with id ${id}`);
        return {};
    }

    private async reset(body: Buffer): Promise<unknown> {
        const value = this.controlJson(body, false) as ResetOptions | undefined;
        if (value !== undefined && (!value || typeof value !== "object" || Array.isArray(value))) {
            throw new ControlError(
                400,
                "reset body must be an object like {instances?, requests?, faults?, settings?}",
            );
        }
        const all =
            !value ||
            (value.instances === undefined &&
                value.requests === undefined &&
                value.faults === undefined &&
                value.settings === undefined);
        if (all || value?.settings) Object.assign(this.settings, this.initialSettings);
        if (all || value?.faults) this.faults.clear();
        if (all || value?.requests) {
            this.requestLog = [];
            this.faults.clearLog();
        }
        if (all || value?.instances) {
            this.store.clear();
            await this.store.commit();
        }
        return {};
    }

    private health(): EmulatorHealth {
        return {
            status: "ok",
            instances: this.store.size,
            faults: this.faults.size,
            requestsServed: this.served,
            inFlight: this.inFlight,
            uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
        };
    }
}

/** The host part of a URL for a listening address; wildcard addresses are reached through loopback. */
function urlHost(host: string): string {
    if (host === "0.0.0.0" || host === "") return "127.0.0.1";
    if (host === "::" || host === "[::]") return "[::1]";
    return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/**
 * Starts an emulator of the Cloud Elements `/elements/api-v2` instance API (element `freshdeskv2`) and its
 * control API (`/__emulator/*`). Resolves once it listens.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
    if (options.controlToken !== undefined && options.controlToken.trim() === "") {
        throw new Error("controlToken must not be empty");
    }
    const accounts = parseAccounts(options.accounts ?? devAccounts);
    const store = await InstanceStore.open(options.statePath);
    const emulator = new Emulator(store, accounts, options);
    const server = createServer({ noDelay: true }, emulator.handle);
    // Longer than typical client agents keep idle sockets, so a reused socket is not closed under a request.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    const host = options.host ?? defaultHost;
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, host, () => {
            server.off("error", reject);
            resolve();
        });
    });
    const port = (server.address() as AddressInfo).port;
    const origin = `http://${urlHost(host)}:${port}`;
    let closing: Promise<void> | undefined;
    return {
        origin,
        baseUrl: `${origin}${apiPrefix}`,
        port,
        control: new EmulatorControl(origin, { token: options.controlToken }),
        issuedTokens: () => store.issuedTokens(),
        close() {
            closing ??= (async () => {
                emulator.shutdown();
                await new Promise<void>((resolve) => {
                    server.close(() => resolve());
                    server.closeAllConnections();
                });
                await store.idle();
            })();
            return closing;
        },
    };
}
