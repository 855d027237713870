/** What a running emulator holds besides its instances, shared by the instance API server and the control API. */
import { AccountDirectory, type AccountsConfig } from "./accounts";
import { FaultRegistry } from "./faults";
import type { InstanceStore } from "./store";
import type { EmulatorSettings, RequestLogEntry } from "./types";

/** @internal What is wrong with settings from options or the control API, naming the field; undefined when valid. */
export function settingsProblem(settings: EmulatorSettings): string | undefined {
    if (typeof settings.maskUsername !== "boolean") {
        return "maskUsername must be a boolean";
    }
    if (typeof settings.validateCredentials !== "boolean") {
        return "validateCredentials must be a boolean";
    }
    if (settings.emptyTagSearch !== "404" && settings.emptyTagSearch !== "[]") {
        return 'emptyTagSearch must be "404" or "[]"';
    }
    return undefined;
}

/** @internal The mutable state of one emulator. */
export class EmulatorState {
    /** Replaced as a whole by `PUT /__emulator/accounts`. */
    accounts: AccountDirectory;
    readonly faults = new FaultRegistry();
    requestLog: RequestLogEntry[] = [];
    /** The last request log sequence number handed out. */
    seq = 0;
    served = 0;
    inFlight = 0;
    readonly startedAt = Date.now();
    /** The live settings: the instance API reads this very object on every request. */
    readonly settings: EmulatorSettings;
    /** The settings given at start, which a reset restores. */
    readonly initialSettings: Readonly<EmulatorSettings>;

    constructor(
        readonly store: InstanceStore,
        accounts: AccountsConfig,
        settings: EmulatorSettings,
    ) {
        this.accounts = new AccountDirectory(accounts);
        this.settings = settings;
        this.initialSettings = Object.freeze({ ...settings });
    }
}
