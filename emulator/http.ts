/** HTTP plumbing shared by the instance API and the control API: reading bodies and writing JSON answers. */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Outcome } from "./api/types";

/** @internal The content type of every JSON answer, as the platform spells it. */
export const jsonContentType = "application/json;charset=UTF-8";

/** @internal The client closed the connection before its request was read. */
export class ClientGone extends Error {}

/** @internal Reads the body; beyond `limit` it keeps draining (so the answer reaches the client) but keeps nothing. */
export function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; tooLarge: boolean }> {
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
            if (!ended) {
                reject(new ClientGone());
            }
        });
    });
}

/** @internal The path and the query string (without `?`) of a request URL. */
export function splitUrl(url: string): { path: string; search: string } {
    const q = url.indexOf("?");
    return q < 0 ? { path: url, search: "" } : { path: url.slice(0, q), search: url.slice(q + 1) };
}

/** @internal Answers with `json` (no body when undefined), unless the response is already over. */
export function sendJson(res: ServerResponse, status: number, json: unknown, headers: OutgoingHttpHeaders = {}): void {
    if (res.destroyed || res.writableEnded) {
        return;
    }
    const payload = json === undefined ? "" : JSON.stringify(json);
    res.writeHead(status, {
        ...headers,
        ...(payload ? { "Content-Type": jsonContentType } : {}),
        "Content-Length": Buffer.byteLength(payload),
    });
    res.end(payload);
}

/** @internal Answers with an instance API outcome: its raw body as is, or its JSON. */
export function sendOutcome(res: ServerResponse, outcome: Outcome): void {
    if (res.destroyed || res.writableEnded) {
        return;
    }
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
