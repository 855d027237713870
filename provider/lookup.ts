/**
 * Finding the instances of one create call after an ambiguous failure, and the rule for which one is kept.
 *
 * A create sends the tags `pulumi-marker:<createMarker>` (the resource) and `pulumi-create:<nonce>` (this create
 * call) with every POST attempt. A lookup searches the nonce tag, reads every page, and trusts nothing the search
 * returns: an entry counts only when its own tags hold both exact tags and it is a freshdeskv2 instance (a search
 * looser than expected, by case, prefix or an ignored parameter, must not make us keep or delete someone else's
 * instance). Any entry that fails that check stops the operation, naming it, before anything is kept or deleted.
 */
import type { CloudElementsClient } from "./client";
import { CloudElementsError, HttpError, isApiNotFound, messageOf } from "./errors";
import { markerTag, nonceTag } from "./mapping";
import { secretsOf } from "./session";
import { type ApiInstance, freshdeskElementKey, type InstanceOutputs } from "./types";

/** What identifies the instances of one create call. */
export interface CreateIdentity {
    /** The resource's marker (`pulumi-marker:<marker>`). */
    readonly marker: string;
    /** The create call's nonce (`pulumi-create:<nonce>`). */
    readonly nonce: string;
}

/** The tags a user searches for to find what a create call may have left: names both, for messages. */
export function identityTags(identity: CreateIdentity): string {
    return `${nonceTag(identity.nonce)} (with ${markerTag(identity.marker)})`;
}

/**
 * Whether `instance` provably belongs to the create call `identity` (or, without a nonce, to the resource with
 * that marker): both exact tags among its tags, and element key freshdeskv2.
 */
export function isVerifiedInstance(instance: ApiInstance, identity: { marker: string; nonce?: string }): boolean {
    const tags = Array.isArray(instance.tags) ? instance.tags : [];
    return (
        instance.element?.key === freshdeskElementKey &&
        tags.includes(markerTag(identity.marker)) &&
        (identity.nonce === undefined || tags.includes(nonceTag(identity.nonce)))
    );
}

/**
 * The one rule for which of several instances of one create (same nonce, same marker) is kept: the one whose POST
 * answered (`answeredId`) when it is among them, else the lowest id (deterministic: every run that sees the same
 * instances keeps the same one). `recover` applies it too, without an answered POST. `undefined` for no candidates.
 */
export function instanceToKeep<T extends { readonly id: number }>(
    candidates: readonly T[],
    answeredId?: number,
): T | undefined {
    const answered = candidates.find((instance) => instance.id === answeredId);
    return answered ?? [...candidates].sort((a, b) => a.id - b.id)[0];
}

/** Thrown when a lookup returns an entry that cannot be shown to belong to the create: nothing was touched. */
function unverifiedEntry(instance: ApiInstance, identity: CreateIdentity, what: string): CloudElementsError {
    const tags = Array.isArray(instance.tags) ? instance.tags.filter((t) => typeof t === "string") : [];
    const missing = [
        ...(instance.element?.key === freshdeskElementKey
            ? []
            : [`element key ${freshdeskElementKey} (it has ${JSON.stringify(instance.element?.key ?? null)})`]),
        ...[markerTag(identity.marker), nonceTag(identity.nonce)]
            .filter((tag) => !tags.includes(tag))
            .map((tag) => `tag ${tag}`),
    ];
    return new CloudElementsError(
        "response",
        `${what}: the search for ${nonceTag(identity.nonce)} returned instance ${instance.id}, which lacks ` +
            `${missing.join(" and ")}; it is not ours, so nothing was kept or deleted. Check the instances tagged ` +
            `${nonceTag(identity.nonce)} on Cloud Elements.`,
    );
}

/**
 * The instances of the create call `identity`, verified one by one (an entry the list shows without tags or element
 * is read with its own GET first). Throws, touching nothing, when any entry is not verified.
 */
export async function findCreatedInstances(
    client: CloudElementsClient,
    identity: CreateIdentity,
    secrets: readonly (string | undefined)[],
    what: string,
): Promise<ApiInstance[]> {
    const listed = await client.findInstancesByTag(nonceTag(identity.nonce), secrets);
    const verified: ApiInstance[] = [];
    for (const entry of listed) {
        let instance = entry;
        if (!Array.isArray(entry.tags) || entry.element?.key === undefined) {
            // A light list entry (hydrate=false style): the instance itself says what it is.
            try {
                instance = await client.getInstance(entry.id, secrets);
            } catch (err) {
                if (HttpError.isInstance(err) && isApiNotFound(err)) {
                    throw new CloudElementsError(
                        "response",
                        `${what}: the search for ${nonceTag(identity.nonce)} returned instance ${entry.id}, which ` +
                            `cannot be read (${messageOf(err)}); nothing was kept or deleted.`,
                    );
                }
                throw err;
            }
        }
        if (!isVerifiedInstance(instance, identity)) {
            throw unverifiedEntry(instance, identity, what);
        }
        verified.push(instance);
    }
    return verified;
}

