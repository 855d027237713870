/** `delete`: removes the instance from Cloud Elements. */
import { CloudElementsError, HttpError } from "../api/errors";
import { clientFor, connection } from "../api/session";
import type { BaseOutputs } from "../model/kind";

/**
 * `DELETE /instances/{id}`; a Cloud Elements 404 (already gone) is success. A 409 (the instance is in use) fails
 * with a message saying so: the engine then keeps the resource in state.
 */
export async function deleteInstance(id: string, props?: Partial<BaseOutputs>): Promise<void> {
    try {
        await clientFor(connection(props?.account)).deleteInstance(id);
    } catch (err) {
        if (HttpError.isInstance(err) && err.status === 409) {
            throw new CloudElementsError(
                "http",
                `instance ${id} is in use, so Cloud Elements refused to delete it (${err.message}); it was not ` +
                    "deleted and stays in the stack's state. Remove what uses it on Cloud Elements, then run again.",
            );
        }
        throw err;
    }
}
