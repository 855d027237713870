/**
 * Adoption: `create` with `adoptInstanceId` takes an existing instance under management, and what the target's
 * marker and owner tags say decides whether it adopts, creates a fresh instance or refuses (docs/adoption.md).
 */
import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { CloudElementsError, HttpError, isApiNotFound, messageOf } from "../api/errors";
import { clientFor, connection } from "../api/session";
import type { ApiInstance } from "../api/wire";
import type { BaseInputs, BaseOutputs, InstanceKind } from "../model/kind";
import { assertInstanceOf, freshdeskKind } from "../model/mapping";
import { markerFromTags, markerTag, ownerTag, ownerTagOf } from "../model/tags";
import { confirmAbsent } from "./absence";
import { createNewInstance } from "./create";
import { applyEnabled } from "./enabled";
import { partialFailure } from "./partial";

/** The message that refuses to adopt an instance another resource manages; says how to take it over. */
export function managedElsewhereMessage(id: number, otherMarker: string): string {
    return (
        `adoptInstanceId ${id}: instance ${id} is managed by another Pulumi resource (tag ${markerTag(otherMarker)}); ` +
        "adopting it too would let a destroy of either resource delete it under the other. To move it here " +
        "deliberately, first remove it from the other resource's state without deleting it (in that stack: " +
        "`pulumi state delete <urn>`, or set `retainOnDelete: true` on it and remove it from the program, then " +
        "`pulumi up`), then set adoptTakeOver: true on this resource and run `pulumi up` again."
    );
}

/**
 * Reads instance `id` and, depending on its tags (see docs/adoption.md), adopts it, creates a fresh instance, or
 * refuses.
 */
export async function adopt<I extends BaseInputs, O extends BaseOutputs>(
    inputs: I,
    id: number,
    kind: InstanceKind<I, O> = freshdeskKind as unknown as InstanceKind<I, O>,
): Promise<dynamic.CreateResult<O>> {
    const client = clientFor(connection(inputs.account));
    const marker = inputs.createMarker ?? randomUUID();
    const secrets = kind.secretsOf(inputs);
    const elementKey = kind.elementKey(inputs);
    let existing: ApiInstance;
    try {
        existing = await client.getInstance(id, secrets);
    } catch (err) {
        if (HttpError.isInstance(err) && isApiNotFound(err)) {
            // The target's marker is unknown (never ours, or ours and gone): confirm by listing every instance.
            await confirmAbsent(
                client,
                {
                    id,
                    notFound: err,
                    what: `adoptInstanceId ${id}`,
                    keeps: "nothing was created or changed",
                },
                secrets,
            );
            return createNewInstance({ ...inputs, createMarker: marker }, kind);
        }
        throw err;
    }
    assertInstanceOf(existing, elementKey, `adoptInstanceId ${id}`);
    const existingMarker = markerFromTags(existing.tags);
    // This resource already manages the instance: its marker (a targeted replace keeps it on older engines) or its
    // owner tag (a replacement's inputs are checked without the old ones, so its marker is new).
    const ownedHere =
        existingMarker === marker ||
        (typeof inputs.owner === "string" && ownerTagOf(existing.tags) === ownerTag(inputs.owner));
    if (ownedHere) {
        return createNewInstance({ ...inputs, createMarker: marker }, kind);
    }
    if (existingMarker !== undefined && inputs.adoptTakeOver !== true) {
        throw new CloudElementsError("response", managedElsewhereMessage(id, existingMarker));
    }
    // From here on the instance exists and is the one asked for: any failure is reported with its id, so the engine
    // records it and the next `up` applies the settings with an update.
    let adopted: ApiInstance;
    try {
        const previous = kind.inputsFromInstance(existing, {});
        // reAuthenticate: the key we were given must work, even when it equals the stored one.
        adopted = await client.putInstance(id, kind.patchBody(inputs, marker, previous), secrets, true);
        assertInstanceOf(adopted, elementKey, `adopting instance ${id}`);
        adopted = await applyEnabled(client, adopted, inputs.enabled, secrets);
    } catch (err) {
        throw partialFailure(existing, inputs, marker, [`adopting instance ${id} failed: ${messageOf(err)}`], {}, kind);
    }
    return {
        id: String(existing.id),
        outs: kind.outputsFromInstance(adopted, inputs, {
            token: existing.token ?? adopted.token,
            createMarker: marker,
        }),
    };
}
