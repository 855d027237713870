/**
 * What the lifecycle needs to know about a kind of resource (`FreshdeskInstance`, `ElementInstance`): how its inputs
 * become request bodies, how an instance becomes its inputs and outputs, and which values are secret. The lifecycle
 * (create, adopt, read, update, delete, lookups) is one implementation over this interface.
 */
import type { ApiInstance } from "../api/wire";

/** Per-resource connection settings (the TypeScript resources' `account` input); any may be missing. */
export type AccountSettings = Readonly<Record<string, unknown>>;

/** What every kind's checked inputs carry that the lifecycle itself reads. */
export interface BaseInputs {
    /** Instance name. */
    readonly name: string;
    /** The user's tags (never the provider's own). */
    readonly tags: readonly string[];
    /** Whether the instance is enabled; absent means enabled (state written before the input existed). */
    readonly enabled?: boolean;
    /** Adopt this existing instance instead of creating one. Only read by create. */
    readonly adoptInstanceId?: number;
    /** Adopt even when another resource's marker is on the instance. Only read by create. */
    readonly adoptTakeOver?: boolean;
    /** `<project>/<stack>/<resource>`: sent as the owner tag (see `InstanceInputs.owner`). */
    readonly owner?: string;
    /** The resource's create marker (see `InstanceInputs.createMarker`). */
    readonly createMarker?: string;
    /** The resource's own connection settings, over stack config and environment (TypeScript resources only). */
    readonly account?: AccountSettings;
    /** The serialized provider stub, added by the runtime. */
    readonly __provider?: string;
}

/** What every kind's outputs carry that the lifecycle reads or writes. */
export interface BaseOutputs extends BaseInputs {
    readonly instanceId: number;
    readonly token: string;
    readonly createdDate?: string;
    readonly valid: boolean;
    readonly disabled: boolean;
    readonly eventsEnabled: boolean;
    readonly elementKey: string;
    readonly elementId?: number;
    readonly createMarker: string;
    readonly createNonce?: string;
    readonly unconfirmedCreate?: boolean;
    readonly unconfirmedCreateUntil?: string;
    readonly unconfirmedCreatePending?: number;
}

/** Values the outputs take from elsewhere than the desired inputs. */
export interface OutputExtras {
    readonly token?: string;
    readonly createMarker?: string;
    readonly createNonce?: string;
}

/** A kind of resource, as the lifecycle sees it. */
export interface InstanceKind<I extends BaseInputs = BaseInputs, O extends BaseOutputs = BaseOutputs> {
    /** The resource's name in messages (`FreshdeskInstance`). */
    readonly resourceName: string;
    /** The element key an instance of these inputs (or outputs) must have; unknown for an import without state. */
    elementKey(values: Partial<I> | Partial<O>): string | undefined;
    /** The `POST /instances` body, with the provider's tags. */
    createBody(inputs: I, marker: string, nonce: string): Record<string, unknown>;
    /**
     * The `PATCH`/`PUT /instances/{id}` body. `previous` is what the instance had (old outputs, or the inputs read
     * from it), so a setting the user removed can be cleared.
     */
    patchBody(
        inputs: I,
        marker: string | undefined,
        previous: Partial<O> | Partial<I> | undefined,
        nonce?: string,
    ): Record<string, unknown>;
    /** The inputs as an instance shows them (refresh), keeping from `old` what it does not show. */
    inputsFromInstance(instance: ApiInstance, old: Partial<O>): I;
    /** The complete outputs for an instance and the desired inputs. */
    outputsFromInstance(instance: ApiInstance, desired: I, extra: OutputExtras): O;
    /** The secret values of inputs or outputs, to redact from every message. */
    secretsOf(values: Partial<O> | Partial<I> | undefined): (string | undefined)[];
}
