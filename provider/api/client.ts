/**
 * A small Cloud Elements `/instances` client on axios + axios-retry: transport and response parsing. Which failures
 * are retried, and after how long, is `retry.ts`; POST is retried only on 429, every other POST failure is left to
 * `create.ts`, which must find out whether the instance exists before trying again.
 *
 * Every failure is wrapped into an {@link HttpError} or a {@link CloudElementsError}: axios errors carry the request
 * config, whose `Authorization` header holds the user and organization secrets, and response bodies may hold the
 * instance token. Neither is kept.
 */

import * as http from "node:http";
import * as https from "node:https";
import type { AxiosError, AxiosInstance, AxiosRequestConfig, AxiosResponse } from "axios";
import { type ConnectionSettings, isLoopbackHost } from "./connection";
import { Deadline } from "./deadline";
import { CloudElementsError, type Endpoint, HttpError, isApiNotFound, redact } from "./errors";
import { defaultBackoff, isRetryableRequest, type RetryPolicy, retryDelay } from "./retry";
import { settingNames } from "./settings";
import type { ApiConfigurationItem, ApiInstance } from "./wire";

/**
 * axios and axios-retry, loaded with the first client rather than with this module: check and diff never call the
 * API, and loading axios (about 80 modules) added roughly 100 ms to every `preview` and no-change `up` (measured by
 * the benchmark).
 */
function httpLibraries() {
    const axiosModule: typeof import("axios") = require("axios");
    const retryModule: typeof import("axios-retry") = require("axios-retry");
    return { axios: axiosModule.default, isAxiosError: axiosModule.isAxiosError, axiosRetry: retryModule.default };
}

/** What a request is for, and which extra values must never appear in an error. */
interface CallOptions {
    /** Says what the call is for, prefixed to error messages ("reading instance 12"). */
    readonly summary: string;
    /** Values to redact from error messages besides the connection secrets (API key, token, signature key). */
    readonly secrets?: readonly (string | undefined)[];
    /** Query parameters. */
    readonly params?: Record<string, string>;
    /** JSON body. */
    readonly body?: unknown;
}

/** The part of a client shared by every operation on one connection: the axios instance and its sockets. */
interface Transport {
    readonly http: AxiosInstance;
    readonly httpAgent: http.Agent;
    readonly httpsAgent: https.Agent;
    readonly connectionSecrets: readonly string[];
    readonly timeoutMs: number;
    readonly backoff: Omit<RetryPolicy, "maxRetries">;
    /** Named in messages about requests that got no answer, or no answer from the API itself. */
    readonly endpoint: Endpoint;
}

/** Entries asked for per page of `GET /instances` (the documented maximum page size). */
export const listPageSize = 200;
/** Pages read at most by one listing: a paging loop that does not end is a server fault, not a long list. */
const maxListPages = 1000;

/** Whether a failed list call is the API's documented "empty" answer: a JSON 404 `No <things> found`. */
export function isEmptyListAnswer(err: unknown): boolean {
    return HttpError.isInstance(err) && isApiNotFound(err) && /^No (.*) found$/.test(err.apiMessage ?? "");
}

/**
 * A Cloud Elements platform API client bound to one connection and to the deadline of one provider operation
 * (see {@link withDeadline}): every request's timeout, every retry and every Retry-After wait stays inside it.
 */
export class CloudElementsClient {
    private readonly transport: Transport;
    /** The deadline of the operation this client serves. */
    readonly deadline: Deadline;

