/** Adoption: `create` with `adoptInstanceId` takes an existing instance under management instead of creating one. */
import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { partialFailure } from "./create";
import { CloudElementsError, HttpError, isApiNotFound, messageOf } from "./errors";
import { assertFreshdeskInstance, buildPatchBody, inputsFromInstance, outputsFromInstance } from "./mapping";
import { clientFor, connection, secretsOf } from "./session";
import type { ApiInstance, InstanceInputs, InstanceOutputs } from "./types";

/**
 * Reads instance `id`, applies the inputs to it with one PATCH that makes Cloud Elements re-check the API key, and
 * returns it as the created resource (same id, same token), tagged with `marker`.
 */
export async function adopt(inputs: InstanceInputs, id: number): Promise<dynamic.CreateResult<InstanceOutputs>> {
    const client = clientFor(connection());
    const marker = inputs.createMarker ?? randomUUID();
    const secrets = secretsOf(inputs);
    let existing: ApiInstance;
    try {
        existing = await client.getInstance(id, secrets);
    } catch (err) {
        if (HttpError.isInstance(err) && isApiNotFound(err)) {
            throw new CloudElementsError(
                "response",
                `adoptInstanceId ${id}: no such instance is visible with these credentials (${messageOf(err)}).`,
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
        throw partialFailure(existing, inputs, marker, [messageOf(err)]);
    }
    return {
        id: String(existing.id),
        outs: outputsFromInstance(patched, inputs, { token: existing.token ?? patched.token, createMarker: marker }),
    };
}
