/** `enabled`: whether an instance is enabled is its own call (`PUT`/`DELETE /instances/{id}/enabled`), never a replacement. */
import type { CloudElementsClient } from "../api/client";
import type { ApiInstance } from "../api/wire";

/**
 * Enables or disables the instance when it is not as the inputs ask (`enabled` absent means enabled), judged by the
 * instance the PATCH answered, so a change made outside Pulumi is undone too.
 */
export async function applyEnabled(
    client: CloudElementsClient,
    instance: ApiInstance,
    enabled: boolean | undefined,
    secrets: readonly (string | undefined)[],
): Promise<ApiInstance> {
    const wanted = enabled ?? true;
    if (typeof instance.disabled !== "boolean" || !instance.disabled === wanted) {
        return instance;
    }
    const after = await client.setEnabled(instance.id, wanted, secrets);
    return { ...after, token: instance.token ?? after.token };
}
