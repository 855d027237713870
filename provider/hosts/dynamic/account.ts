import * as pulumi from "@pulumi/pulumi";

/** The settings of a Cloud Elements account; any left out comes from stack config, then the environment. */
export interface AccountArgs {
    /** The API's base URL, e.g. `https://api.cloud-elements.com` (https; http only for loopback hosts). */
    readonly baseUrl?: pulumi.Input<string>;
    /** The user secret (`User <secret>`). Always stored as a secret. */
    readonly userSecret?: pulumi.Input<string>;
    /** The organization secret (`Organization <secret>`). Always stored as a secret. */
    readonly organizationSecret?: pulumi.Input<string>;
    /** Allow plain http to a host other than loopback. */
    readonly allowInsecureHttp?: pulumi.Input<boolean>;
    /** Per-request timeout in milliseconds. */
    readonly timeoutMs?: pulumi.Input<number>;
    /** Retries of retryable failures per request. */
    readonly maxRetries?: pulumi.Input<number>;
    /** Deadline of one create, read, update or delete, in milliseconds. */
    readonly operationTimeoutMs?: pulumi.Input<number>;
}

/**
 * A Cloud Elements account for the TypeScript resources: pass it as `account` to a `FreshdeskInstance` or an
 * `ElementInstance` to manage instances of several accounts (EU and US, production and a sandbox organization) in one
 * program. The account's settings are stored with each resource (its secrets as secrets), so `refresh` and
 * `destroy` reach the same account. Resources without an account use stack config and environment, as always.
 */
export class Account {
    /** The settings as resource input, secrets marked secret. @internal */
    readonly settings: pulumi.Input<Record<string, unknown>>;

    /**
     * @param args
     *  The account's settings.
     */
    constructor(args: AccountArgs) {
        const a: AccountArgs = args ?? {};
        this.settings = {
            baseUrl: a.baseUrl,
            userSecret: a.userSecret === undefined ? undefined : pulumi.secret(a.userSecret),
            organizationSecret: a.organizationSecret === undefined ? undefined : pulumi.secret(a.organizationSecret),
            allowInsecureHttp: a.allowInsecureHttp,
            timeoutMs: a.timeoutMs,
            maxRetries: a.maxRetries,
            operationTimeoutMs: a.operationTimeoutMs,
        };
    }
}
