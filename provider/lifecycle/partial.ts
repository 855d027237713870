/** The failure of a create or an adoption after the instance exists: the engine records it and the next `up` updates. */
import { PartialCreateError } from "../api/errors";
import type { ApiInstance } from "../api/wire";
import type { InstanceInputs, UnconfirmedCreateFields } from "../model/instance";
import { outputsFromInstance } from "../model/mapping";

/**
 * The error for "an instance exists but a later step failed". Its properties hold the inputs (`__provider`
 * included: the error path of the runtime does not add it, and a later destroy needs it) and what is known of the
 * instance, so the engine records the instance and retries with an update on the next `up`.
 */
export function partialFailure(
    instance: ApiInstance,
    inputs: InstanceInputs,
    marker: string,
    reasons: string[],
    extra: { createNonce?: string } & UnconfirmedCreateFields = {},
): PartialCreateError {
    const { unconfirmedCreate, unconfirmedCreateUntil, unconfirmedCreatePending, createNonce } = extra;
    const properties = {
        ...inputs,
        ...outputsFromInstance(instance, inputs, {
            createMarker: marker,
            ...(createNonce === undefined ? {} : { createNonce }),
        }),
        ...(unconfirmedCreate === true ? { unconfirmedCreate, unconfirmedCreateUntil, unconfirmedCreatePending } : {}),
    };
    return new PartialCreateError(String(instance.id), properties, reasons);
}