/**
 * Deletes every instance in `found` except `keep`. All of them were verified as instances of one create call: the
 * others can only be duplicates committed by attempts whose answers were lost.
 * @returns the ids deleted.
 */
export async function deleteDuplicates(
    client: CloudElementsClient,
    found: readonly ApiInstance[],
    keep: ApiInstance | number,
): Promise<number[]> {
    const keepId = typeof keep === "number" ? keep : keep.id;
    const deleted: number[] = [];
    for (const duplicate of found) {
        if (duplicate.id !== keepId) {
            await client.deleteInstance(duplicate.id);
            deleted.push(duplicate.id);
        }
    }
    return deleted;
}

/** The outputs that record an unconfirmed create (see `InstanceOutputs.unconfirmedCreate`). */
export type UnconfirmedCreateFields = Pick<
    InstanceOutputs,
    "unconfirmedCreate" | "unconfirmedCreateUntil" | "unconfirmedCreatePending"
>;

/**
 * The fields to record after a create one of whose attempts was ambiguous, finished now. `pending` is how many
 * instances its attempts may still commit (see `InstanceOutputs.unconfirmedCreatePending`); at 0 there is nothing
 * to record.
 */
export function unconfirmedCreateFields(
    operationTimeoutMs: number,
    pending: number,
    now = Date.now(),
): UnconfirmedCreateFields {
    if (pending <= 0) {
        return {};
    }
    return {
        unconfirmedCreate: true,
        unconfirmedCreateUntil: new Date(now + operationTimeoutMs).toISOString(),
        unconfirmedCreatePending: pending,
    };
}

/**
 * What remains of an unconfirmed create after a sweep that deleted `deleted` duplicates at `now`: nothing (the flag
 * is cleared) once every attempt that may commit is accounted for, or once `unconfirmedCreateUntil` has passed (no
 * attempt can still commit then); else the flag, with fewer pending. State without a readable end: nothing, as
 * there is no later sweep to wait for.
 */
export function afterSweep(state: UnconfirmedCreateFields, deleted: number, now = Date.now()): UnconfirmedCreateFields {
    const until = state.unconfirmedCreateUntil;
    const untilMs = Date.parse(until ?? "");
    if (until === undefined || !Number.isFinite(untilMs) || now > untilMs) {
        return {};
    }
    const pending = state.unconfirmedCreatePending;
    if (pending === undefined) {
        // State written before the count: only the end of the window settles it.
        return { unconfirmedCreate: true, unconfirmedCreateUntil: until };
    }
    const left = pending - deleted;
    return left > 0 ? { unconfirmedCreate: true, unconfirmedCreateUntil: until, unconfirmedCreatePending: left } : {};
}

/**
 * For `read` and `update` of a resource whose create was unconfirmed: looks its nonce up once and deletes verified
 * duplicates (both exact tags and element key, see {@link findCreatedInstances}), keeping instance `id` (the one in
 * state). Returns the fields to merge into the outputs ({@link afterSweep}): empty when the create is now confirmed.
 * Without the flag it does nothing and makes no call.
 */
export async function sweepUnconfirmedCreate(
    client: CloudElementsClient,
    id: string,
    state: Partial<InstanceOutputs>,
): Promise<UnconfirmedCreateFields> {
    if (state.unconfirmedCreate !== true) {
        return {};
    }
    const marker = state.createMarker;
    const nonce = state.createNonce;
    if (typeof marker !== "string" || typeof nonce !== "string") {
        // Nothing identifies this create's other instances: there is nothing to look up.
        return {};
    }
    const what = `checking instance ${id} for duplicates left by its create`;
    const secrets = secretsOf(state);
    const found = await findCreatedInstances(client, { marker, nonce }, secrets, what);
    let deleted: number[];
    try {
        deleted = await deleteDuplicates(client, found, Number(id));
    } catch (err) {
        throw new CloudElementsError(
            "http",
            `${what}: deleting a duplicate tagged ${nonceTag(nonce)} failed: ${messageOf(err)}. Delete the ` +
                `instances tagged ${nonceTag(nonce)} other than ${id} by hand, or run again.`,
        );
    }
    return afterSweep(state, deleted.length);
}
