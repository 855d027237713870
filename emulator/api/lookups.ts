/** Finding the instance or element a path names, on behalf of the caller (someone else's instance is a 404). */
import { findElement } from "../elements/catalogue";
import type { ElementDefinition } from "../elements/types";
import type { StoredInstance } from "../store";
import { ApiError, authFailureMessage } from "./errors";
import { quote } from "./input";
import type { ApiDeps, Context } from "./types";

/** @internal The caller's instance with id `idText`. */
export function owned(deps: ApiDeps, ctx: Context, idText: string): StoredInstance {
    if (!/^\d{1,15}$/.test(idText)) {
        throw new ApiError(400, `Invalid instance ID ${quote(idText)}: expected an integer`);
    }
    const instance = deps.store.get(Number(idText));
    if (!instance || deps.store.ownerOf(instance) !== ctx.caller.identity.ownerKey) {
        throw new ApiError(404, `No instance found with ID ${Number(idText)}`);
    }
    return instance;
}

/** @internal The element a path segment names by key or id. */
export function pathElement(keyOrId: string): ElementDefinition {
    const element = findElement(keyOrId);
    if (!element) {
        throw new ApiError(404, `No element found with key or ID ${quote(keyOrId)}`);
    }
    return element;
}

/** @internal The caller's instance with id `idText`, which must be of the element the path names. */
export function ownedOfElement(deps: ApiDeps, ctx: Context, keyOrId: string, idText: string): StoredInstance {
    const element = pathElement(keyOrId);
    const instance = owned(deps, ctx, idText);
    if (instance.elementKey !== element.key) {
        throw new ApiError(404, `No instance found with ID ${instance.id} for element ${element.key}`);
    }
    return instance;
}

/** @internal The instance of the caller's element token, for the token-scoped routes (`/instances/enabled`, ...). */
export function tokenInstance(ctx: Context): StoredInstance {
    // Token-scoped routes need the Element part; a token of a deleted or foreign instance is a 401.
    const instance = ctx.caller.tokenInstance;
    if (!instance) {
        throw new ApiError(401, authFailureMessage);
    }
    return instance;
}
