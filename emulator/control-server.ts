/**
 * The server side of the control API (`/__emulator/*`): who may use it, its routes and what they do. The typed
 * client that calls these routes is `EmulatorControl` in control-client.ts.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AccountDirectory, AccountsError, parseAccounts } from "./accounts";
import { toEmulatedInstance } from "./api/render";
import type { EmulatorState } from "./emulator-state";
import { settingsProblem } from "./emulator-state";
import { FaultValidationError } from "./faults";
import { readBody, sendJson } from "./http";
import { isLoopbackHost } from "./loopback";
import type { EmulatorHealth, EmulatorSettings, ResetOptions } from "./types";

/** @internal Where the control API lives. */
export const controlPrefix = "/__emulator";
const maxControlBodyBytes = 1024 * 1024;

/**
 * Who may use the control API (`/__emulator/*`), which can read and change every instance and arm faults:
 * - `"token"` when a control token is set (on any host): requests need `Authorization: Bearer <token>`;
 * - `"open"` on a loopback host without a token: only this machine can reach it (tests, local development);
 * - `"off"` on any other host without a token: a listener on a network interface must not hand its state to
 *   whoever can reach it, so the control API answers 403 to every request.
 */
export function controlApiAccess(host: string, controlToken: string | undefined): "open" | "token" | "off" {
    if (controlToken !== undefined) {
        return "token";
    }
    return isLoopbackHost(host) ? "open" : "off";
}

/** Constant-time comparison of an `Authorization` header with `Bearer <token>`. */
function bearerMatches(header: string | undefined, token: string): boolean {
    const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
    return timingSafeEqual(digest(header?.trim() ?? ""), digest(`Bearer ${token}`));
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

function controlJson(body: Buffer, required: boolean): unknown {
    if (body.length === 0) {
        if (required) {
            throw new ControlError(400, "a JSON body is required");
        }
        return undefined;
    }
    try {
        return JSON.parse(body.toString("utf8"));
    } catch {
        throw new ControlError(400, "malformed JSON body");
    }
}

/** @internal The control API of one emulator. */
export class ControlApi {
    private readonly routes: Record<string, Record<string, ControlHandler>>;

    constructor(
        private readonly state: EmulatorState,
        private readonly access: "open" | "token" | "off",
        private readonly token: string | undefined,
    ) {
        const faults = state.faults;
        this.routes = {
            "/health": { GET: () => this.health() },
            "/instances": { GET: () => [...state.store.values()].map(toEmulatedInstance) },
            "/settings": { GET: () => ({ ...state.settings }), PUT: (body) => this.changeSettings(body) },
            "/requests": { GET: () => [...state.requestLog].sort((a, b) => a.seq - b.seq) },
            "/reset": { POST: (body) => this.reset(body) },
            "/faults": {
                GET: () => faults.list(),
                POST: (body) => ({ id: faults.add(controlJson(body, true)) }),
                DELETE: () => {
                    faults.clear();
                    return {};
                },
            },
            "/fault-log": { GET: () => faults.log() },
            "/accounts": {
                PUT: (body) => {
                    state.accounts = new AccountDirectory(parseAccounts(controlJson(body, true)));
                    return {};
                },
            },
        };
    }

    /** Answers one control request; `path` is the part after {@link controlPrefix}. */
    async handle(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
        const { body, tooLarge } = await readBody(req, maxControlBodyBytes);
        try {
            this.checkAccess(req, res);
            if (tooLarge) {
                throw new ControlError(413, "control request body too large");
            }
            const handlers = this.handlers(path);
            const handler = handlers[method];
            if (!handler) {
                res.setHeader("Allow", Object.keys(handlers).join(", "));
                throw new ControlError(405, `method ${method} not allowed on ${controlPrefix}${path}`);
            }
            sendJson(res, 200, await handler(body));
        } catch (error) {
            if (error instanceof ControlError) {
                sendJson(res, error.status, { message: error.message });
            } else if (error instanceof FaultValidationError || error instanceof AccountsError) {
                sendJson(res, 400, { message: error.message });
            } else {
                throw error;
            }
        }
    }

    private checkAccess(req: IncomingMessage, res: ServerResponse): void {
        if (this.access === "off") {
            throw new ControlError(
                403,
                "the control API is off: this emulator listens on a non-loopback address without a control " +
                    "token (start it with --control-token, or on 127.0.0.1)",
            );
        }
        if (this.access === "token" && !bearerMatches(req.headers.authorization, this.token ?? "")) {
            res.setHeader("WWW-Authenticate", 'Bearer realm="cloud-elements-emulator"');
            throw new ControlError(401, "the control API needs Authorization: Bearer <control token>");
        }
    }

    /** The handlers of a path by method: a fixed route, or one with an id in it; 404 when none. */
    private handlers(path: string): Record<string, ControlHandler> {
        const fixed = this.routes[path];
        if (fixed) {
            return fixed;
        }
        if (/^\/faults\/[^/]+$/.test(path)) {
            const faultId = decodeURIComponent(path.slice("/faults/".length));
            return { DELETE: () => this.removeFault(faultId) };
        }
        const inUse = /^\/instances\/([^/]+)\/in-use$/.exec(path);
        if (inUse) {
            const id = inUse[1];
            return { PUT: () => this.setInUse(id, true), DELETE: () => this.setInUse(id, false) };
        }
        throw new ControlError(404, `unknown control route ${controlPrefix}${path}`);
    }

    private async setInUse(idText: string, inUse: boolean): Promise<unknown> {
        const store = this.state.store;
        const instance = /^\d{1,15}$/.test(idText) ? store.get(Number(idText)) : undefined;
        if (!instance) {
            throw new ControlError(404, `no instance with id ${idText}`);
        }
        store.put({ ...instance, inUse });
        await store.commit();
        return toEmulatedInstance({ ...instance, inUse });
    }

    private changeSettings(body: Buffer): EmulatorSettings {
        const settings = this.state.settings;
        const value = controlJson(body, true);
        if (!value || typeof value !== "object" || Array.isArray(value)) {
            throw new ControlError(
                400,
                "settings must be an object like {maskUsername?, validateCredentials?, emptyTagSearch?}",
            );
        }
        const known = Object.keys(settings);
        const unknown = Object.keys(value).filter((key) => !known.includes(key));
        if (unknown.length > 0) {
            throw new ControlError(400, `unknown setting ${unknown.join(", ")}`);
        }
        const next = { ...settings, ...(value as Partial<EmulatorSettings>) };
        const problem = settingsProblem(next);
        if (problem) {
            throw new ControlError(400, problem);
        }
        Object.assign(settings, next);
        return { ...settings };
    }

    private removeFault(id: string): unknown {
        if (!this.state.faults.remove(id)) {
            throw new ControlError(404, `no fault with id ${id}`);
        }
        return {};
    }

    private async reset(body: Buffer): Promise<unknown> {
        const value = controlJson(body, false) as ResetOptions | undefined;
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
        const state = this.state;
        if (all || value?.settings) {
            Object.assign(state.settings, state.initialSettings);
        }
        if (all || value?.faults) {
            state.faults.clear();
        }
        if (all || value?.requests) {
            state.requestLog = [];
            state.faults.clearLog();
        }
        if (all || value?.instances) {
            state.store.clear();
            await state.store.commit();
        }
        return {};
    }

    private health(): EmulatorHealth {
        const state = this.state;
        return {
            status: "ok",
            instances: state.store.size,
            faults: state.faults.size,
            requestsServed: state.served,
            inFlight: state.inFlight,
            uptimeSeconds: Math.round((Date.now() - state.startedAt) / 1000),
        };
    }
}
