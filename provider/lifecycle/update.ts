/** `update`: applies changed inputs to the instance in place. */

import type * as dynamic from "@pulumi/pulumi/dynamic";
import { clientFor, connection } from "../api/session";
import type { InstanceInputs, InstanceOutputs } from "../model/instance";
import { secretsOf } from "../model/instance";
import { assertFreshdeskInstance, buildPatchBody, outputsFromInstance } from "../model/mapping";
import { markerFromTags, nonceFromTags } from "../model/tags";
import { sweepUnconfirmedCreate } from "./lookup";

/**
 * `PATCH /instances/{id}`: the managed settings, the user's tags plus the marker and the create's nonce. Returns the
 * complete outputs. After an unconfirmed create, first deletes verified duplicates (see `sweepUnconfirmedCreate`):
 * before the PATCH, so that a failed sweep changes nothing.
 */
export async function update(
    id: string,
    olds: Partial<InstanceOutputs>,
    news: InstanceInputs,
): Promise<dynamic.UpdateResult<InstanceOutputs>> {
    const client = clientFor(connection());
    const secrets = [...secretsOf(news), ...secretsOf(olds)];
    let marker = olds.createMarker;
    let nonce = olds.createNonce;
    let token = olds.token;
    if (marker === undefined || token === undefined) {
        // State from a partial create may lack them: the instance knows.
        const current = await client.getInstance(id, secrets);
        marker ??= markerFromTags(current.tags) ?? news.createMarker;
        nonce ??= nonceFromTags(current.tags);
        token ??= current.token;
    }
    const unconfirmed = await sweepUnconfirmedCreate(client, id, { ...olds, createMarker: marker, createNonce: nonce });
    const patched = await client.patchInstance(id, buildPatchBody(news, marker, olds.events, nonce), secrets);
    assertFreshdeskInstance(patched, `updating instance ${id}`);
    return {
        outs: {
            ...outputsFromInstance(patched, news, {
                token,
                createMarker: marker,
                ...(nonce === undefined ? {} : { createNonce: nonce }),
            }),
            ...unconfirmed,
        },
    };
}
