/**
 * The real `ResourceProvider` of `FreshdeskInstance`.
 *
 * COMPATIBILITY CONTRACT: this file compiles to `bin/provider/implementation.js`, and the `__provider` stub stored
 * in every stack's state `require`s exactly that path (see `stub.ts`) and calls the functions exported here by name
 * (`configure`, `check`, `diff`, `create`, `read`, `update`, `delete`). Moving or renaming the file, or renaming
 * those exports, breaks `refresh` and `destroy` of existing stacks.
 *
 * The module keeps process-level state: the connection read by `configure`, and one keep-alive HTTP client per
 * distinct connection. Neither is ever serialized.
 */
import { createHash, randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    type ApiInstance,
    backoffDelay,
    CloudElementsClient,
    defaultBackoff,
    isAmbiguousFailure,
    isApiNotFound,
    isConnectFailure,
} from "./client";
import {
    type ConfigReader,
    type ConfiguredConnection,
    type ConnectionSettings,
    readConfiguredConnection,
    resolveConnection,
} from "./connection";
import { diffInstance } from "./diff";
import { CloudElementsError, HttpError, PartialCreateError } from "./errors";
import {
    assertFreshdeskInstance,
    buildCreateBody,
    buildPatchBody,
    inputsFromInstance,
    markerFromTags,
    markerTag,
    outputsFromInstance,
} from "./mapping";
import { packageName, readPackageVersion } from "./package-info";
import type { InstanceInputs, InstanceOutputs } from "./types";
import { checkInputs } from "./validation";

/** Sent with every request. */
export const userAgent = `${packageName}/${readPackageVersion(__dirname)}`;

let configured: ConfiguredConnection = {};
const clients = new Map<string, CloudElementsClient>();

function fingerprint(value: string): string {
    return createHash("sha256").update(value).digest("hex").slice(0, 16);
}

function connection(): ConnectionSettings {
    return resolveConnection(configured, process.env);
}

