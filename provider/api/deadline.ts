/**
 * The deadline of one provider operation (`cloudelements:operationTimeoutMs`). `customTimeouts` does not reach
 * dynamic providers, and without a bound one create could take attempts × timeout × lookups × Retry-After (tens of
 * minutes). Every request's timeout, every retry, backoff, Retry-After wait and lookup stays inside it.
 */
import { CloudElementsError } from "./errors";
import { settingNames } from "./settings";

/** The shortest time worth starting another request or wait for: below it the operation gives up. */
export const minimumAttemptMs = 50;

/** A point in time after which an operation starts nothing new. */
export class Deadline {
    /** When the operation started (ms since the epoch). */
    readonly startedAt: number;

    /**
     * @param budgetMs
     *  The operation's time budget (`operationTimeoutMs`).
     * @param now
     *  The clock (tests).
     */
    constructor(
        readonly budgetMs: number,
        private readonly now: () => number = Date.now,
    ) {
        this.startedAt = now();
    }

    /** Milliseconds left (0 when passed). */
    remainingMs(): number {
        return Math.max(0, this.startedAt + this.budgetMs - this.now());
    }

    /** Whether waiting `waitMs` still leaves time for one more request. */
    allows(waitMs = 0): boolean {
        return this.remainingMs() - waitMs >= minimumAttemptMs;
    }

    /** The timeout of the next request: the per-request timeout, or less when the deadline is nearer. */
    requestTimeout(timeoutMs: number, afterWaitMs = 0): number {
        return Math.max(1, Math.min(timeoutMs, this.remainingMs() - afterWaitMs));
    }

    /** Names the setting and its value, for messages: `cloudelements:operationTimeoutMs (... = 300000 ms)`. */
    describe(): string {
        return `the operation deadline (${settingNames("operationTimeoutMs")} = ${this.budgetMs} ms)`;
    }

    /** The error for "`what` cannot start: the deadline has passed". */
    exceeded(what: string): CloudElementsError {
        return new CloudElementsError("http", `${what}: stopped by ${this.describe()}; raise it or try again.`);
    }
}
