/**
 * The shapes the instance API passes around: the request as it arrives from the server, the answer it gives back,
 * and what every handler gets to work with.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { AccountDirectory } from "../accounts";
import type { Caller } from "../auth";
import type { InstanceStore } from "../store";
import type { EmulatorSettings } from "../types";

/** @internal A request as the API sees it (after faults, with the body read). */
export interface ApiRequest {
    method: string;
    /** Full path as received, for messages. */
    path: string;
    /** Path after `/elements/api-v2`, or undefined when the path is outside it. */
    apiPath: string | undefined;
    query: URLSearchParams;
    headers: IncomingHttpHeaders;
    rawBody: Buffer;
    requestId: string;
}

/** @internal What to answer. */
export interface Outcome {
    status: number;
    /** JSON body; no body when both `json` and `raw` are undefined. */
    json?: unknown;
    raw?: string;
    contentType?: string;
    headers?: Record<string, string>;
}

/**
 * @internal Behaviour switches of the API. The object is shared with the server, which may change it at run time
 * (`PUT /__emulator/settings`); handlers read it on every request.
 */
export type ApiSettings = EmulatorSettings;

/** @internal What every handler works with: the instances, the accounts and the live settings. */
export interface ApiDeps {
    store: InstanceStore;
    /** A getter: the control API may replace the accounts at run time. */
    accounts: () => AccountDirectory;
    settings: ApiSettings;
}

/** @internal One authenticated request on its way to a handler. */
export interface Context {
    req: ApiRequest;
    caller: Caller;
    /** The JSON object body (empty for routes without one). */
    body: Record<string, unknown>;
}
