/**
 * `create` of a new instance: exactly one instance per resource, whatever happens to the POST's answer. Adoption
 * (`adoptInstanceId`) is `adopt.ts`; `implementation.ts` picks one of the two.
 *
 * Every POST attempt of one create call carries the resource's marker tag and this call's nonce tag
 * (`pulumi-create:<nonce>`, see `lookup.ts`). When an attempt's outcome is unknown (timeout, dropped connection,
 * 5xx, unreadable 2xx), the nonce is looked up (polling a while when the server may still be working on it) before
 * any new POST; when an attempt was ambiguous and a later one succeeds, a final lookup deletes verified duplicates,
 * and the outputs carry `unconfirmedCreate` (with how many attempts may still commit) so that the next `up`,
 * `refresh` or update sweeps once more for a commit later still.
 * Everything stays inside the operation's deadline (`cloudelements:operationTimeoutMs`).
 */
import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { CloudElementsClient } from "./client";
import type { ConnectionSettings } from "./connection";
import {
    CloudElementsError,
    HttpError,
    isAmbiguousFailure,
    isConnectFailure,
    messageOf,
    PartialCreateError,
} from "./errors";
import {
    type CreateIdentity,
    deleteDuplicates,
    findCreatedInstances,
    identityTags,
    instanceToKeep,
    type UnconfirmedCreateFields,
    unconfirmedCreateFields,
} from "./lookup";
import { assertFreshdeskInstance, buildCreateBody, outputsFromInstance } from "./mapping";
import { backoffDelay, defaultBackoff, sleep } from "./retry";
import { clientFor, connection, secretsOf } from "./session";
import type { ApiInstance, InstanceInputs, InstanceOutputs } from "./types";

/**
 * The least time left (after the backoff) for which another POST is sent: a create, with its credential check,
 * answers in about a second; a POST given less time would mostly add one more ambiguous attempt.
 */
const minimumPostMs = 2_000;

/** What one create call knows while it runs. */
interface CreateRun {
    readonly settings: ConnectionSettings;
    readonly client: CloudElementsClient;
    readonly inputs: InstanceInputs;
    readonly identity: CreateIdentity;
    readonly secrets: readonly (string | undefined)[];
}

/**
 * Creates the instance with exactly one successful `POST /instances`, tagged with the marker and a fresh nonce.
 * Never POSTs again before a lookup has shown that no earlier attempt of this call committed.
 */
