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
import type { CloudElementsClient } from "../api/client";
import type { ConnectionSettings } from "../api/connection";
import { CloudElementsError, HttpError, isAmbiguousFailure, isConnectFailure, messageOf } from "../api/errors";
import { backoffDelay, defaultBackoff, sleep } from "../api/retry";
import { clientFor, connection } from "../api/session";
import type { ApiInstance } from "../api/wire";
import { type UnconfirmedCreateFields, unconfirmedCreateFields } from "../model/instance";
import type { BaseInputs, BaseOutputs, InstanceKind } from "../model/kind";
import { assertInstanceOf, freshdeskKind } from "../model/mapping";
import { applyEnabled } from "./enabled";
import { type CreateIdentity, deleteDuplicates, findCreatedInstances, identityTags, instanceToKeep } from "./lookup";
import { partialFailure } from "./partial";

/**
 * The least time left (after the backoff) for which another POST is sent: a create, with its credential check,
 * answers in about a second; a POST given less time would mostly add one more ambiguous attempt.
 */
const minimumPostMs = 2_000;

/** What one create call knows while it runs. */
interface CreateRun {
    readonly kind: InstanceKind;
    readonly settings: ConnectionSettings;
    readonly client: CloudElementsClient;
    readonly inputs: BaseInputs;
    readonly identity: CreateIdentity;
    readonly secrets: readonly (string | undefined)[];
}

/** What the POST attempts of one create call came to. */
interface PostOutcome {
    /** The instance a POST answered with. */
    answered?: ApiInstance;
    /** The instances a lookup found after an ambiguous failure (when no POST answered). */
    found: ApiInstance[];
    /** Whether an attempt may have reached Cloud Elements without us seeing the answer. */
    ambiguous: boolean;
    /** How many attempts may have committed without their answer reaching us. */
    ambiguousAttempts: number;
    attempts: number;
    lastFailure?: unknown;
}

/**
 * Creates the instance with exactly one successful `POST /instances`, tagged with the marker and a fresh nonce:
 * post (looking for an earlier attempt's instance before any new POST), keep one, confirm it, record it.
 */
export async function createNewInstance<I extends BaseInputs, O extends BaseOutputs>(
    inputs: I,
    kind: InstanceKind<I, O> = freshdeskKind as unknown as InstanceKind<I, O>,
): Promise<dynamic.CreateResult<O>> {
    const settings = connection(inputs.account);
    const run: CreateRun = {
        kind: kind as unknown as InstanceKind,
        settings,
        client: clientFor(settings),
        inputs,
        identity: {
            marker: inputs.createMarker ?? randomUUID(),
            nonce: randomUUID(),
            elementKey: kind.elementKey(inputs),
        },
        secrets: kind.secretsOf(inputs),
    };
    const outcome = await post(run);
    const { kept, unconfirmed } = await keepOne(run, outcome);
    const confirmed = await confirm(run, kept, outcome.answered !== undefined, unconfirmed);
    const created = await settleEnabled(run, confirmed, unconfirmed);
    const { marker, nonce } = run.identity;
    return {
        id: String(created.id),
        outs: {
            ...kind.outputsFromInstance(created, inputs, { createMarker: marker, createNonce: nonce }),
            ...unconfirmed,
        },
    };
}

/**
 * Disables the new instance when the inputs ask for it (a create cannot: `enabled` is its own call). A failure is a
 * partial create recording the instance as enabled, so the next `up` disables it.
 */
async function settleEnabled(
    run: CreateRun,
    instance: ApiInstance,
    unconfirmed: UnconfirmedCreateFields,
): Promise<ApiInstance> {
    try {
        return await applyEnabled(run.client, instance, run.inputs.enabled, run.secrets);
    } catch (err) {
        throw partialFailure(
            { ...instance, disabled: false },
            run.inputs,
            run.identity.marker,
            [
                `instance ${instance.id} was created but disabling it failed: ${messageOf(err)}. The next up disables it.`,
            ],
            { createNonce: run.identity.nonce, ...unconfirmed },
            run.kind,
        );
    }
}

/**
 * POSTs until an attempt answers or a lookup finds what an earlier one committed; never POSTs again before a lookup
 * has shown that no earlier attempt of this call committed.
 */
async function post(run: CreateRun): Promise<PostOutcome> {
    const body = run.kind.createBody(run.inputs, run.identity.marker, run.identity.nonce);
    const outcome: PostOutcome = { found: [], ambiguous: false, ambiguousAttempts: 0, attempts: 0 };
    for (let attempt = 0; attempt <= run.settings.maxRetries; attempt++) {
        if (attempt > 0) {
            await backOff(run, attempt, outcome);
        }
        outcome.attempts++;
        try {
            outcome.answered = await run.client.createInstance(body, run.secrets);
            return outcome;
        } catch (err) {
            outcome.lastFailure = err;
            if (await foundAfterFailure(run, err, outcome)) {
                return outcome;
            }
        }
    }
    return outcome;
}

/** Waits before another attempt, or gives up when the deadline leaves no time for another POST. */
async function backOff(run: CreateRun, attempt: number, outcome: PostOutcome): Promise<void> {
    const delay = backoffDelay(attempt, defaultBackoff);
    const deadline = run.client.deadline;
    if (!deadline.allows(delay + Math.min(minimumPostMs, run.settings.timeoutMs))) {
        throw giveUp(run, outcome, `no time left for another attempt: ${deadline.describe()}`);
    }
    await sleep(delay);
}

