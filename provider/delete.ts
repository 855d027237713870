/** `delete`: removes the instance from Cloud Elements. */
import { clientFor, connection } from "./session";
import type { InstanceOutputs } from "./types";

/** `DELETE /instances/{id}`; a Cloud Elements 404 (already gone) is success. */
export async function deleteInstance(id: string, _props?: Partial<InstanceOutputs>): Promise<void> {
    await clientFor(connection()).deleteInstance(id);
}
