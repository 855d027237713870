import type { AccountDirectory, Identity } from "./accounts";
import type { InstanceStore, StoredInstance } from "./store";

/** The parts of a Cloud Elements `Authorization` header. */
export interface AuthorizationParts {
    user?: string;
    organization?: string;
    element?: string;
}

/**
 * Parses `User <secret>, Organization <secret>[, Element <token>]`: split on commas, then on the first run of
 * whitespace; kinds are case-insensitive, extra whitespace is tolerated, unknown kinds are ignored.
 */
export function parseAuthorization(header: string | undefined): AuthorizationParts {
    const parts: AuthorizationParts = {};
    if (!header) {
        return parts;
    }
    for (const piece of header.split(",")) {
        const trimmed = piece.trim();
        const match = /^(\S+)\s+(.+)$/.exec(trimmed);
        if (!match) {
            continue;
        }
        const kind = match[1].toLowerCase();
        const value = match[2].trim();
        if (kind === "user" || kind === "organization" || kind === "element") {
            parts[kind] = value;
        }
    }
    return parts;
}

/** @internal An authenticated caller. */
export interface Caller {
    identity: Identity;
    /** The instance picked by the `Element` token, when the header carries a valid one for this caller. */
    tokenInstance?: StoredInstance;
    /** The header carried an `Element` part (valid or not). */
    sentElementToken: boolean;
}

/**
 * @internal Authenticates a request. `User` + `Organization` must be a known pair; `User` + `Element` (no
 * organization, as hub calls do) is accepted when the token's instance belongs to that user. Returns undefined
 * for 401.
 */
export function authenticate(
    header: string | undefined,
    accounts: AccountDirectory,
    store: InstanceStore,
): Caller | undefined {
    const parts = parseAuthorization(header);
    if (!parts.user) {
        return undefined;
    }
    const tokenInstance = parts.element !== undefined ? store.getByToken(parts.element) : undefined;
    let identity: Identity | undefined;
    if (parts.organization !== undefined) {
        identity = accounts.authenticate(parts.user, parts.organization);
    } else if (tokenInstance) {
        identity = accounts.userOfOrganization(tokenInstance.organizationSecretFingerprint, parts.user);
    }
    if (!identity) {
        return undefined;
    }
    const owned = tokenInstance && store.ownerOf(tokenInstance) === identity.ownerKey ? tokenInstance : undefined;
    if (parts.organization === undefined && !owned) {
        return undefined;
    }
    return { identity, tokenInstance: owned, sentElementToken: parts.element !== undefined };
}
