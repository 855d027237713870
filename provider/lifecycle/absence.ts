/**
 * Proving that an instance is gone. `GET /instances/{id}` answering a JSON 404 is not proof on its own: the
 * documented generic 404 is `No account found with ID 123456`, and the real API's wording for an unknown instance
 * is not documented (docs/cloud-elements-api.md §12), so a 404 about something else (the account, the user) would
 * make a refresh forget an instance that still exists, and the next `up` would create a second one.
 *
 * A second, independent call decides: a search that answers (200, or the documented empty 404 `No ... found`) and
 * does not list the id. By the resource's marker tag when it has one (all pages), else the full list of instances.
 */

import type { CloudElementsClient } from "../api/client";
import { CloudElementsError, type HttpError, messageOf } from "../api/errors";
import { markerTag } from "../model/tags";

/** What {@link confirmAbsent} needs to know about the instance that answered 404. */
export interface AbsenceQuery {
    /** The instance id that answered 404. */
    readonly id: number | string;
    /** The resource's create marker, when known: the search is by its tag. Without it, all instances are listed. */
    readonly marker?: string;
    /** The 404 of `GET /instances/{id}`. */
    readonly notFound: HttpError;
    /** Says what the caller was doing, e.g. `refreshing instance 123`; starts every message. */
    readonly what: string;
    /** What the caller keeps when absence is not proved, e.g. `the resource stays in state`. */
    readonly keeps: string;
}

/**
 * Resolves when the instance is provably gone; otherwise throws a {@link CloudElementsError} that names the 404,
 * what showed the instance still exists (or why that could not be checked), and what was kept.
 */
export async function confirmAbsent(
    client: CloudElementsClient,
    query: AbsenceQuery,
    secrets: readonly (string | undefined)[],
): Promise<void> {
    const { id, marker, notFound, what, keeps } = query;
    const search = marker === undefined ? "listing all instances" : `searching by its tag ${markerTag(marker)}`;
    const answered = `GET /instances/${id} answered HTTP 404${notFound.apiMessage ? ` ("${notFound.apiMessage}")` : ""}`;
    let listed: { id: number }[];
    try {
        listed = await client.listInstances(marker === undefined ? undefined : markerTag(marker), secrets);
    } catch (err) {
        throw new CloudElementsError(
            "http",
            `${what}: ${answered}, but confirming that the instance is gone by ${search} failed: ${messageOf(err)}. ` +
                `A 404 alone does not prove it is gone; ${keeps}. Run again when Cloud Elements answers.`,
        );
    }
    if (listed.some((instance) => String(instance.id) === String(id))) {
        throw new CloudElementsError(
            "response",
            `${what}: ${answered}, but the instance still exists (${search} lists it); ${keeps}. The 404 was ` +
                "about something else (the account or user?); check the credentials and run again.",
        );
    }
}
