/**
 * `create` of a new instance: exactly one instance per resource, whatever happens to the POST's answer. Adoption
 * (`adoptInstanceId`) is `adopt.ts`; `implementation.ts` picks one of the two.
 */
import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { CloudElementsClient } from "./client";
import { CloudElementsError, isAmbiguousFailure, isConnectFailure, messageOf, PartialCreateError } from "./errors";
import { assertFreshdeskInstance, buildCreateBody, markerTag, outputsFromInstance } from "./mapping";
import { backoffDelay, defaultBackoff, sleep } from "./retry";
import { clientFor, connection, secretsOf } from "./session";
import type { ApiInstance, InstanceInputs, InstanceOutputs } from "./types";

/**
 * Creates the instance with exactly one successful `POST /instances`. Whenever the outcome of a POST is unknown
 * (timeout, dropped connection, 5xx, unreadable 2xx), the instance is looked up by its marker tag before the POST is
 * tried again, so a retry never makes a second instance.
 */
export async function createNewInstance(inputs: InstanceInputs): Promise<dynamic.CreateResult<InstanceOutputs>> {
    const settings = connection();
    const client = clientFor(settings);
    const marker = inputs.createMarker ?? randomUUID();
    const secrets = secretsOf(inputs);

    const body = buildCreateBody(inputs, marker);
    let created: ApiInstance | undefined;
    let recovered = false;
    let lastFailure: unknown;
    // Whether an attempt may have reached Cloud Elements without us seeing the answer.
    let ambiguous = false;
    for (let attempt = 0; attempt <= settings.maxRetries && created === undefined; attempt++) {
        if (attempt > 0) {
            await sleep(backoffDelay(attempt, defaultBackoff));
        }
        try {
            created = await client.createInstance(body, secrets);
        } catch (err) {
            if (isConnectFailure(err)) {
                // Nothing reached a server, so nothing can have been created: send it again as is.
                lastFailure = err;
                continue;
            }
            if (!isAmbiguousFailure(err)) {
                throw err;
            }
            lastFailure = err;
            ambiguous = true;
            let found: ApiInstance[];
            try {
                found = await client.findInstancesByTag(markerTag(marker), secrets);
            } catch (lookupErr) {
                throw new CloudElementsError(
                    "http",
                    `${messageOf(err)}; whether the instance was created is unknown: looking it up by its tag ` +
                        `${markerTag(marker)} failed too (${messageOf(lookupErr)}). Look for an instance with that tag ` +
                        "on Cloud Elements (adopt it with adoptInstanceId, or delete it) before running again.",
                );
            }
            if (found.length > 0) {
                created = await keepOne(client, found, inputs, marker);
                recovered = true;
            }
        }
    }
    if (created === undefined) {
        const why = ambiguous ? `none carries the tag ${markerTag(marker)}` : "no request reached Cloud Elements";
        throw new CloudElementsError(
            "http",
            `${messageOf(lastFailure)} (gave up after ${settings.maxRetries + 1} attempts; no instance was created: ${why})`,
        );
    }
    if (ambiguous && !recovered) {
        // An attempt whose lookup found nothing may have been committed later (a slow server): keep only this one.
        let found: ApiInstance[];
        try {
            found = await client.findInstancesByTag(markerTag(marker), secrets);
        } catch (err) {
            throw partialFailure(created, inputs, marker, [
                `an earlier attempt failed ambiguously, and looking for a duplicate tagged ${markerTag(marker)} ` +
                    `failed: ${messageOf(err)}. Check for a second instance with that tag.`,
            ]);
        }
        await keepOne(client, found, inputs, marker, created);
    }

    try {
        assertFreshdeskInstance(created, "creating the instance");
    } catch (err) {
        throw partialFailure(created, inputs, marker, [messageOf(err)]);
    }
    if (recovered || typeof created.token !== "string") {
        // A list entry, or an answer without the token: read the instance itself.
        try {
            created = await client.getInstance(created.id, secrets);
            assertFreshdeskInstance(created, `reading instance ${created.id} after creating it`);
        } catch (err) {
            throw partialFailure(created, inputs, marker, [messageOf(err)]);
        }
        if (typeof created.token !== "string") {
            throw partialFailure(created, inputs, marker, [`instance ${created.id} was returned without its token`]);
        }
    }
    return { id: String(created.id), outs: outputsFromInstance(created, inputs, { createMarker: marker }) };
}

/**
 * Of the instances carrying this resource's marker (normally one), keeps `preferred` or the oldest, and deletes the
 * others: they can only be duplicates of this create, committed by an attempt whose answer was lost.
 */
async function keepOne(
    client: CloudElementsClient,
    found: ApiInstance[],
    inputs: InstanceInputs,
    marker: string,
    preferred?: ApiInstance,
): Promise<ApiInstance> {
    const keep = preferred ?? [...found].sort((a, b) => a.id - b.id)[0];
    for (const duplicate of found) {
        if (duplicate.id === keep.id) {
            continue;
        }
        try {
            await client.deleteInstance(duplicate.id);
        } catch (err) {
            throw partialFailure(keep, inputs, marker, [
                `instance ${duplicate.id} is a duplicate (tag ${markerTag(marker)}) left by a lost response, and ` +
                    `deleting it failed: ${messageOf(err)}. Delete it by hand.`,
            ]);
        }
    }
    return keep;
}

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
): PartialCreateError {
    const properties = { ...inputs, ...outputsFromInstance(instance, inputs, { createMarker: marker }) };
    return new PartialCreateError(String(instance.id), properties, reasons);
}
