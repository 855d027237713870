/** `read` (refresh): the instance as Cloud Elements shows it now. */

import type * as dynamic from "@pulumi/pulumi/dynamic";
import { HttpError, isApiNotFound } from "../api/errors";
import { clientFor, connection } from "../api/session";
import type { ApiInstance } from "../api/wire";
import type { BaseInputs, BaseOutputs, InstanceKind } from "../model/kind";
import { assertInstanceOf, freshdeskKind } from "../model/mapping";
import { confirmAbsent } from "./absence";
import { sweepUnconfirmedCreate } from "./lookup";

/**
 * Refresh: `GET /instances/{id}`. The resource is removed from state (an empty id) only when the instance is
 * provably gone: a JSON 404 confirmed by a search that answers without it (`absence.ts`); otherwise the refresh
 * fails and the state is unchanged. A found instance gives the complete outputs and the inputs as it shows them, so
 * drift shows in the next preview and an unchanged instance shows no diff; what the GET leaves out keeps its value
 * from state, and the token and the API key come from state (see `inputsFromInstance`).
 */
export async function read<I extends BaseInputs, O extends BaseOutputs>(
    id: string,
    props?: Partial<O>,
    kind: InstanceKind<I, O> = freshdeskKind as unknown as InstanceKind<I, O>,
): Promise<dynamic.ReadResult<O | I>> {
    const old: Partial<O> = props ?? {};
    const client = clientFor(connection(old.account));
    const secrets = kind.secretsOf(old);
    let instance: ApiInstance;
    try {
        instance = await client.getInstance(id, secrets);
    } catch (err) {
        if (HttpError.isInstance(err) && isApiNotFound(err)) {
            await confirmAbsent(
                client,
                {
                    id,
                    // An imported or very old resource may have no marker: then every instance is listed.
                    marker: typeof old.createMarker === "string" ? old.createMarker : undefined,
                    notFound: err,
                    what: `refreshing instance ${id}`,
                    keeps: "not removing it from state",
                },
                secrets,
            );
            return { id: "" };
        }
        throw err;
    }
    assertInstanceOf(instance, kind.elementKey(old), `refreshing instance ${id}`);
    const inputs = kind.inputsFromInstance(instance, old);
    const outs = kind.outputsFromInstance(instance, inputs, { token: old.token, createMarker: inputs.createMarker });
    return {
        id: String(instance.id),
        props: { ...outs, ...(await sweepUnconfirmedCreate(client, id, old, kind as unknown as InstanceKind)) },
        inputs: { ...inputs },
    };
}
