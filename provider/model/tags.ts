/**
 * The provider's own tags on an instance: the resource's create marker, the create call's nonce and the owner. Every
 * element instance carries them; lookups, adoption and recovery read them back.
 */
import { createHash } from "node:crypto";

/** Prefix of the tag that carries a resource's create marker (see {@link InstanceInputs.createMarker}). */
export const markerTagPrefix = "pulumi-marker:";

/** Prefix of the tag that carries the nonce of the create call that made an instance (see `createNonce`). */
export const nonceTagPrefix = "pulumi-create:";

/** Prefix of the tag that names the Pulumi resource managing an instance (see {@link InstanceInputs.owner}). */
export const ownerTagPrefix = "pulumi-owner:";

/** Tag prefixes reserved for the provider's own tags: rejected in user tags, hidden from the `tags` output. */
export const reservedTagPrefixes: readonly string[] = [markerTagPrefix, nonceTagPrefix, ownerTagPrefix];

/** The tag that carries a create marker. */
export function markerTag(marker: string): string {
    return `${markerTagPrefix}${marker}`;
}

/**
 * The tag that names the resource managing an instance: a hash of {@link InstanceInputs.owner} (project, stack and
 * resource name stay out of the instance's tags).
 */
export function ownerTag(owner: string): string {
    return `${ownerTagPrefix}${createHash("sha256").update(owner).digest("hex").slice(0, 32)}`;
}

/** The owner tag among an instance's tags, if any. */
export function ownerTagOf(tags: unknown): string | undefined {
    const hash = valueAfterPrefix(tags, ownerTagPrefix);
    return hash === undefined ? undefined : `${ownerTagPrefix}${hash}`;
}

/** The tag that carries a create call's nonce. */
export function nonceTag(nonce: string): string {
    return `${nonceTagPrefix}${nonce}`;
}

/** Whether `tag` starts with one of the provider's reserved prefixes. */
export function isReservedTag(tag: string): boolean {
    return reservedTagPrefixes.some((prefix) => tag.startsWith(prefix));
}

/** The user's tags among an instance's tags: strings, without the provider's own (marker and nonce) tags. */
export function userTags(tags: unknown): string[] {
    return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string" && !isReservedTag(t)) : [];
}

function valueAfterPrefix(tags: unknown, prefix: string): string | undefined {
    if (!Array.isArray(tags)) {
        return undefined;
    }
    const tag = tags.find((t): t is string => typeof t === "string" && t.startsWith(prefix));
    return tag?.slice(prefix.length);
}

/** The create marker found in an instance's tags, if any. */
export function markerFromTags(tags: unknown): string | undefined {
    return valueAfterPrefix(tags, markerTagPrefix);
}

/** The create nonce found in an instance's tags, if any. */
export function nonceFromTags(tags: unknown): string | undefined {
    return valueAfterPrefix(tags, nonceTagPrefix);
}