    /**
     * @param settings
     *  The resolved connection.
     * @param userAgent
     *  The User-Agent header to send.
     * @param backoff
     *  Backoff parameters (tests shorten them).
     * @param deadline
     *  The operation's deadline; by default `settings.operationTimeoutMs` from now.
     */
    constructor(
        settings: ConnectionSettings,
        userAgent: string,
        backoff: Omit<RetryPolicy, "maxRetries"> = defaultBackoff,
        deadline: Deadline = new Deadline(settings.operationTimeoutMs),
    ) {
        const httpAgent = new http.Agent({ keepAlive: true });
        const httpsAgent = new https.Agent({ keepAlive: true });
        const loopback = isLoopbackHost(new URL(settings.baseUrl).hostname);
        const { axios, axiosRetry } = httpLibraries();
        const instance = axios.create({
            baseURL: settings.baseUrl,
            timeout: settings.timeoutMs,
            headers: {
                Authorization: `User ${settings.userSecret}, Organization ${settings.organizationSecret}`,
                Accept: "application/json",
                "User-Agent": userAgent,
            },
            httpAgent,
            httpsAgent,
            // A redirect would be a misconfigured base URL; following it could send the secrets elsewhere.
            maxRedirects: 0,
            // Parse ourselves, to tell an HTML error page or malformed JSON apart from a real answer.
            responseType: "text",
            transformResponse: [(data: unknown) => data],
            // The emulator runs on loopback; a corporate HTTP(S)_PROXY must not intercept it.
            ...(loopback ? { proxy: false as const } : {}),
        });
        axiosRetry(instance, {
            retries: settings.maxRetries,
            shouldResetTimeout: true,
            retryCondition: isRetryableRequest,
            retryDelay: (retryNumber, error) => retryDelay(retryNumber, error, backoff),
        });
        this.transport = {
            http: instance,
            httpAgent,
            httpsAgent,
            connectionSecrets: [settings.userSecret, settings.organizationSecret],
            timeoutMs: settings.timeoutMs,
            backoff,
            endpoint: { baseUrl: settings.baseUrl, origin: settings.baseUrlOrigin },
        };
        this.deadline = deadline;
    }

    /** This client for another operation: same connection and sockets, the operation's own deadline. */
    withDeadline(deadline: Deadline): CloudElementsClient {
        const view: CloudElementsClient = Object.create(CloudElementsClient.prototype);
        return Object.assign(view, { transport: this.transport, deadline });
    }

    /** Closes idle keep-alive sockets. */
    close(): void {
        this.transport.httpAgent.destroy();
        this.transport.httpsAgent.destroy();
    }

    /** `GET /instances/{id}`. A 404 throws an {@link HttpError} with status 404. */
    async getInstance(id: number | string, secrets: readonly (string | undefined)[] = []): Promise<ApiInstance> {
        const path = `/instances/${encodeURIComponent(String(id))}`;
        const data = await this.call("GET", path, { summary: `reading instance ${id}`, secrets });
        return expectInstance(data, "GET", path);
    }

    /**
     * `GET /instances` (with `tags[]=<tag>` when given), every page: `pageSize`, then `nextPage=<token>` for as long
     * as the answer carries an `Elements-Next-Page-Token`. Both the API's documented empty answers, a JSON 404
     * `No instances found` and `[]`, mean none. Entries are returned as listed: callers verify what they act on.
     */
    async listInstances(tag?: string, secrets: readonly (string | undefined)[] = []): Promise<ApiInstance[]> {
        const path = "/instances";
        const summary = tag === undefined ? "listing instances" : `looking up instances tagged ${tag}`;
        const found: ApiInstance[] = [];
        const tokens = new Set<string>();
        let nextPage: string | undefined;
        for (let page = 1; page <= maxListPages; page++) {
            let response: AxiosResponse<string>;
            try {
                response = await this.send("GET", path, {
                    summary: page === 1 ? summary : `${summary} (page ${page})`,
                    params: {
                        ...(tag === undefined ? {} : { "tags[]": tag }),
                        pageSize: String(listPageSize),
                        ...(nextPage === undefined ? {} : { nextPage }),
                    },
                    secrets,
                });
            } catch (err) {
                if (isEmptyListAnswer(err)) {
                    return found;
                }
                throw err;
            }
            const data = parseBody(response, "GET", path, false);
            if (!Array.isArray(data)) {
                throw new CloudElementsError(
                    "response",
                    `${summary}: Cloud Elements GET ${path} answered with ${describeJson(data)}; expected a JSON array of instances.`,
                );
            }
            found.push(...data.map((item) => expectInstance(item, "GET", path)));
            nextPage = headerString(response.headers["elements-next-page-token"]);
            if (nextPage === undefined || data.length === 0) {
                return found;
            }
            if (tokens.has(nextPage)) {
                throw new CloudElementsError(
                    "response",
                    `${summary}: Cloud Elements GET ${path} answered the same Elements-Next-Page-Token twice; the listing does not end.`,
                );
            }
            tokens.add(nextPage);
        }
        throw new CloudElementsError(
            "response",
            `${summary}: Cloud Elements GET ${path} still had more after ${maxListPages} pages; the listing does not end.`,
        );
    }

