/** The failure of a create or an adoption after the instance exists: the engine records it and the next `up` updates. */
import { PartialCreateError } from "../api/errors";
import type { ApiInstance } from "../api/wire";
import type { UnconfirmedCreateFields } from "../model/instance";
import type { BaseInputs, InstanceKind } from "../model/kind";
import { freshdeskKind } from "../model/mapping";

/**
 * The error for "an instance exists but a later step failed". Its properties hold the inputs (`__provider`
 * included: the error path of the runtime does not add it, and a later destroy needs it) and what is known of the
 * instance, so the engine records the instance and retries with an update on the next `up`.
 */
export function partialFailure<I extends BaseInputs>(
    instance: ApiInstance,
    inputs: I,
    marker: string,
    reasons: string[],
    extra: { createNonce?: string } & UnconfirmedCreateFields = {},
    kind: InstanceKind<I> = freshdeskKind as unknown as InstanceKind<I>,
): PartialCreateError {
    const { unconfirmedCreate, unconfirmedCreateUntil, unconfirmedCreatePending, createNonce } = extra;
    const properties = {
        ...inputs,
        ...kind.outputsFromInstance(instance, inputs, {
            createMarker: marker,
            ...(createNonce === undefined ? {} : { createNonce }),
        }),
        // What the instance is, not what was asked: a failed disable shows as a change, so the next `up` retries it.
        ...(inputs.enabled !== undefined && typeof instance.disabled === "boolean"
            ? { enabled: !instance.disabled }
            : {}),
        ...(unconfirmedCreate === true ? { unconfirmedCreate, unconfirmedCreateUntil, unconfirmedCreatePending } : {}),
    };
    return new PartialCreateError(String(instance.id), properties as unknown as Record<string, unknown>, reasons);
}
