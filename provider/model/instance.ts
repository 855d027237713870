/**
 * What every element instance has, as the provider works with it: checked inputs, outputs, the secrets among them.
 * Freshdesk's own fields and constants are `freshdesk.ts`.
 * Nothing here depends on `@pulumi/pulumi` at run time: the implementation runs in the dynamic-provider process and
 * should load quickly.
 */
import type { AccountSettings } from "./kind";

/**
 * The value the engine sends during preview for an input that is not known yet (`runtime/rpc.js` `unknownValue`).
 * Copied rather than imported so the implementation does not load `@pulumi/pulumi`.
 */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Poll interval when `events.pollingIntervalMinutes` is not set. */
export const defaultPollingIntervalMinutes = 15;

/** Normalised polling-events settings of an instance. */
export interface FreshdeskInstanceEvents {
    /** Whether Cloud Elements polls Freshdesk and posts events to {@link callbackUrl}. */
    readonly enabled: boolean;
    /** Where events are posted (https, or http on loopback). */
    readonly callbackUrl?: string;
    /** Minutes between polls. */
    readonly pollingIntervalMinutes: number;
    /** The polled hub resources (`incidents`, `contacts`, ...). */
    readonly resources: readonly string[];
    /** HMAC key of the `Elements-Webhook-Signature` header (secret). */
    readonly signatureKey?: string;
}

/** Checked, normalised inputs as the provider methods receive them. */
export interface InstanceInputs {
    /** Normalised Freshdesk subdomain (`acme`). */
    readonly subdomain: string;
    /** The Freshdesk API key (secret; kept under this name in outputs so the engine re-marks it). */
    readonly apiKey: string;
    /** Instance name. */
    readonly name: string;
    /** The user's tags (never the marker tag). */
    readonly tags: readonly string[];
    /** `filter.response.nulls`. */
    readonly filterResponseNulls: boolean;
    /** Polling events, defaults filled in. */
    readonly events: FreshdeskInstanceEvents;
    /** Adopt this existing instance instead of creating one. Only read by create. */
    readonly adoptInstanceId?: number;
    /** Adopt {@link adoptInstanceId} even when another resource's marker is on it. Only read by create. */
    readonly adoptTakeOver?: boolean;
    /**
     * `<project>/<stack>/<resource name>`, set by the `FreshdeskInstance` constructor: which Pulumi resource manages
     * the instance. Sent as the tag `pulumi-owner:<hash>` on create and update. Unlike the create marker it survives
     * a replacement (the engine checks a replacement's inputs without the old ones, so its marker is new), which is
     * how adoption tells "this resource is being replaced" from "another resource manages it". Never a change.
     */
    readonly owner?: string;
    /**
     * A random id stamped by `check` when the resource is first created, and reused from the old inputs by every
     * later `check` (so previews of updates show no random change). `create` tags the new instance with
     * `pulumi-marker:<createMarker>`: it names the resource, not one instance (a replacement's new instance carries
     * the same marker as the old one; the create's nonce tells them apart). Ignored by `diff`.
     */
    readonly createMarker?: string;
    /** Whether the instance is enabled (`PUT`/`DELETE /instances/{id}/enabled`); absent means enabled. */
    readonly enabled?: boolean;
    /** The resource's own connection settings (see `account.ts`); absent: stack config and environment. */
    readonly account?: AccountSettings;
    /** The serialized provider stub, added by the runtime. */
    readonly __provider?: string;
}

