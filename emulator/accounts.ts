import { readFile } from "node:fs/promises";
import { findElement } from "./elements/catalogue";
import { fingerprint } from "./fingerprint";

/** A Cloud Elements user: its user secret authenticates it inside its organization. */
export interface AccountUser {
    userSecret: string;
    email: string;
    firstName?: string;
    lastName?: string;
}

/** A Cloud Elements organization and its users. */
export interface AccountOrganization {
    organizationSecret: string;
    users: AccountUser[];
}

/** A Freshdesk account the emulator's credential check accepts: its subdomain and valid API keys. */
export interface FreshdeskAccount {
    subdomain: string;
    apiKeys: string[];
}

/**
 * One set of credentials an element's fake provider accepts: configuration keys and the exact values they must have
 * (e.g. `{"username": "admin", "password": "s3cret"}`). An instance matches when every listed key has that value.
 */
export type CredentialSet = Record<string, string>;

/**
 * Who may call the emulator (organizations and users) and which credentials its credential check accepts. Load one
 * from a JSON file with {@link loadAccountsFile}.
 */
export interface AccountsConfig {
    organizations: AccountOrganization[];
    /** Freshdesk accounts: the only Freshdesk credentials the check accepts. */
    freshdesk: FreshdeskAccount[];
    /**
     * Other elements, by element key: the credential sets their check accepts. An element not listed here accepts any
     * credentials; one listed with `[]` accepts none. Freshdesk is listed under {@link AccountsConfig.freshdesk}.
     */
    credentials?: Record<string, CredentialSet[]>;
}

function deepFreeze<T>(value: T): T {
    if (value && typeof value === "object") {
        for (const child of Object.values(value)) {
            deepFreeze(child);
        }
        Object.freeze(value);
    }
    return value;
}

/**
 * Built-in development accounts (not secrets; documented in docs/emulator.md). The first organization, its first
 * user and the first Freshdesk account are what `npm start` uses. The object is frozen: copy it to change it.
 */
export const devAccounts: AccountsConfig = deepFreeze({
    organizations: [
        {
            organizationSecret: "dev-organization-secret",
            users: [
                { userSecret: "dev-user-secret", email: "dev@example.com", firstName: "Dev", lastName: "User" },
                {
                    userSecret: "dev-user-secret-2",
                    email: "dev2@example.com",
                    firstName: "Second",
                    lastName: "Developer",
                },
            ],
        },
        {
            organizationSecret: "other-organization-secret",
            users: [
                {
                    userSecret: "other-user-secret",
                    email: "other@example.com",
                    firstName: "Other",
                    lastName: "Tenant",
                },
            ],
        },
    ],
    freshdesk: [
        { subdomain: "acme", apiKeys: ["FRESHDESK_API_KEY", "acmeFreshdeskKey0001"] },
        { subdomain: "globex", apiKeys: ["globexFreshdeskKey01"] },
    ],
});

/** An accounts document is not valid. The message names the offending field, never its value. */
export class AccountsError extends Error {
    override name = "AccountsError";
}

function nonEmptyString(value: unknown, where: string): string {
    if (typeof value !== "string" || value.trim() === "") {
        throw new AccountsError(`${where} must be a non-empty string`);
    }
    return value;
}

function optionalString(value: unknown, where: string): string | undefined {
    if (value === undefined) {
        return undefined;
    }
    if (typeof value !== "string") {
        throw new AccountsError(`${where} must be a string`);
    }
    return value;
}

function array(value: unknown, where: string): unknown[] {
    if (!Array.isArray(value)) {
        throw new AccountsError(`${where} must be an array`);
    }
    return value;
}

function object(value: unknown, where: string): Record<string, unknown> {
    if (!value || typeof value !== "object" || Array.isArray(value)) {
        throw new AccountsError(`${where} must be an object`);
    }
    return value as Record<string, unknown>;
}

/**
 * Checks an accounts document and returns a normalised copy. Throws {@link AccountsError} naming the first
 * problem (duplicate secrets, missing fields, ...) without quoting any secret.
 */
