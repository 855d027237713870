import { createHash } from "node:crypto";

/**
 * A non-reversible short identifier of a secret: the first 16 hex characters of its SHA-256. The control API
 * returns fingerprints instead of secrets; tests compute the same value to compare.
 */
export function fingerprint(value: string): string {
    return createHash("sha256").update(value, "utf8").digest("hex").slice(0, 16);
}