/** Everything stored as the resource's outputs. */
export interface InstanceOutputs extends InstanceInputs {
    /** The instance id (the resource id is its string form). */
    readonly instanceId: number;
    /** The element token (secret through `additionalSecretOutputs`). */
    readonly token: string;
    /** When the instance was created, as the API reports it. */
    readonly createdDate?: string;
    /** Whether the platform considers the credentials valid. */
    readonly valid: boolean;
    /** Whether the instance is disabled. */
    readonly disabled: boolean;
    /** Whether events are enabled, as the API reports it. */
    readonly eventsEnabled: boolean;
    /** The element key (`freshdeskv2`). */
    readonly elementKey: string;
    /** The element id (491). */
    readonly elementId?: number;
    /** The marker actually on the instance (the one used at create), kept for the instance's lifetime. */
    readonly createMarker: string;
    /**
     * The nonce of the create call that made the instance: it sent the tag `pulumi-create:<createNonce>` with every
     * POST attempt, so lookups after a lost answer find this call's instances only. Kept on the instance by updates.
     */
    readonly createNonce?: string;
    /**
     * Set when an attempt of the create failed ambiguously (the instance may have been committed twice, one of them
     * late): while set, `read` and `update` look the nonce up once and delete verified duplicates.
     */
    readonly unconfirmedCreate?: boolean;
    /** When {@link unconfirmedCreate} may be cleared: the create's end plus its `operationTimeoutMs` (ISO-8601). */
    readonly unconfirmedCreateUntil?: string;
    /**
     * How many instances the create's attempts may still commit: its ambiguous attempts (and the answered one)
     * minus the instances with its nonce seen so far. Each POST commits at most one instance, so at 0 every attempt
     * is accounted for and {@link unconfirmedCreate} is cleared before {@link unconfirmedCreateUntil}.
     */
    readonly unconfirmedCreatePending?: number;
}

/** Whether `value` is, or contains, the preview-time unknown value. */
export function containsUnknown(value: unknown): boolean {
    if (value === unknownValue) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsUnknown);
    }
    if (typeof value === "object" && value !== null) {
        return Object.values(value).some(containsUnknown);
    }
    return false;
}

/** The secrets of a resource's inputs or outputs: values to redact from every error message. */
export function secretsOf(values: Partial<InstanceOutputs> | undefined): (string | undefined)[] {
    return [values?.apiKey, values?.token, values?.events?.signatureKey, ...accountSecretValues(values?.account)];
}

/** The user and organization secrets of a resource's own account (see `account.ts`), when it has one. */
export function accountSecretValues(account: AccountSettings | undefined): (string | undefined)[] {
    return [account?.userSecret, account?.organizationSecret].map((v) => (typeof v === "string" ? v : undefined));
}

/** The outputs that record an unconfirmed create (see `InstanceOutputs.unconfirmedCreate`). */
export type UnconfirmedCreateFields = Pick<
    InstanceOutputs,
    "unconfirmedCreate" | "unconfirmedCreateUntil" | "unconfirmedCreatePending"
>;

/**
 * The fields to record after a create one of whose attempts was ambiguous, finished now. `pending` is how many
 * instances its attempts may still commit (see `InstanceOutputs.unconfirmedCreatePending`); at 0 there is nothing
 * to record.
 */
export function unconfirmedCreateFields(
    operationTimeoutMs: number,
    pending: number,
    now = Date.now(),
): UnconfirmedCreateFields {
    if (pending <= 0) {
        return {};
    }
    return {
        unconfirmedCreate: true,
        unconfirmedCreateUntil: new Date(now + operationTimeoutMs).toISOString(),
        unconfirmedCreatePending: pending,
    };
}

/**
 * What remains of an unconfirmed create after a sweep that deleted `deleted` duplicates at `now`: nothing (the flag
 * is cleared) once every attempt that may commit is accounted for, or once `unconfirmedCreateUntil` has passed (no
 * attempt can still commit then); else the flag, with fewer pending. State without a readable end: nothing, as
 * there is no later sweep to wait for.
 */
export function afterSweep(state: UnconfirmedCreateFields, deleted: number, now = Date.now()): UnconfirmedCreateFields {
    const until = state.unconfirmedCreateUntil;
    const untilMs = Date.parse(until ?? "");
    if (until === undefined || !Number.isFinite(untilMs) || now > untilMs) {
        return {};
    }
    const pending = state.unconfirmedCreatePending;
    if (pending === undefined) {
        // State written before the count: only the end of the window settles it.
        return { unconfirmedCreate: true, unconfirmedCreateUntil: until };
    }
    const left = pending - deleted;
    return left > 0 ? { unconfirmedCreate: true, unconfirmedCreateUntil: until, unconfirmedCreatePending: left } : {};
}
