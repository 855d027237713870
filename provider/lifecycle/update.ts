/** `update`: applies changed inputs to the instance in place. */

import type * as dynamic from "@pulumi/pulumi/dynamic";
import { clientFor, connection } from "../api/session";
import type { BaseInputs, BaseOutputs, InstanceKind } from "../model/kind";
import { assertInstanceOf, freshdeskKind } from "../model/mapping";
import { markerFromTags, nonceFromTags } from "../model/tags";
import { applyEnabled } from "./enabled";
import { sweepUnconfirmedCreate } from "./lookup";

/**
 * `PATCH /instances/{id}`: the managed settings, the user's tags plus the marker and the create's nonce. Returns the
 * complete outputs. After an unconfirmed create, first deletes verified duplicates (see `sweepUnconfirmedCreate`):
 * before the PATCH, so that a failed sweep changes nothing.
 */
export async function update<I extends BaseInputs, O extends BaseOutputs>(
    id: string,
    olds: Partial<O>,
    news: I,
    kind: InstanceKind<I, O> = freshdeskKind as unknown as InstanceKind<I, O>,
): Promise<dynamic.UpdateResult<O>> {
    const client = clientFor(connection(news.account));
    const secrets = [...kind.secretsOf(news), ...kind.secretsOf(olds)];
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
    const unconfirmed = await sweepUnconfirmedCreate(
        client,
        id,
        { ...olds, createMarker: marker, createNonce: nonce },
        kind as unknown as InstanceKind,
    );
    const patched = await client.patchInstance(id, kind.patchBody(news, marker, olds, nonce), secrets);
    assertInstanceOf(patched, kind.elementKey(news), `updating instance ${id}`);
    const applied = await applyEnabled(client, patched, news.enabled, secrets);
    return {
        outs: {
            ...kind.outputsFromInstance(applied, news, {
                token,
                createMarker: marker,
                ...(nonce === undefined ? {} : { createNonce: nonce }),
            }),
            ...unconfirmed,
        },
    };
}
