/**
 * The emulator's HTTP server: it starts and stops the listener, logs every instance API request, applies the armed
 * faults and hands the request to the instance API (api/routes.ts) or the control API (control-server.ts).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { type AccountsConfig, devAccounts, parseAccounts } from "./accounts";
import { errorOutcome } from "./api/render";
import { InstanceApi } from "./api/routes";
import type { Outcome } from "./api/types";
import { EmulatorControl } from "./control-client";
import { ControlApi, controlApiAccess, controlPrefix } from "./control-server";
import { EmulatorState, settingsProblem } from "./emulator-state";
import type { FaultVerdict } from "./faults";
import { ClientGone, jsonContentType, readBody, sendJson, sendOutcome, splitUrl } from "./http";
import { loggableBody, newRequestId, queryObject } from "./request-log";
import { InstanceStore } from "./store";
import type { EmulatorSettings, RequestLogEntry } from "./types";

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
    /** Organizations, users and the credentials the check accepts; default {@link devAccounts}. */
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
    /**
     * Default true: create, and updates changing a key the check reads (Freshdesk's `subdomain`/`username`), check
     * the credentials against the accounts, for every element. See {@link EmulatorSettings.validateCredentials}.
     */
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
/** The platform's payload limit (reference section 7, answered with 429 there). */
const maxBodyBytes = 8 * 1024 * 1024;
const requestLogLimit = 10_000;
const defaultHost = "127.0.0.1";

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

const faultMessages = {
    429: "Too many requests: rate limit exceeded",
    500: "Internal server error",
    502: "Bad gateway: the provider did not answer",
    503: "Service temporarily unavailable",
};

/**
 * The answer an armed fault gives instead of the API: an outcome, `"drop"` to close the socket unanswered, or
 * undefined when the API processes the request.
 */
function faultOutcome(verdict: FaultVerdict, requestId: string): Outcome | "drop" | undefined {
    const action = verdict.action;
    if (verdict.rateLimited) {
        return errorOutcome(requestId, 429, faultMessages[429], undefined, { "Retry-After": "1" });
    }
    if (action?.kind === "reset") {
        return "drop";
    }
    if (action?.kind === "status") {
        const headers = action.status === 429 ? { "Retry-After": String(action.retryAfterSeconds ?? 1) } : undefined;
        return errorOutcome(requestId, action.status, faultMessages[action.status], undefined, headers);
    }
    if (action?.kind === "respond") {
        return {
            status: action.status,
            raw: action.body,
            contentType: action.contentType ?? jsonContentType,
            headers: action.headers,
        };
    }
    return undefined;
}

/** The settings given at start, checked. */
function initialSettings(options: EmulatorOptions): EmulatorSettings {
    const settings = {
        maskUsername: options.maskUsername ?? false,
        validateCredentials: options.validateFreshdeskCredentials ?? true,
        emptyTagSearch: options.emptyTagSearch ?? "404",
    };
    const problem = settingsProblem(settings);
    if (problem) {
        throw new TypeError(`startEmulator: ${problem}`);
    }
    return settings;
}

/** Holds the state of one emulator and handles its requests. */
class Emulator {
    private readonly state: EmulatorState;
    private readonly closing = new AbortController();
    private readonly api: InstanceApi;
    private readonly control: ControlApi;

    constructor(
        store: InstanceStore,
        accounts: AccountsConfig,
        private readonly options: EmulatorOptions,
    ) {
        const state = new EmulatorState(store, accounts, initialSettings(options));
        this.state = state;
        const access = controlApiAccess(options.host ?? defaultHost, options.controlToken);
        this.api = new InstanceApi(store, () => state.accounts, state.settings);
        this.api.completeStoredInstances();
        this.control = new ControlApi(state, access, options.controlToken);
    }