export async function createNewInstance(inputs: InstanceInputs): Promise<dynamic.CreateResult<InstanceOutputs>> {
    const settings = connection();
    const run: CreateRun = {
        settings,
        client: clientFor(settings),
        inputs,
        identity: { marker: inputs.createMarker ?? randomUUID(), nonce: randomUUID() },
        secrets: secretsOf(inputs),
    };
    const { client, identity } = run;
    const deadline = client.deadline;
    const body = buildCreateBody(inputs, identity.marker, identity.nonce);
    let answered: ApiInstance | undefined;
    let found: ApiInstance[] = [];
    let lastFailure: unknown;
    // Whether an attempt may have reached Cloud Elements without us seeing the answer.
    let ambiguous = false;
    // How many attempts may have committed without their answer reaching us.
    let ambiguousAttempts = 0;
    let attempts = 0;
    for (let attempt = 0; attempt <= settings.maxRetries; attempt++) {
        if (attempt > 0) {
            const delay = backoffDelay(attempt, defaultBackoff);
            if (!deadline.allows(delay + Math.min(minimumPostMs, settings.timeoutMs))) {
                throw giveUp(
                    run,
                    lastFailure,
                    attempts,
                    ambiguous,
                    `no time left for another attempt: ${deadline.describe()}`,
                );
            }
            await sleep(delay);
        }
        attempts++;
        try {
            answered = await client.createInstance(body, run.secrets);
            break;
        } catch (err) {
            lastFailure = err;
            if (isConnectFailure(err)) {
                // Nothing reached a server, so nothing can have been created: send it again as is.
                continue;
            }
            if (!isAmbiguousFailure(err)) {
                if (!ambiguous) {
                    throw err;
                }
                // A clear refusal now, but an earlier attempt may have committed: look once more before failing.
                found = await lookUp(run, err);
                if (found.length > 0) {
                    break;
                }
                throw giveUp(run, err, attempts, ambiguous);
            }
            ambiguous = true;
            ambiguousAttempts++;
            found = await pollForCommit(run, err, commitWindowMs(err, settings));
            if (found.length > 0) {
                break;
            }
        }
    }

    // `seen`: the create's instances seen so far; every attempt beyond them may still commit one (a late commit).
    const unconfirmedAfter = (seen: number): UnconfirmedCreateFields =>
        ambiguous
            ? unconfirmedCreateFields(
                  settings.operationTimeoutMs,
                  ambiguousAttempts + (answered === undefined ? 0 : 1) - seen,
              )
            : {};
    let unconfirmed: UnconfirmedCreateFields = {};
    let created: ApiInstance;
    if (answered !== undefined) {
        created = answered;
        if (ambiguous) {
            // An earlier attempt whose lookups found nothing may have committed since (a slow server).
            let all: ApiInstance[];
            try {
                all = await findCreatedInstances(client, identity, run.secrets, "creating the instance");
            } catch (err) {
                throw partialFailure(
                    created,
                    inputs,
                    identity.marker,
                    [
                        `an earlier attempt failed ambiguously, and looking for a duplicate tagged ${identityTags(identity)} ` +
                            `failed: ${messageOf(err)}. The next refresh or update looks again.`,
                    ],
                    { createNonce: identity.nonce, ...unconfirmedAfter(1) },
                );
            }
            unconfirmed = unconfirmedAfter(new Set([created.id, ...all.map((instance) => instance.id)]).size);
            await removeDuplicates(run, all, created, unconfirmed);
        }
    } else if (found.length > 0) {
        created = instanceToKeep(found) as ApiInstance;
        unconfirmed = unconfirmedAfter(found.length);
        await removeDuplicates(run, found, created, unconfirmed);
    } else {
        throw giveUp(run, lastFailure, attempts, ambiguous);
    }

    const extra = { createNonce: identity.nonce, ...unconfirmed };
    const outputs = () =>
        outputsFromInstance(created, inputs, { createMarker: identity.marker, createNonce: identity.nonce });
    try {
        assertFreshdeskInstance(created, "creating the instance");
    } catch (err) {
        throw partialFailure(created, inputs, identity.marker, [messageOf(err)], extra);
    }
    if (answered === undefined || typeof created.token !== "string") {
        // A list entry, or an answer without the token: read the instance itself.
        try {
            created = await client.getInstance(created.id, run.secrets);
            assertFreshdeskInstance(created, `reading instance ${created.id} after creating it`);
        } catch (err) {
            throw partialFailure(created, inputs, identity.marker, [messageOf(err)], extra);
        }
        if (typeof created.token !== "string") {
            throw partialFailure(
                created,
                inputs,
                identity.marker,
                [`instance ${created.id} was returned without its token`],
                extra,
            );
        }
    }
    return {
        id: String(created.id),
        outs: { ...outputs(), ...unconfirmed },
    };
}

/**
 * The longest a create polls for a late commit before it POSTs again. A commit later still is not lost: the
 * outputs carry `unconfirmedCreate`, and the next refresh or update deletes the duplicate. Longer polls would only
 * slow every create through an outage.
 */
const maxCommitWaitMs = 5_000;

/**
 * How long a server may still be working on a request that failed with `err`, so that its commit can still show
 * up: after no answer at all (a timeout, a dropped connection) or a gateway timeout (504), as long as the request's
 * own timeout (at most {@link maxCommitWaitMs}); after an error answer of the platform (500, 502, 503) or an
 * unreadable 2xx, the request is over: one lookup.
 */
function commitWindowMs(err: unknown, settings: ConnectionSettings): number {
    if (HttpError.isInstance(err) && (err.status === undefined || err.status === 504)) {
        return Math.min(settings.timeoutMs, maxCommitWaitMs);
    }
    return 0;
}