export function parseAccounts(value: unknown): AccountsConfig {
    const root = object(value, "accounts");
    const orgSecrets = new Set<string>();
    const organizations = array(root.organizations, "organizations").map((rawOrg, i) => {
        const org = object(rawOrg, `organizations[${i}]`);
        const organizationSecret = nonEmptyString(org.organizationSecret, `organizations[${i}].organizationSecret`);
        if (orgSecrets.has(organizationSecret)) {
            throw new AccountsError(`organizations[${i}].organizationSecret is used by another organization`);
        }
        orgSecrets.add(organizationSecret);
        const userSecrets = new Set<string>();
        const emails = new Set<string>();
        const users = array(org.users, `organizations[${i}].users`).map((rawUser, j) => {
            const where = `organizations[${i}].users[${j}]`;
            const user = object(rawUser, where);
            const userSecret = nonEmptyString(user.userSecret, `${where}.userSecret`);
            const email = nonEmptyString(user.email, `${where}.email`);
            if (userSecrets.has(userSecret)) {
                throw new AccountsError(`${where}.userSecret is used by another user`);
            }
            if (emails.has(email.toLowerCase())) {
                throw new AccountsError(`${where}.email is used by another user`);
            }
            userSecrets.add(userSecret);
            emails.add(email.toLowerCase());
            const firstName = optionalString(user.firstName, `${where}.firstName`);
            const lastName = optionalString(user.lastName, `${where}.lastName`);
            return {
                userSecret,
                email,
                ...(firstName !== undefined ? { firstName } : {}),
                ...(lastName !== undefined ? { lastName } : {}),
            };
        });
        return { organizationSecret, users };
    });
    const freshdesk = parseFreshdesk(root.freshdesk);
    const credentials = root.credentials === undefined ? undefined : parseCredentials(root.credentials);
    return { organizations, freshdesk, ...(credentials !== undefined ? { credentials } : {}) };
}

function parseFreshdesk(value: unknown): FreshdeskAccount[] {
    const subdomains = new Set<string>();
    return array(value ?? [], "freshdesk").map((rawAccount, i) => {
        const account = object(rawAccount, `freshdesk[${i}]`);
        const subdomain = nonEmptyString(account.subdomain, `freshdesk[${i}].subdomain`);
        if (subdomains.has(subdomain.toLowerCase())) {
            throw new AccountsError(`freshdesk[${i}].subdomain is listed twice`);
        }
        subdomains.add(subdomain.toLowerCase());
        const apiKeys = array(account.apiKeys, `freshdesk[${i}].apiKeys`).map((key, j) =>
            nonEmptyString(key, `freshdesk[${i}].apiKeys[${j}]`),
        );
        return { subdomain, apiKeys };
    });
}

function parseCredentialSet(value: unknown, where: string): CredentialSet {
    const set = object(value, where);
    const keys = Object.keys(set);
    if (keys.length === 0) {
        throw new AccountsError(`${where} must name at least one configuration key`);
    }
    return Object.fromEntries(keys.map((key) => [key, nonEmptyString(set[key], `${where}[${JSON.stringify(key)}]`)]));
}

/** The `credentials` field: known element keys (Freshdesk excluded) to lists of credential sets. */
function parseCredentials(value: unknown): Record<string, CredentialSet[]> {
    const byElement = object(value, "credentials");
    const credentials: Record<string, CredentialSet[]> = {};
    for (const [elementKey, sets] of Object.entries(byElement)) {
        const where = `credentials[${JSON.stringify(elementKey)}]`;
        if (findElement(elementKey)?.key !== elementKey) {
            throw new AccountsError(`${where} names no element this emulator knows (use the element key)`);
        }
        if (elementKey === "freshdeskv2") {
            throw new AccountsError(`${where}: list Freshdesk accounts under "freshdesk"`);
        }
        credentials[elementKey] = array(sets, where).map((set, i) => parseCredentialSet(set, `${where}[${i}]`));
    }
    return credentials;
}