function clientFor(settings: ConnectionSettings): CloudElementsClient {
    const key = [
        settings.baseUrl,
        fingerprint(settings.userSecret),
        fingerprint(settings.organizationSecret),
        settings.timeoutMs,
        settings.maxRetries,
    ].join("|");
    let client = clients.get(key);
    if (!client) {
        client = new CloudElementsClient(settings, userAgent);
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

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function secretsOf(values: Partial<InstanceOutputs> | undefined): (string | undefined)[] {
    return [values?.apiKey, values?.token, values?.events?.signatureKey];
}

function message(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}

/**
 * Reads the connection from stack config (`cloudelements:baseUrl`, `cloudelements:userSecret`,
 * `cloudelements:organizationSecret`, `cloudelements:timeoutMs`, `cloudelements:maxRetries`). Validation happens at
 * call time, together with the environment-variable fallback, so a missing setting fails the operation that needs
 * it with a clear message instead of failing the provider's start-up.
 */
export async function configure(req: { config: ConfigReader }): Promise<void> {
    configured = readConfiguredConnection(req.config);
}

/** Validates and normalises the inputs, and stamps a fresh create marker. No API call. */
export async function check(
    _olds: Record<string, unknown>,
    news: Record<string, unknown>,
): Promise<dynamic.CheckResult> {
    const { inputs, failures } = checkInputs(news);
    inputs.createMarker = randomUUID();
    return { inputs, failures };
}

/** See `diff.ts`. */
export async function diff(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
): Promise<dynamic.DiffResult> {
    const result = diffInstance(olds, news);
    return { changes: result.changes, replaces: result.replaces, deleteBeforeReplace: result.deleteBeforeReplace };
}

/**
 * Creates the instance with exactly one successful `POST /instances` (or adopts `adoptInstanceId`). Whenever the
 * outcome of a POST is unknown (timeout, dropped connection, 5xx, unreadable 2xx), the instance is looked up by its
 * marker tag before the POST is tried again, so a retry never makes a second instance.
 */
export async function create(inputs: InstanceInputs): Promise<dynamic.CreateResult<InstanceOutputs>> {
    const settings = connection();
    const client = clientFor(settings);
    const marker = inputs.createMarker ?? randomUUID();
    const secrets = secretsOf(inputs);
    if (inputs.adoptInstanceId !== undefined) {
        return adopt(client, inputs, inputs.adoptInstanceId, marker);
    }

    const body = buildCreateBody(inputs, marker);
    let created: ApiInstance | undefined;
    let recovered = false;
    let lastFailure: unknown;
    // Whether an attempt may have reached Cloud Elements without us seeing the answer.
    let ambiguous = false;
    for (let attempt = 0; attempt <= settings.maxRetries && created === undefined; attempt++) {
        if (attempt > 0) {
            await sleep(backoffDelay(attempt, defaultBackoff));
        }
        try {
            created = await client.createInstance(body, secrets);
        } catch (err) {
            if (isConnectFailure(err)) {
                // Nothing reached a server, so nothing can have been created: send it again as is.
                lastFailure = err;
                continue;
            }
            if (!isAmbiguousFailure(err)) {
                throw err;
            }
            lastFailure = err;
            ambiguous = true;
            let found: ApiInstance[];
            try {
                found = await client.findInstancesByTag(markerTag(marker), secrets);
            } catch (lookupErr) {
                throw new CloudElementsError(
                    "http",
                    `${message(err)}; whether the instance was created is unknown: looking it up by its tag ` +
                        `${markerTag(marker)} failed too (${message(lookupErr)}). Look for an instance with that tag ` +
                        "on Cloud Elements (adopt it with adoptInstanceId, or delete it) before running again.",
                );
            }
            if (found.length > 0) {
                created = await keepOne(client, found, inputs, marker);
                recovered = true;
            }
        }
    }
    if (created === undefined) {
        const why = ambiguous ? `none carries the tag ${markerTag(marker)}` : "no request reached Cloud Elements";
        throw new CloudElementsError(
            "http",
            `${message(lastFailure)} (gave up after ${settings.maxRetries + 1} attempts; no instance was created: ${why})`,
        );
    }
    if (ambiguous && !recovered) {
        // An attempt whose lookup found nothing may have been committed later (a slow server): keep only this one.
        let found: ApiInstance[];
        try {
            found = await client.findInstancesByTag(markerTag(marker), secrets);
        } catch (err) {
            throw partialFailure(created, inputs, marker, [
                `an earlier attempt failed ambiguously, and looking for a duplicate tagged ${markerTag(marker)} ` +
                    `failed: ${message(err)}. Check for a second instance with that tag.`,
            ]);
        }
        await keepOne(client, found, inputs, marker, created);
    }

    try {
        assertFreshdeskInstance(created, "creating the instance");
    } catch (err) {
        throw partialFailure(created, inputs, marker, [message(err)]);
    }
    if (recovered || typeof created.token !== "string") {
        // A list entry, or an answer without the token: read the instance itself.
        try {
            created = await client.getInstance(created.id, secrets);
            assertFreshdeskInstance(created, `reading instance ${created.id} after creating it`);
        } catch (err) {
            throw partialFailure(created, inputs, marker, [message(err)]);
        }
        if (typeof created.token !== "string") {
            throw partialFailure(created, inputs, marker, [`instance ${created.id} was returned without its token`]);
        }
    }
    return { id: String(created.id), outs: outputsFromInstance(created, inputs, { createMarker: marker }) };
}

/**
 * Of the instances carrying this resource's marker (normally one), keeps `preferred` or the oldest, and deletes the
 * others: they can only be duplicates of this create, committed by an attempt whose answer was lost.
 */
async function keepOne(
    client: CloudElementsClient,
    found: ApiInstance[],
    inputs: InstanceInputs,
    marker: string,
    preferred?: ApiInstance,
): Promise<ApiInstance> {
    const keep = preferred ?? [...found].sort((a, b) => a.id - b.id)[0];
    for (const duplicate of found) {
        if (duplicate.id === keep.id) {
            continue;
        }
        try {
            await client.deleteInstance(duplicate.id);
        } catch (err) {
            throw partialFailure(keep, inputs, marker, [
                `instance ${duplicate.id} is a duplicate (tag ${markerTag(marker)}) left by a lost response, and ` +
                    `deleting it failed: ${message(err)}. Delete it by hand.`,
            ]);
        }
    }
    return keep;
}

/**
 * The error for "an instance exists but a later step failed". Its properties hold the inputs (`__provider`
 * included: the error path of the runtime does not add it, and a later destroy needs it) and what is known of the
 * instance, so the engine records the instance and retries with an update on the next `up`.
 */
function partialFailure(
    instance: ApiInstance,
    inputs: InstanceInputs,
    marker: string,
    reasons: string[],
): PartialCreateError {
    const properties = { ...inputs, ...outputsFromInstance(instance, inputs, { createMarker: marker }) };
    return new PartialCreateError(String(instance.id), properties, reasons);
}

async function adopt(
    client: CloudElementsClient,
    inputs: InstanceInputs,
    id: number,
    marker: string,
): Promise<dynamic.CreateResult<InstanceOutputs>> {
    const secrets = secretsOf(inputs);
    let existing: ApiInstance;
    try {
        existing = await client.getInstance(id, secrets);
    } catch (err) {
        if (HttpError.isInstance(err) && isApiNotFound(err)) {
            throw new CloudElementsError(
                "response",
                `adoptInstanceId ${id}: no such instance is visible with these credentials (${message(err)}).`,
            );
        }
        throw err;
    }
    assertFreshdeskInstance(existing, `adoptInstanceId ${id}`);
    const previousEvents = inputsFromInstance(existing, {}).events;
    // Re-authenticate: the key we were given must work, even when it equals the stored one.
    const patched = await client.patchInstance(id, buildPatchBody(inputs, marker, previousEvents), secrets, true);
    try {
        assertFreshdeskInstance(patched, `adopting instance ${id}`);
    } catch (err) {
        throw partialFailure(existing, inputs, marker, [message(err)]);
    }
    return {
        id: String(existing.id),
        outs: outputsFromInstance(patched, inputs, { token: existing.token ?? patched.token, createMarker: marker }),
    };
}

/**
 * Refresh: `GET /instances/{id}`. A Cloud Elements 404 means the instance is gone (an empty id removes it from
 * state). Otherwise returns the complete outputs and the inputs as the instance shows them, so drift shows in the
 * next preview and an unchanged instance shows no diff. The token and the API key come from state.
 */
export async function read(
    id: string,
    props?: Partial<InstanceOutputs>,
): Promise<dynamic.ReadResult<InstanceOutputs | InstanceInputs>> {
    const old = props ?? {};
    const client = clientFor(connection());
    let instance: ApiInstance;
    try {
        instance = await client.getInstance(id, secretsOf(old));
    } catch (err) {
        if (HttpError.isInstance(err) && isApiNotFound(err)) {
            return { id: "" };
        }
        throw err;
    }
    assertFreshdeskInstance(instance, `refreshing instance ${id}`);
    const inputs = inputsFromInstance(instance, old);
    const outs = outputsFromInstance(instance, inputs, { token: old.token, createMarker: inputs.createMarker });
    return { id: String(instance.id), props: outs, inputs: { ...inputs } };
}

/** `PATCH /instances/{id}`: the managed settings, the user's tags plus the marker. Returns the complete outputs. */
export async function update(
    id: string,
    olds: Partial<InstanceOutputs>,
    news: InstanceInputs,
): Promise<dynamic.UpdateResult<InstanceOutputs>> {
    const client = clientFor(connection());
    const secrets = [...secretsOf(news), ...secretsOf(olds)];
    let marker = olds.createMarker;
    let token = olds.token;
    if (marker === undefined || token === undefined) {
        // State from a partial create may lack them: the instance knows.
        const current = await client.getInstance(id, secrets);
        marker ??= markerFromTags(current.tags) ?? news.createMarker;
        token ??= current.token;
    }
    const patched = await client.patchInstance(id, buildPatchBody(news, marker, olds.events), secrets);
    assertFreshdeskInstance(patched, `updating instance ${id}`);
    return { outs: outputsFromInstance(patched, news, { token, createMarker: marker }) };
}

/** `DELETE /instances/{id}`; a Cloud Elements 404 (already gone) is success. */
async function deleteInstance(id: string, _props?: Partial<InstanceOutputs>): Promise<void> {
    await clientFor(connection()).deleteInstance(id);
}

export { deleteInstance as delete };

/** The provider as a `ResourceProvider` object (the stub calls the module functions directly). */
export const provider: dynamic.ResourceProvider = {
    configure,
    check,
    diff,
    create,
    read,
    update,
    delete: deleteInstance,
};
