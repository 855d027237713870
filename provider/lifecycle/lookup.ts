/**
 * Finding the instances of one create call (or of one resource) by their tags, verified one by one, and the rule
 * for which one is kept. The only such lookup: creates, refreshes, updates and `recover` all use it; the why is in
 * docs/architecture.md.
 */

import type { CloudElementsClient } from "../api/client";
import { CloudElementsError, HttpError, isApiNotFound, messageOf } from "../api/errors";
import type { ApiInstance } from "../api/wire";
import { freshdeskElementKey } from "../model/freshdesk";
import { afterSweep, type UnconfirmedCreateFields } from "../model/instance";
import type { BaseOutputs, InstanceKind } from "../model/kind";
import { freshdeskKind } from "../model/mapping";
import { markerTag, nonceTag } from "../model/tags";

/**
 * What identifies the instances looked up: one resource (its marker) or, with a nonce, one create call of it. The
 * search is by the nonce's tag when there is one, else by the marker's.
 */
export interface InstanceIdentity {
    /** The resource's marker (`pulumi-marker:<marker>`). */
    readonly marker: string;
    /** The create call's nonce (`pulumi-create:<nonce>`), when the lookup is for one create call. */
    readonly nonce?: string;
    /** The element key the instances must have; `freshdeskv2` when absent. */
    readonly elementKey?: string;
}

/** What identifies the instances of one create call. */
export interface CreateIdentity extends InstanceIdentity {
    /** The resource's marker (`pulumi-marker:<marker>`). */
    readonly marker: string;
    /** The create call's nonce (`pulumi-create:<nonce>`). */
    readonly nonce: string;
}

/** The tags a user searches for to find what a create call may have left: names both, for messages. */
export function identityTags(identity: CreateIdentity): string {
    return `${nonceTag(identity.nonce)} (with ${markerTag(identity.marker)})`;
}

/** The tag a lookup for `identity` searches. */
function searchTag(identity: InstanceIdentity): string {
    return identity.nonce === undefined ? markerTag(identity.marker) : nonceTag(identity.nonce);
}

/**
 * Whether `instance` provably belongs to the create call `identity` (or, without a nonce, to the resource with
 * that marker): the exact tags among its tags, and the element's key.
 */
export function isVerifiedInstance(instance: ApiInstance, identity: InstanceIdentity): boolean {
    const tags = Array.isArray(instance.tags) ? instance.tags : [];
    return (
        instance.element?.key === (identity.elementKey ?? freshdeskElementKey) &&
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
function unverifiedEntry(instance: ApiInstance, identity: InstanceIdentity, what: string): CloudElementsError {
    const tags = Array.isArray(instance.tags) ? instance.tags.filter((t) => typeof t === "string") : [];
    const elementKey = identity.elementKey ?? freshdeskElementKey;
    const missing = [
        ...(instance.element?.key === elementKey
            ? []
            : [`element key ${elementKey} (it has ${JSON.stringify(instance.element?.key ?? null)})`]),
        ...[markerTag(identity.marker), ...(identity.nonce === undefined ? [] : [nonceTag(identity.nonce)])]
            .filter((tag) => !tags.includes(tag))
            .map((tag) => `tag ${tag}`),
    ];
    return new CloudElementsError(
        "response",
        `${what}: the search for ${searchTag(identity)} returned instance ${instance.id}, which lacks ` +
            `${missing.join(" and ")}; it is not ours, so nothing was kept or deleted. Check the instances tagged ` +
            `${searchTag(identity)} on Cloud Elements.`,
    );
}

/**
 * The instances of `identity`, verified one by one (an entry the list shows without tags or element is read with
 * its own GET first). Throws, touching nothing, when any entry is not verified.
 */
export async function findVerifiedInstances(
    client: CloudElementsClient,
    identity: InstanceIdentity,
    secrets: readonly (string | undefined)[],
    what: string,
): Promise<ApiInstance[]> {
    const listed = await client.findInstancesByTag(searchTag(identity), secrets);
    const verified: ApiInstance[] = [];
    for (const entry of listed) {
        const instance = await completeEntry(client, entry, identity, secrets, what);
        if (!isVerifiedInstance(instance, identity)) {
            throw unverifiedEntry(instance, identity, what);
        }
        verified.push(instance);
    }
    return verified;
}

/** The instances of the create call `identity` (see {@link findVerifiedInstances}). */
export function findCreatedInstances(
    client: CloudElementsClient,
    identity: CreateIdentity,
    secrets: readonly (string | undefined)[],
    what: string,
): Promise<ApiInstance[]> {
    return findVerifiedInstances(client, identity, secrets, what);
}

/** A list entry as it is, or, when it shows no tags or element (a light entry), the instance read by its id. */
async function completeEntry(
    client: CloudElementsClient,
    entry: ApiInstance,
    identity: InstanceIdentity,
    secrets: readonly (string | undefined)[],
    what: string,
): Promise<ApiInstance> {
    if (Array.isArray(entry.tags) && entry.element?.key !== undefined) {
        return entry;
    }
    try {
        return await client.getInstance(entry.id, secrets);
    } catch (err) {
        if (HttpError.isInstance(err) && isApiNotFound(err)) {
            throw new CloudElementsError(
                "response",
                `${what}: the search for ${searchTag(identity)} returned instance ${entry.id}, which ` +
                    `cannot be read (${messageOf(err)}); nothing was kept or deleted.`,
            );
        }
        throw err;
    }
}

/**
 * Deletes every instance in `found` except `keep`. All of them were verified as instances of one create call: the
 * others can only be duplicates committed by attempts whose answers were lost.
 * @returns the ids deleted.
 */
export async function deleteDuplicates(
    client: CloudElementsClient,
    found: readonly { readonly id: number }[],
    keep: { readonly id: number } | number,
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

/**
 * For `read` and `update` of a resource whose create was unconfirmed: looks its nonce up once and deletes verified
 * duplicates (both exact tags and element key, see {@link findCreatedInstances}), keeping instance `id` (the one in
 * state). Returns the fields to merge into the outputs ({@link afterSweep}): empty when the create is now confirmed.
 * Without the flag it does nothing and makes no call.
 */
export async function sweepUnconfirmedCreate(
    client: CloudElementsClient,
    id: string,
    state: Partial<BaseOutputs>,
    kind: InstanceKind = freshdeskKind as unknown as InstanceKind,
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
    const secrets = kind.secretsOf(state);
    const elementKey = kind.elementKey(state);
    const found = await findCreatedInstances(client, { marker, nonce, elementKey }, secrets, what);
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