/** Reads and checks an accounts JSON file (see docs/emulator.md for its format). */
export async function loadAccountsFile(path: string): Promise<AccountsConfig> {
    let text: string;
    try {
        text = await readFile(path, "utf8");
    } catch (error) {
        throw new AccountsError(`cannot read accounts file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
    }
    let value: unknown;
    try {
        value = JSON.parse(text);
    } catch {
        // The parser's message can quote the file's text, secrets included.
        throw new AccountsError(`accounts file ${path} is not valid JSON`);
    }
    try {
        return parseAccounts(value);
    } catch (error) {
        throw new AccountsError(`accounts file ${path}: ${(error as Error).message}`);
    }
}

/** @internal An authenticated caller: the (organization, user) pair that owns instances. */
export interface Identity {
    organizationSecretFingerprint: string;
    email: string;
    firstName: string;
    lastName: string;
    /** Stable numeric id of the user (derived from the organization and the email). */
    userId: number;
    /** Key that scopes instances: organization fingerprint and lower-cased email. */
    ownerKey: string;
}

/** @internal Owner key of an (organization, user) pair. */
export function ownerKeyOf(organizationSecretFingerprint: string, email: string): string {
    return `${organizationSecretFingerprint}/${email.toLowerCase()}`;
}

/** @internal Constant-time lookups over an accounts document. */
export class AccountDirectory {
    private readonly byPair = new Map<string, Identity>();
    private readonly byOrganization = new Map<string, Map<string, Identity>>();
    private readonly apiKeys = new Map<string, Set<string>>();
    private readonly credentialSets = new Map<string, readonly CredentialSet[]>();

    constructor(config: AccountsConfig) {
        for (const org of config.organizations) {
            const orgFingerprint = fingerprint(org.organizationSecret);
            const users = new Map<string, Identity>();
            for (const user of org.users) {
                const identity: Identity = {
                    organizationSecretFingerprint: orgFingerprint,
                    email: user.email,
                    firstName: user.firstName ?? user.email.split("@")[0],
                    lastName: user.lastName ?? "",
                    userId:
                        100000 +
                        (Number.parseInt(fingerprint(`${orgFingerprint}/${user.email}`).slice(0, 8), 16) % 900000),
                    ownerKey: ownerKeyOf(orgFingerprint, user.email),
                };
                this.byPair.set(`${org.organizationSecret}\u0000${user.userSecret}`, identity);
                users.set(user.userSecret, identity);
            }
            this.byOrganization.set(orgFingerprint, users);
        }
        for (const account of config.freshdesk) {
            this.apiKeys.set(account.subdomain.toLowerCase(), new Set(account.apiKeys));
        }
        for (const [elementKey, sets] of Object.entries(config.credentials ?? {})) {
            this.credentialSets.set(elementKey, sets);
        }
    }

    /** The identity of a (user secret, organization secret) pair, if both are known and belong together. */
    authenticate(userSecret: string, organizationSecret: string): Identity | undefined {
        return this.byPair.get(`${organizationSecret}\u0000${userSecret}`);
    }

    /** The identity of a user secret inside the organization with this fingerprint. */
    userOfOrganization(organizationSecretFingerprint: string, userSecret: string): Identity | undefined {
        return this.byOrganization.get(organizationSecretFingerprint)?.get(userSecret);
    }

    /** Whether Freshdesk would accept this API key on this subdomain. */
    freshdeskAccepts(subdomain: string, apiKey: string): boolean {
        return this.apiKeys.get(subdomain.toLowerCase())?.has(apiKey) ?? false;
    }

    /**
     * Whether an element's provider would accept an instance with these configuration values: Freshdesk checks its
     * subdomain's API keys; another element matches one of its credential sets, or accepts anything when not listed.
     */
    acceptsCredentials(elementKey: string, values: ReadonlyMap<string, string | null>): boolean {
        if (elementKey === "freshdeskv2") {
            return this.freshdeskAccepts(values.get("subdomain") ?? "", values.get("username") ?? "");
        }
        const sets = this.credentialSets.get(elementKey);
        return !sets || sets.some((set) => Object.entries(set).every(([key, value]) => values.get(key) === value));
    }

    /** The configuration keys the credential check of an element reads (a change of one of them re-checks). */
    credentialKeys(elementKey: string): readonly string[] {
        if (elementKey === "freshdeskv2") {
            return ["subdomain", "username"];
        }
        return [...new Set((this.credentialSets.get(elementKey) ?? []).flatMap((set) => Object.keys(set)))];
    }
}
