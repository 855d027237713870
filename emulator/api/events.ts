/** The event log routes (`/instances[/{id}]/events`). */
import type { StoredInstance } from "../store";
import type { Outcome } from "./types";

/** @internal The emulator raises no events: the event log is always empty. */
export function listEvents(_instance: StoredInstance): Outcome {
    return {
        status: 200,
        json: [],
        headers: { "Elements-Total-Count": "0", "Elements-Returned-Count": "0" },
    };
}