/** After a failed POST: whether a lookup found this call's instance (then stop posting). Throws when it is over. */
async function foundAfterFailure(run: CreateRun, err: unknown, outcome: PostOutcome): Promise<boolean> {
    if (isConnectFailure(err)) {
        // Nothing reached a server, so nothing can have been created: send it again as is.
        return false;
    }
    if (!isAmbiguousFailure(err)) {
        if (!outcome.ambiguous) {
            throw err;
        }
        // A clear refusal now, but an earlier attempt may have committed: look once more before failing.
        outcome.found = await lookUp(run, err);
        if (outcome.found.length > 0) {
            return true;
        }
        throw giveUp(run, outcome);
    }
    outcome.ambiguous = true;
    outcome.ambiguousAttempts++;
    outcome.found = await pollForCommit(run, err, commitWindowMs(err, run.settings));
    return outcome.found.length > 0;
}

/**
 * What to record of a create whose instances seen so far number `seen`: every attempt beyond them may still commit
 * one (a late commit), and only an ambiguous attempt can.
 */
function unconfirmedAfter(run: CreateRun, outcome: PostOutcome, seen: number): UnconfirmedCreateFields {
    if (!outcome.ambiguous) {
        return {};
    }
    const mayHaveCommitted = outcome.ambiguousAttempts + (outcome.answered === undefined ? 0 : 1);
    return unconfirmedCreateFields(run.settings.operationTimeoutMs, mayHaveCommitted - seen);
}

/** The one instance this create keeps, and what to record; the verified duplicates left by lost answers are deleted. */
async function keepOne(
    run: CreateRun,
    outcome: PostOutcome,
): Promise<{ kept: ApiInstance; unconfirmed: UnconfirmedCreateFields }> {
    const { answered, found } = outcome;
    if (answered !== undefined) {
        if (!outcome.ambiguous) {
            return { kept: answered, unconfirmed: {} };
        }
        // An earlier attempt whose lookups found nothing may have committed since (a slow server).
        const all = await lookUpAfterAnswer(run, answered, unconfirmedAfter(run, outcome, 1));
        const unconfirmed = unconfirmedAfter(run, outcome, new Set([answered.id, ...all.map((i) => i.id)]).size);
        await removeDuplicates(run, all, answered, unconfirmed);
        return { kept: answered, unconfirmed };
    }
    if (found.length > 0) {
        const kept = instanceToKeep(found) as ApiInstance;
        const unconfirmed = unconfirmedAfter(run, outcome, found.length);
        await removeDuplicates(run, found, kept, unconfirmed);
        return { kept, unconfirmed };
    }
    throw giveUp(run, outcome);
}

/** The instances of this call after a POST answered; a failure is a partial create (the answer is recorded). */
async function lookUpAfterAnswer(
    run: CreateRun,
    answered: ApiInstance,
    unconfirmed: UnconfirmedCreateFields,
): Promise<ApiInstance[]> {
    const { identity } = run;
    try {
        return await findCreatedInstances(run.client, identity, run.secrets, "creating the instance");
    } catch (err) {
        throw partialFailure(
            answered,
            run.inputs,
            identity.marker,
            [
                `an earlier attempt failed ambiguously, and looking for a duplicate tagged ${identityTags(identity)} ` +
                    `failed: ${messageOf(err)}. The next up, refresh or update looks again.`,
            ],
            { createNonce: identity.nonce, ...unconfirmed },
            run.kind,
        );
    }
}

/**
 * The kept instance, checked to be the element's and read again when it came from a list or without its token.
 * Any failure is a partial create: the instance exists and is recorded.
 */
async function confirm(
    run: CreateRun,
    kept: ApiInstance,
    answered: boolean,
    unconfirmed: UnconfirmedCreateFields,
): Promise<ApiInstance> {
    const extra = { createNonce: run.identity.nonce, ...unconfirmed };
    const failure = (instance: ApiInstance, reason: string) =>
        partialFailure(instance, run.inputs, run.identity.marker, [reason], extra, run.kind);
    const elementKey = run.kind.elementKey(run.inputs);
    try {
        assertInstanceOf(kept, elementKey, "creating the instance");
    } catch (err) {
        throw failure(kept, messageOf(err));
    }
    if (answered && typeof kept.token === "string") {
        return kept;
    }
    // A list entry, or an answer without the token: read the instance itself.
    let current = kept;
    try {
        current = await run.client.getInstance(kept.id, run.secrets);
        assertInstanceOf(current, elementKey, `reading instance ${current.id} after creating it`);
    } catch (err) {
        throw failure(current, messageOf(err));
    }
    if (typeof current.token !== "string") {
        throw failure(current, `instance ${current.id} was returned without its token`);
    }
    return current;
}

/**
 * The longest a create polls for a late commit before it POSTs again. A commit later still is not lost: the
 * outputs carry `unconfirmedCreate`, and the next `up`, refresh or update deletes the duplicate. Longer polls would only
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
            run.kind,
        );
    }
}

/**
 * The error after the last attempt failed and no instance was found. Honest about what is known: when an attempt
 * was ambiguous, an instance may still appear (a late commit), and the tag finds it.
 */
function giveUp(run: CreateRun, outcome: PostOutcome, reason?: string): CloudElementsError {
    const { lastFailure, attempts, ambiguous } = outcome;
    const why = reason === undefined ? "" : `; ${reason}`;
    const result = ambiguous
        ? `an instance may still exist (an attempt may commit late): look for the tag ${identityTags(run.identity)} ` +
          "on Cloud Elements, and adopt it with adoptInstanceId or delete it"
        : "no instance was created: no request reached Cloud Elements";
    const failure = lastFailure === undefined ? "creating the instance failed" : messageOf(lastFailure);
    return new CloudElementsError(
        "http",
        `${failure} (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"}${why}; ${result})`,
    );
}