    /** The `http.Server` request listener. */
    readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
        this.process(req, res).catch((error: unknown) => {
            if (error instanceof ClientGone) {
                return;
            }
            this.options.log?.(`internal error: ${(error as Error)?.message ?? error}`);
            sendJson(res, 500, { message: "Internal emulator error" });
        });
    };

    /** Stops delays and latencies so that close() does not wait for them. */
    shutdown(): void {
        this.closing.abort();
    }

    private async pause(ms: number): Promise<void> {
        if (ms > 0) {
            await sleep(ms, undefined, { signal: this.closing.signal }).catch(() => {});
        }
    }

    private async process(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const method = (req.method ?? "GET").toUpperCase();
        const { path, search } = splitUrl(req.url ?? "/");
        if (path === controlPrefix || path.startsWith(`${controlPrefix}/`)) {
            await this.control.handle(req, res, method, path.slice(controlPrefix.length));
            return;
        }
        const requestId = newRequestId();
        res.setHeader("Elements-Request-Id", requestId);
        const query = new URLSearchParams(search);
        const call = this.arrive(req, method, path, query, requestId);
        try {
            await this.serve(req, res, call);
        } finally {
            // An unexpected error: the request still leaves the in-flight count (handle() answers 500).
            call.finish(0);
        }
    }

    /** Logs an API request as arrived and counts it in flight until its `finish`. */
    private arrive(
        req: IncomingMessage,
        method: string,
        path: string,
        query: URLSearchParams,
        requestId: string,
    ): ApiCall {
        const t0 = performance.now();
        const state = this.state;
        const entry: RequestLogEntry = {
            seq: ++state.seq,
            method,
            path,
            query: queryObject(query),
            status: 0,
            startedAt: new Date().toISOString(),
            durationMs: 0,
        };
        const userAgent = req.headers["user-agent"];
        if (userAgent) {
            entry.userAgent = userAgent;
        }
        const kinds: string[] = [];
        state.inFlight++;
        let finished = false;
        const finish = (status: number) => {
            if (finished) {
                return;
            }
            finished = true;
            state.inFlight--;
            entry.status = status;
            entry.durationMs = Math.round((performance.now() - t0) * 100) / 100;
            if (kinds.length > 0) {
                entry.fault = kinds.join(",");
            }
            this.record(entry);
        };
        return { method, path, query, requestId, entry, kinds, finish };
    }

    /** The life of one API request after it is logged as arrived: body, faults, processing, answer. */
    private async serve(req: IncomingMessage, res: ServerResponse, r: ApiCall): Promise<void> {
        const { method, path, entry, kinds, finish } = r;
        const drop = () => {
            req.socket.destroy();
            finish(0);
        };
        let raw: Buffer;
        let tooLarge: boolean;
        try {
            ({ body: raw, tooLarge } = await readBody(req, maxBodyBytes));
        } catch {
            finish(0);
            return;
        }
        const body = loggableBody(raw, tooLarge, maxBodyBytes);
        if (body !== undefined) {
            entry.body = body;
        }
        const apiPath =
            path === apiPrefix || path.startsWith(`${apiPrefix}/`) ? path.slice(apiPrefix.length) || "/" : undefined;
        const verdict = this.state.faults.evaluate(method, apiPath ?? path);
        kinds.push(...verdict.kinds);
        await this.pause(verdict.latencyMs);
        if (this.closing.signal.aborted) {
            drop();
            return;
        }
        const outcome = await this.answer(req, r, verdict, { raw, tooLarge, apiPath });
        const action = verdict.action;
        if (outcome === "drop" || action?.kind === "commit-then-drop") {
            drop();
            return;
        }
        if (action?.kind === "delay" && action.commit !== "after") {
            await this.pause(action.delayMs);
        }
        sendOutcome(res, outcome);
        finish(res.destroyed && !res.writableFinished ? 0 : outcome.status);
    }

    /** What to answer: the fault's outcome, the payload limit's, or the instance API's; `"drop"` for no answer. */
    private async answer(
        req: IncomingMessage,
        r: ApiCall,
        verdict: FaultVerdict,
        read: { raw: Buffer; tooLarge: boolean; apiPath: string | undefined },
    ): Promise<Outcome | "drop"> {
        const { method, path, query, requestId } = r;
        const faulted = faultOutcome(verdict, requestId);
        if (faulted !== undefined) {
            return faulted;
        }
        if (read.tooLarge) {
            return errorOutcome(requestId, 429, `Request payload exceeds the limit of ${maxBodyBytes} bytes`);
        }
        const action = verdict.action;
        if (action?.kind === "delay" && action.commit === "after") {
            // Processed only once the delay is over, whether or not the client is still there.
            await this.pause(action.delayMs);
            if (this.closing.signal.aborted) {
                return "drop";
            }
        }
        const apiRequest = { method, path, apiPath: read.apiPath, query, headers: req.headers, rawBody: read.raw };
        try {
            return await this.api.dispatch({ ...apiRequest, requestId });
        } catch (error) {
            // e.g. the state file could not be written: the change stays in memory only.
            this.options.log?.(`internal error on ${method} ${path}: ${(error as Error)?.message ?? error}`);
            return errorOutcome(requestId, 500, "Internal emulator error");
        }
    }

    private record(entry: RequestLogEntry): void {
        const state = this.state;
        state.served++;
        state.requestLog.push(entry);
        if (state.requestLog.length > requestLogLimit * 1.1) {
            state.requestLog = state.requestLog.slice(state.requestLog.length - requestLogLimit);
        }
        if (this.options.log) {
            const fault = entry.fault ? ` fault=${entry.fault}` : "";
            this.options.log(`${entry.method} ${entry.path} ${entry.status} ${Math.round(entry.durationMs)}ms${fault}`);
        }
    }
}

/** The host part of a URL for a listening address; wildcard addresses are reached through loopback. */
function urlHost(host: string): string {
    if (host === "0.0.0.0" || host === "") {
        return "127.0.0.1";
    }
    if (host === "::" || host === "[::]") {
        return "[::1]";
    }
    return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/**
 * Starts an emulator of the Cloud Elements `/elements/api-v2` instance API and element metadata (a catalogue of
 * elements, docs/emulator.md) and its control API (`/__emulator/*`). Resolves once it listens.
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