/** Looks the nonce up now, then again with backoff for `windowMs` (inside the deadline), until something shows. */
async function pollForCommit(run: CreateRun, failure: unknown, windowMs: number): Promise<ApiInstance[]> {
    const started = Date.now();
    for (let poll = 1; ; poll++) {
        const found = await lookUp(run, failure);
        const delay = backoffDelay(poll, defaultBackoff);
        if (found.length > 0 || Date.now() - started + delay > windowMs || !run.client.deadline.allows(delay)) {
            return found;
        }
        await sleep(delay);
    }
}

/** One verified nonce lookup; its failure ends the create with a message that says an instance may exist. */
async function lookUp(run: CreateRun, failure: unknown): Promise<ApiInstance[]> {
    try {
        return await findCreatedInstances(run.client, run.identity, run.secrets, "creating the instance");
    } catch (lookupErr) {
        throw new CloudElementsError(
            "http",
            `${messageOf(failure)}; whether the instance was created is unknown: looking it up by its tag ` +
                `${identityTags(run.identity)} failed too (${messageOf(lookupErr)}). An instance may exist: look for ` +
                "an instance with that tag on Cloud Elements (adopt it with adoptInstanceId, or delete it) before running again.",
        );
    }
}

/** Deletes the verified duplicates of `keep`; a failure is a partial create (the kept instance is recorded). */
async function removeDuplicates(
    run: CreateRun,
    found: readonly ApiInstance[],
    keep: ApiInstance,
    unconfirmed: UnconfirmedCreateFields,
): Promise<void> {
    try {
        await deleteDuplicates(run.client, found, keep);
    } catch (err) {
        throw partialFailure(
            keep,
            run.inputs,
            run.identity.marker,
            [
                `another instance tagged ${identityTags(run.identity)} is a duplicate left by a lost response, and ` +
                    `deleting it failed: ${messageOf(err)}. Delete it by hand.`,
            ],
            { createNonce: run.identity.nonce, ...unconfirmed },
        );
    }
}

/**
 * The error after the last attempt failed and no instance was found. Honest about what is known: when an attempt
 * was ambiguous, an instance may still appear (a late commit), and the tag finds it.
 */
function giveUp(
    run: CreateRun,
    lastFailure: unknown,
    attempts: number,
    ambiguous: boolean,
    reason?: string,
): CloudElementsError {
    const why = reason === undefined ? "" : `; ${reason}`;
    const outcome = ambiguous
        ? `an instance may still exist (an attempt may commit late): look for the tag ${identityTags(run.identity)} ` +
          "on Cloud Elements, and adopt it with adoptInstanceId or delete it"
        : "no instance was created: no request reached Cloud Elements";
    const failure = lastFailure === undefined ? "creating the instance failed" : messageOf(lastFailure);
    return new CloudElementsError(
        "http",
        `${failure} (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"}${why}; ${outcome})`,
    );
}

/**
 * The error for "an instance exists but a later step failed". Its properties hold the inputs (`__provider`
 * included: the error path of the runtime does not add it, and a later destroy needs it) and what is known of the
 * instance, so the engine records the instance and retries with an update on the next `up`.
 */
export function partialFailure(
    instance: ApiInstance,
    inputs: InstanceInputs,
    marker: string,
    reasons: string[],
    extra: { createNonce?: string } & UnconfirmedCreateFields = {},
): PartialCreateError {
    const { unconfirmedCreate, unconfirmedCreateUntil, unconfirmedCreatePending, createNonce } = extra;
    const properties = {
        ...inputs,
        ...outputsFromInstance(instance, inputs, {
            createMarker: marker,
            ...(createNonce === undefined ? {} : { createNonce }),
        }),
        ...(unconfirmedCreate === true ? { unconfirmedCreate, unconfirmedCreateUntil, unconfirmedCreatePending } : {}),
    };
    return new PartialCreateError(String(instance.id), properties, reasons);
}
