/** `read` (refresh): the instance as Cloud Elements shows it now. */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { HttpError, isApiNotFound } from "./errors";
import { sweepUnconfirmedCreate } from "./lookup";
import { assertFreshdeskInstance, inputsFromInstance, outputsFromInstance } from "./mapping";
import { clientFor, connection, secretsOf } from "./session";
import type { ApiInstance, InstanceInputs, InstanceOutputs } from "./types";

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
    return {
        id: String(instance.id),
        props: { ...outs, ...(await sweepUnconfirmedCreate(client, id, old)) },
        inputs: { ...inputs },
    };
}
