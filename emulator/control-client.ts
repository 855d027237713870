/**
 * The client side of the control API: `EmulatorControl` calls the `/__emulator/*` routes that control-server.ts
 * serves. It imports types only, so another process can use it without loading the server.
 */
import type { AccountsConfig } from "./accounts";
import type {
    ActiveFault,
    EmulatedInstance,
    EmulatorHealth,
    EmulatorSettings,
    FaultLogEntry,
    FaultSpec,
    RequestLogEntry,
    ResetOptions,
} from "./types";

/** Options of {@link EmulatorControl}. */
export interface EmulatorControlOptions {
    /** The emulator's control token (`--control-token`): sent as `Authorization: Bearer <token>`. */
    token?: string;
}

/** A control request failed; `status` is the HTTP status (0 when the emulator could not be reached). */
export class EmulatorControlError extends Error {
    override name = "EmulatorControlError";

    constructor(
        readonly status: number,
        message: string,
    ) {
        super(message);
    }
}

/**
 * Typed client of the emulator's control API (`/__emulator/*`). It only needs the emulator's origin, so it works
 * from any process (e.g. a test driving a provider that runs under the Pulumi CLI).
 */
export class EmulatorControl {
    /** The emulator's origin, e.g. `http://127.0.0.1:8765`. */
    readonly origin: string;

    private readonly token: string | undefined;

    /**
     * @param origin The emulator's origin; a base URL ending in `/elements/api-v2` is accepted too.
     * @param options `token`: the control token, needed when the emulator was started with one.
     */
    constructor(origin: string, options: EmulatorControlOptions = {}) {
        this.origin = origin.replace(/\/+$/, "").replace(/\/elements\/api-v2$/, "");
        this.token = options.token;
    }

    /** Every instance of every organization, in id order, secrets replaced by fingerprints. */
    instances(): Promise<EmulatedInstance[]> {
        return this.call("GET", "/instances");
    }

    /** The request log (oldest first; the emulator keeps the last 10,000 requests). */
    requests(): Promise<RequestLogEntry[]> {
        return this.call("GET", "/requests");
    }

    /**
     * Marks an instance (of any owner) as in use, so that `DELETE /instances/{id}` answers 409 until
     * {@link EmulatorControl.clearInUse}; answers the instance as {@link EmulatorControl.instances} shows it.
     */
    setInUse(id: number): Promise<EmulatedInstance> {
        return this.call("PUT", `/instances/${encodeURIComponent(String(id))}/in-use`);
    }

    /** Clears the in-use mark of {@link EmulatorControl.setInUse}: the instance can be deleted again. */
    clearInUse(id: number): Promise<EmulatedInstance> {
        return this.call("DELETE", `/instances/${encodeURIComponent(String(id))}/in-use`);
    }

    /** The current behaviour switches. */
    settings(): Promise<EmulatorSettings> {
        return this.call("GET", "/settings");
    }

    /** Changes some behaviour switches (until changed again or a reset); answers all of them. */
    setSettings(settings: Partial<EmulatorSettings>): Promise<EmulatorSettings> {
        return this.call("PUT", "/settings", settings);
    }

    /** Clears instances, the request log and faults and restores the start settings; or only the parts set to true. */
    async reset(what?: ResetOptions): Promise<void> {
        await this.call("POST", "/reset", what);
    }

    /** Arms a fault; the emulator validates it (400 with the reason otherwise). */
    addFault(fault: FaultSpec): Promise<{ id: string }> {
        return this.call("POST", "/faults", fault);
    }

    /** The armed faults, with how many matching requests each still applies to. */
    faults(): Promise<ActiveFault[]> {
        return this.call("GET", "/faults");
    }

    /**
     * Every fault armed since the last reset of the request log, exhausted and disarmed ones included, with how many
     * requests each shaped (`fired`): a fault counts as injected only when it fired.
     */
    faultLog(): Promise<FaultLogEntry[]> {
        return this.call("GET", "/fault-log");
    }

    /** Disarms one fault. */
    async removeFault(id: string): Promise<void> {
        await this.call("DELETE", `/faults/${encodeURIComponent(id)}`);
    }

    /** Disarms every fault. */
    async clearFaults(): Promise<void> {
        await this.call("DELETE", "/faults");
    }

    /** Replaces the accounts (organizations, users and accepted credentials); existing instances are kept. */
    async setAccounts(accounts: AccountsConfig): Promise<void> {
        await this.call("PUT", "/accounts", accounts);
    }

    /** Liveness and counters. */
    health(): Promise<EmulatorHealth> {
        return this.call("GET", "/health");
    }

    private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
        const url = `${this.origin}/__emulator${path}`;
        let response: Response;
        try {
            const headers: Record<string, string> = {};
            if (body !== undefined) {
                headers["content-type"] = "application/json";
            }
            if (this.token !== undefined) {
                headers.authorization = `Bearer ${this.token}`;
            }
            response = await fetch(url, {
                method,
                headers,
                body: body !== undefined ? JSON.stringify(body) : undefined,
            });
        } catch (error) {
            const cause = (error as { cause?: { code?: string } }).cause?.code;
            throw new EmulatorControlError(0, `emulator control ${method} ${url} failed: ${cause ?? error}`);
        }
        const text = await response.text();
        if (!response.ok) {
            let message = text;
            try {
                message = (JSON.parse(text) as { message?: string }).message ?? text;
            } catch {
                // not JSON: keep the text
            }
            throw new EmulatorControlError(
                response.status,
                `emulator control ${method} ${path} answered ${response.status}: ${message}`,
            );
        }
        return (text ? JSON.parse(text) : undefined) as T;
    }
}
