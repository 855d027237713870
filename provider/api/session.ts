/**
 * The provider process's state: the connection read by `configure`, and one keep-alive HTTP client per distinct
 * connection. Neither is ever serialized: both live in the provider process only (the dynamic provider's, or one
 * plugin process per provider configuration).
 */
import { createHash } from "node:crypto";
import { CloudElementsClient } from "./client";
import {
    type ConfigReader,
    type ConfiguredConnection,
    type ConnectionSettings,
    connectionSources,
    readConfiguredConnection,
    resolveConnection,
} from "./connection";
import { Deadline } from "./deadline";
import { packageName, readPackageVersion } from "./package-info";
import type { SettingName } from "./settings";

let agent: string | undefined;

/** Sent with every request; the version is read from package.json on first use, not when the module loads. */
export function userAgent(): string {
    agent ??= `${packageName}/${readPackageVersion(__dirname)}`;
    return agent;
}

let configured: ConfiguredConnection = {};
/** An explicit provider's connection inputs; undefined for the dynamic provider and a default plugin provider. */
let inputs: ConfiguredConnection | undefined;
const clients = new Map<string, CloudElementsClient>();

function fingerprint(value: string): string {
    return createHash("sha256").update(value).digest("hex").slice(0, 16);
}

/**
 * Remembers the stack config's connection settings (what `configure` receives) and, for an explicit provider of the
 * plugin, its inputs, which win over them. One process serves one provider configuration, so this is process-wide.
 */
export function configureConnection(config: ConfigReader, providerInputs?: ConfiguredConnection): void {
    configured = readConfiguredConnection(config);
    inputs = providerInputs;
}

/**
 * The connection to use now, per setting: a resource's own account (the `account` input of the TypeScript
 * resources) or an explicit provider's inputs first, then stack config, then environment variables read at call time.
 */
export function connection(account?: Readonly<Record<string, unknown>>): ConnectionSettings {
    const own = accountSettings(account);
    return resolveConnection(configured, process.env, Object.keys(own).length > 0 ? { ...inputs, ...own } : inputs);
}

/** The account's settings as raw strings, like stack config values; absent and empty ones left out. */
function accountSettings(account: Readonly<Record<string, unknown>> | undefined): ConfiguredConnection {
    const result: ConfiguredConnection = {};
    for (const name of Object.keys(connectionSources) as SettingName[]) {
        const value = account?.[name];
        if (typeof value === "string" ? value.trim() !== "" : typeof value === "number" || typeof value === "boolean") {
            result[name] = String(value);
        }
    }
    return result;
}

/**
 * The client for one provider operation on `settings`: it shares the cached connection (one per distinct
 * connection, so keep-alive sockets are reused) and carries the operation's deadline, `settings.operationTimeoutMs`
 * from now. Every operation calls it once, at its start.
 */
export function clientFor(settings: ConnectionSettings): CloudElementsClient {
    return cachedClient(settings).withDeadline(new Deadline(settings.operationTimeoutMs));
}

/** Names the account of `settings` (base URL and hashed secrets): per-account caches key on it. */
export function accountKey(settings: ConnectionSettings): string {
    return [settings.baseUrl, fingerprint(settings.userSecret), fingerprint(settings.organizationSecret)].join("|");
}

function cachedClient(settings: ConnectionSettings): CloudElementsClient {
    const key = [accountKey(settings), settings.timeoutMs, settings.maxRetries].join("|");
    let client = clients.get(key);
    if (!client) {
        client = new CloudElementsClient(settings, userAgent());
        clients.set(key, client);
    }
    return client;
}

/**
 * Closes every cached client's idle sockets and forgets the clients. For tests and embedders; the provider process
 * simply exits.
 * @internal
 */
export function closeClients(): void {
    for (const client of clients.values()) {
        client.close();
    }
    clients.clear();
}