    /** `GET /instances?tags[]=<tag>`, every page: see {@link listInstances}. */
    async findInstancesByTag(tag: string, secrets: readonly (string | undefined)[] = []): Promise<ApiInstance[]> {
        return this.listInstances(tag, secrets);
    }

    /**
     * `PUT /instances/{id}`: partial (name and tags replaced, configuration merged). `reAuthenticate` makes the
     * platform re-check the Freshdesk credentials (`?reAuthenticate=true`, documented on PUT only).
     */
    async putInstance(
        id: number | string,
        body: unknown,
        secrets: readonly (string | undefined)[],
        reAuthenticate = false,
    ): Promise<ApiInstance> {
        return this.writeInstance("PUT", id, body, secrets, reAuthenticate ? { reAuthenticate: "true" } : undefined);
    }

    /** `POST /instances`. Not retried except on 429: the caller decides what to do about ambiguous failures. */
    async createInstance(body: unknown, secrets: readonly (string | undefined)[]): Promise<ApiInstance> {
        const data = await this.call("POST", "/instances", { summary: "creating the instance", body, secrets });
        return expectInstance(data, "POST", "/instances");
    }

    /** `PATCH /instances/{id}`: name and tags replaced, configuration merged key by key. */
    async patchInstance(
        id: number | string,
        body: unknown,
        secrets: readonly (string | undefined)[],
    ): Promise<ApiInstance> {
        return this.writeInstance("PATCH", id, body, secrets);
    }

    private async writeInstance(
        method: "PUT" | "PATCH",
        id: number | string,
        body: unknown,
        secrets: readonly (string | undefined)[],
        params?: Record<string, string>,
    ): Promise<ApiInstance> {
        const path = `/instances/${encodeURIComponent(String(id))}`;
        const data = await this.call(method, path, {
            summary: `updating instance ${id}`,
            body,
            secrets,
            ...(params === undefined ? {} : { params }),
        });
        return expectInstance(data, method, path);
    }

    /**
     * `PUT` (enable) or `DELETE` (disable) `/instances/{id}/enabled`: the configuration is kept either way. Answers
     * the instance as it is afterwards (a fresh GET: the enabled routes' answer is not documented).
     */
    async setEnabled(
        id: number | string,
        enabled: boolean,
        secrets: readonly (string | undefined)[],
    ): Promise<ApiInstance> {
        const path = `/instances/${encodeURIComponent(String(id))}/enabled`;
        await this.call(
            enabled ? "PUT" : "DELETE",
            path,
            { summary: `${enabled ? "enabling" : "disabling"} instance ${id}`, secrets },
            true,
        );
        return this.getInstance(id, secrets);
    }

    /** `GET /elements/{keyOrId}`: the element (`configuration` items, `authentication`, `id`, ...). */
    async getElement(elementKey: string): Promise<Record<string, unknown>> {
        const path = `/elements/${encodeURIComponent(elementKey)}`;
        const data = await this.call("GET", path, { summary: `reading the metadata of element ${elementKey}` });
        if (typeof data !== "object" || data === null || Array.isArray(data)) {
            throw new CloudElementsError(
                "response",
                `Cloud Elements GET ${path} answered with ${describeJson(data)}; expected an element object.`,
            );
        }
        return data as Record<string, unknown>;
    }

    /**
     * `GET /elements/{keyOrId}/configuration`: the element's configuration items (`{"configuration": [...]}`; a bare
     * array is accepted too). A 404 throws an {@link HttpError} with status 404 (no such element).
     */
    async getElementConfiguration(elementKey: string): Promise<ApiConfigurationItem[]> {
        const path = `/elements/${encodeURIComponent(elementKey)}/configuration`;
        const data = await this.call("GET", path, {
            summary: `reading the configuration metadata of element ${elementKey}`,
        });
        return expectItems(data, "GET", path);
    }

