/** `update`: applies changed inputs to the instance in place. */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { assertFreshdeskInstance, buildPatchBody, markerFromTags, outputsFromInstance } from "./mapping";
import { clientFor, connection, secretsOf } from "./session";
import type { InstanceInputs, InstanceOutputs } from "./types";

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
