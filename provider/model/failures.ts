/** How a check reports a problem: one failure per property, naming the value's type, never echoing a secret. */

/** A validation failure, as `check` returns it. */
export interface CheckFailure {
    readonly property: string;
    readonly reason: string;
}

/** Records one failure of `check`. */
export type Fail = (property: string, reason: string) => void;

/** The type of a value, for messages ("a number", "an array", "null"). */
export function typeName(value: unknown): string {
    if (value === null) {
        return "null";
    }
    return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