    /**
     * `GET /elements/{keyOrId}/authentication-types/{type}/configurations`: the items one authentication mode needs.
     * Not every element answers it: a 404 throws an {@link HttpError} with status 404.
     */
    async getAuthenticationTypeConfiguration(elementKey: string, type: string): Promise<ApiConfigurationItem[]> {
        const path = `/elements/${encodeURIComponent(elementKey)}/authentication-types/${encodeURIComponent(type)}/configurations`;
        const data = await this.call("GET", path, {
            summary: `reading what authentication type ${type} of element ${elementKey} needs`,
        });
        return expectItems(data, "GET", path);
    }

    /** `DELETE /instances/{id}`; the API's JSON 404 means it is already gone. */
    async deleteInstance(id: number | string): Promise<void> {
        const path = `/instances/${encodeURIComponent(String(id))}`;
        try {
            await this.call("DELETE", path, { summary: `deleting instance ${id}` }, true);
        } catch (err) {
            if (!(HttpError.isInstance(err) && isApiNotFound(err))) {
                throw err;
            }
        }
    }

    private async call(method: string, path: string, opts: CallOptions, allowEmpty = false): Promise<unknown> {
        return parseBody(await this.send(method, path, opts), method, path, allowEmpty);
    }

    /**
     * One request, retried by axios-retry as `retry.ts` says, inside the deadline: the first attempt's timeout and
     * every retry's are cut to what is left, and a retry whose wait would end past the deadline is not made (the
     * error then says so, naming the setting).
     */
    private async send(method: string, path: string, opts: CallOptions): Promise<AxiosResponse<string>> {
        const { http: client, connectionSecrets, timeoutMs, backoff, endpoint } = this.transport;
        const deadline = this.deadline;
        const secrets = [...connectionSecrets, ...(opts.secrets ?? [])];
        if (!deadline.allows()) {
            throw deadline.exceeded(`${opts.summary}: Cloud Elements ${method} ${path} was not sent`);
        }
        let retries = 0;
        let plannedDelay = 0;
        let stoppedByDeadline = false;
        const timeout = deadline.requestTimeout(timeoutMs);
        try {
            return await client.request<string>({
                method,
                url: path,
                params: opts.params,
                data: opts.body,
                timeout,
                "axios-retry": {
                    retryCondition: (error: AxiosError) => {
                        if (!isRetryableRequest(error)) {
                            return false;
                        }
                        plannedDelay = retryDelay(retries + 1, error, backoff);
                        if (!deadline.allows(plannedDelay)) {
                            stoppedByDeadline = true;
                            return false;
                        }
                        retries++;
                        return true;
                    },
                    retryDelay: () => plannedDelay,
                    onRetry: (_n: number, _error: AxiosError, config: { timeout?: number }) => {
                        config.timeout = deadline.requestTimeout(timeoutMs, plannedDelay);
                    },
                },
            } as AxiosRequestConfig);
        } catch (err) {
            // A timeout cut short by the deadline, or a retry it forbade: say so, naming the setting.
            const cutShort = stoppedByDeadline || (isTimeout(err) && !deadline.allows());
            const summary = cutShort ? `${opts.summary} (no time left: ${deadline.describe()})` : opts.summary;
            throw toHttpError(err, method, path, secrets, summary, endpoint);
        }
    }
}

function isTimeout(err: unknown): boolean {
    const code = (err as { code?: unknown } | undefined)?.code;
    return code === "ECONNABORTED" || code === "ETIMEDOUT";
}

function parseBody(response: AxiosResponse<string>, method: string, path: string, allowEmpty: boolean): unknown {
    const text = typeof response.data === "string" ? response.data : "";
    if (text.trim() === "") {
        if (allowEmpty) {
            return undefined;
        }
        throw new CloudElementsError(
            "response",
            `Cloud Elements ${method} ${path} answered HTTP ${response.status} with an empty body; expected JSON.`,
        );
    }
    if (looksLikeHtml(text, response.headers["content-type"])) {
        throw new CloudElementsError(
            "response",
            `Cloud Elements ${method} ${path} answered HTTP ${response.status} with an HTML page instead of JSON; ` +
                `is ${settingNames("baseUrl")} the API (ending in /elements/api-v2)?`,
        );
    }
    try {
        return JSON.parse(text);
    } catch {
        if (allowEmpty) {
            return undefined;
        }
        // The body is not quoted: a successful answer carries the instance token.
        throw new CloudElementsError(
            "response",
            `Cloud Elements ${method} ${path} answered HTTP ${response.status} with malformed JSON ` +
                `(${text.length} characters); expected a JSON object.`,
        );
    }
}

