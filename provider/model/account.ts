/**
 * The `account` input of the TypeScript resources: a resource's own Cloud Elements connection (a second account, a
 * sandbox organization), over stack config and environment variables. Checked here for shape only; the connection
 * itself is resolved and validated at call time like stack config (`api/connection.ts`).
 */
import { type Fail, typeName } from "./failures";
import { unknownValue } from "./instance";

/** The account settings a resource may carry, and the type each takes. */
export const accountFields = {
    baseUrl: "string",
    userSecret: "string",
    organizationSecret: "string",
    allowInsecureHttp: "boolean",
    timeoutMs: "integer",
    maxRetries: "integer",
    operationTimeoutMs: "integer",
} as const;

/** The account fields whose values are secrets. */
export const accountSecretFields: readonly string[] = ["userSecret", "organizationSecret"];

/** The account as given, without absent fields; a failure per field of the wrong type (never echoing a value). */
export function checkAccount(account: unknown, fail: Fail): unknown {
    if (account === undefined || account === null) {
        return undefined;
    }
    if (account === unknownValue) {
        return account;
    }
    if (typeof account !== "object" || Array.isArray(account)) {
        fail(
            "account",
            `account must be an object ({${Object.keys(accountFields).join(", ")}}), got ${typeName(account)}`,
        );
        return account;
    }
    const result: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(account as Record<string, unknown>)) {
        if (value === undefined || value === null) {
            continue;
        }
        result[field] = value;
        const expected = accountFields[field as keyof typeof accountFields];
        if (expected === undefined) {
            fail(
                `account.${field}`,
                `account.${field} is not a known field: expected one of ${Object.keys(accountFields).join(", ")}`,
            );
        } else if (value !== unknownValue && !hasType(value, expected)) {
            fail(`account.${field}`, `account.${field} must be ${describe(expected)}, got ${typeName(value)}`);
        }
    }
    return result;
}

function hasType(value: unknown, expected: "string" | "boolean" | "integer"): boolean {
    if (expected === "integer") {
        return (
            (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) ||
            (typeof value === "string" && /^\d+$/.test(value.trim()))
        );
    }
    return typeof value === expected && (expected !== "string" || (value as string).trim() !== "");
}

function describe(expected: "string" | "boolean" | "integer"): string {
    return expected === "integer"
        ? "a whole number (or a numeric string)"
        : expected === "string"
          ? "a non-empty string"
          : "a boolean";
}