function looksLikeHtml(text: string, contentType: unknown): boolean {
    return (typeof contentType === "string" && contentType.includes("text/html")) || /^\s*</.test(text);
}

function describeJson(value: unknown): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "a JSON array";
    }
    return typeof value === "object" ? "a JSON object" : `a JSON ${typeof value}`;
}

function expectInstance(data: unknown, method: string, path: string): ApiInstance {
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
        throw new CloudElementsError(
            "response",
            `Cloud Elements ${method} ${path} answered with ${describeJson(data)}; expected an element instance object.`,
        );
    }
    const record = data as Record<string, unknown>;
    const id = typeof record.id === "string" && /^\d+$/.test(record.id) ? Number(record.id) : record.id;
    if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
        throw new CloudElementsError(
            "response",
            `Cloud Elements ${method} ${path} answered with an object without a numeric "id"; expected an element instance.`,
        );
    }
    return { ...(record as object), id } as ApiInstance;
}

/** Configuration items from `{"configuration": [...]}` or a bare array; entries without a string `key` are dropped. */
function expectItems(data: unknown, method: string, path: string): ApiConfigurationItem[] {
    const list = Array.isArray(data)
        ? data
        : typeof data === "object" && data !== null
          ? (data as { configuration?: unknown }).configuration
          : undefined;
    if (!Array.isArray(list)) {
        throw new CloudElementsError(
            "response",
            `Cloud Elements ${method} ${path} answered with ${describeJson(data)}; expected {"configuration": [items]}.`,
        );
    }
    return list.filter(
        (item): item is ApiConfigurationItem =>
            typeof item === "object" && item !== null && typeof (item as { key?: unknown }).key === "string",
    );
}

function headerString(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

function toHttpError(
    err: unknown,
    method: string,
    path: string,
    secrets: readonly (string | undefined)[],
    summary: string,
    endpoint: Endpoint,
): Error {
    if (!httpLibraries().isAxiosError(err)) {
        // Not from the network layer (a bug, or an axios config error): keep only the message, redacted.
        const message = err instanceof Error ? err.message : String(err);
        return new CloudElementsError(
            "http",
            `${summary}: Cloud Elements ${method} ${path} failed: ${redact(message, secrets)}`,
        );
    }
    const response = err.response;
    if (!response) {
        const timedOut = err.code === "ECONNABORTED" || err.code === "ETIMEDOUT";
        const code = timedOut ? `${err.code}: timed out` : (err.code ?? redact(err.message, secrets));
        return new HttpError({ method, path, code, endpoint }, summary);
    }
    const text = typeof response.data === "string" ? response.data : "";
    let apiMessage: string | undefined;
    let providerMessage: string | undefined;
    let requestId = headerString(response.headers["elements-request-id"]);
    let jsonBody = false;
    if (looksLikeHtml(text, response.headers["content-type"])) {
        apiMessage =
            "the server answered with an HTML page instead of a Cloud Elements JSON error; is the base URL right?";
    } else if (text.trim() !== "") {
        try {
            const body = JSON.parse(text);
            if (typeof body === "object" && body !== null && !Array.isArray(body)) {
                jsonBody = true;
                apiMessage = stringField(body.message);
                providerMessage = stringField(body.providerMessage);
                requestId = stringField(body.requestId) ?? requestId;
            }
        } catch {
            // Redact before cutting, so a cut cannot leave part of a secret behind.
            apiMessage = `non-JSON body starting ${JSON.stringify(redact(text, secrets).slice(0, 80))}`;
        }
    }
    return new HttpError(
        {
            method,
            path,
            status: response.status,
            requestId,
            apiMessage: apiMessage === undefined ? undefined : redact(apiMessage, secrets),
            providerMessage: providerMessage === undefined ? undefined : redact(providerMessage, secrets),
            jsonBody,
            endpoint,
        },
        summary,
    );
}

function stringField(value: unknown): string | undefined {
    if (typeof value === "string") {
        return value;
    }
    if (value !== undefined && value !== null) {
        return JSON.stringify(value);
    }
    return undefined;
}
