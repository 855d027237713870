/**
 * The instance routes: read, create, update (PUT and PATCH), delete, enable and disable. Every handler builds the new
 * instance first and stores it only after every check passed, so a failed request changes nothing; there is no
 * `await` between reading an instance and storing its new version.
 */
import { elementOf, elements } from "../elements/catalogue";
import type { ElementDefinition } from "../elements/types";
import type { StoredInstance } from "../store";
import { authenticateCreate, authenticateUpdate } from "./authentication";
import { completeConfiguration, configEntries, configurationMap, withExternal } from "./configuration";
import { ApiError } from "./errors";
import { configurationInput, elementRef, nameInput, quote, resolveRef, tagsInput } from "./input";
import { renderInstance } from "./render";
import type { ApiDeps, Context, Outcome } from "./types";

/** `createdDate` style: ISO-8601 UTC without milliseconds. */
function isoSeconds(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * @internal Gives every stored instance all the configuration keys of its element (instances loaded from a state
 * file of an older emulator may lack the empty and internal ones). Kept in memory; the next write persists it.
 */
export function completeStoredInstances(deps: ApiDeps): void {
    for (const instance of [...deps.store.values()]) {
        const element = elementOf(instance);
        const values = configurationMap(instance.configuration);
        const complete = completeConfiguration(element, values);
        if (complete.size === values.size) {
            continue;
        }
        deps.store.put({ ...instance, configuration: configEntries(deps, complete, instance.configuration) });
    }
}

/** @internal `GET /instances/{id}`. */
export function readInstance(deps: ApiDeps, instance: StoredInstance): Outcome {
    return { status: 200, json: renderInstance(deps.settings, instance, true) };
}

/** The element a create names: in the body, in the path, or both (then they must agree). */
function createElement(body: Record<string, unknown>, pathElement: ElementDefinition | undefined): ElementDefinition {
    let element = pathElement;
    if (body.element !== undefined) {
        const ref = elementRef(body.element);
        const named = resolveRef(ref);
        if (!named) {
            const known = elements.map((candidate) => candidate.key).join(", ");
            throw new ApiError(400, `Element ${ref.label} is not available: this emulator serves ${known}`);
        }
        if (pathElement && named !== pathElement) {
            throw new ApiError(400, `The element in the body (${ref.label}) differs from the element in the path`);
        }
        element = named;
    }
    if (!element) {
        throw new ApiError(
            400,
            "An element is required: send element.key (or element.id), or POST to /elements/{keyOrId}/instances",
        );
    }
    return element;
}

/** The configuration a create sends, as strings; a null value is left out (the key keeps its default). */
function suppliedConfiguration(value: unknown): Map<string, string> {
    const supplied = new Map<string, string>();
    for (const [key, entry] of configurationInput(value ?? {})) {
        if (entry !== null) {
            supplied.set(key, entry);
        }
    }
    return supplied;
}

/** @internal `POST /instances` and `POST /elements/{keyOrId}/instances`. */
export async function createInstance(deps: ApiDeps, ctx: Context, pathElement?: ElementDefinition): Promise<Outcome> {
    const body = ctx.body;
    const element = createElement(body, pathElement);
    const name = nameInput(body.name);
    const tags = body.tags === undefined ? [name] : tagsInput(body.tags);
    const values = completeConfiguration(element, suppliedConfiguration(body.configuration));
    const external = authenticateCreate(deps, element, values, body);
    const identity = ctx.caller.identity;
    const instance: StoredInstance = withExternal(
        {
            id: deps.store.allocateId(),
            name,
            tags,
            createdDate: isoSeconds(new Date()),
            token: deps.store.newToken(),
            elementKey: element.key,
            organizationSecretFingerprint: identity.organizationSecretFingerprint,
            user: {
                id: identity.userId,
                email: identity.email,
                firstName: identity.firstName,
                lastName: identity.lastName,
            },
            configuration: configEntries(deps, values, []),
            disabled: false,
            valid: true,
        },
        external,
    );
    deps.store.put(instance);
    await deps.store.commit();
    return { status: 200, json: renderInstance(deps.settings, instance, true) };
}

/** 400 when an update body names another instance id or another element. */
function checkUpdateTarget(body: Record<string, unknown>, instance: StoredInstance, element: ElementDefinition): void {
    if (body.id !== undefined && String(body.id) !== String(instance.id)) {
        throw new ApiError(400, `The id in the body (${quote(body.id)}) does not match instance ${instance.id}`);
    }
    if (body.element !== undefined) {
        const ref = elementRef(body.element);
        if (resolveRef(ref) !== element) {
            throw new ApiError(
                400,
                `Cannot change the element of instance ${instance.id} from ${element.key} to ${ref.label}: ` +
                    "only a clone of the same element is allowed",
            );
        }
    }
}

/** The configuration an update leaves: `previous` merged with the body's (a null value removes the key). */
function mergedConfiguration(previous: ReadonlyMap<string, string | null>, value: unknown): Map<string, string | null> {
    const merged = new Map(previous);
    if (value !== undefined) {
        // A removed element key comes back with its default through completeConfiguration.
        for (const [key, entry] of configurationInput(value)) {
            if (entry === null) {
                merged.delete(key);
            } else {
                merged.set(key, entry);
            }
        }
    }
    return merged;
}

/**
 * @internal PUT and PATCH, both partial (reference section 12): `name` and `tags` are replaced when present and kept
 * when absent; `configuration` is merged key by key (a null value resets an element key to its default and removes
 * an extra key). Credentials are re-checked when a key the check reads changes, and on PUT with
 * `?reAuthenticate=true` (documented on PUT only; PATCH ignores the parameter), which also needs a new OAuth grant.
 */
export async function updateInstance(
    deps: ApiDeps,
    ctx: Context,
    instance: StoredInstance,
    mode: "put" | "patch",
): Promise<Outcome> {
    const body = ctx.body;
    const element = elementOf(instance);
    checkUpdateTarget(body, instance, element);
    const name = "name" in body ? nameInput(body.name) : instance.name;
    const tags = "tags" in body ? tagsInput(body.tags) : instance.tags;
    const previous = configurationMap(instance.configuration);
    const values = completeConfiguration(element, mergedConfiguration(previous, body.configuration));
    const external = authenticateUpdate(deps, element, {
        previous,
        values,
        body,
        reAuthenticate: mode === "put" && ctx.req.query.get("reAuthenticate")?.toLowerCase() === "true",
        external: instance.externalAuthentication ?? "none",
    });
    const next: StoredInstance = {
        ...withExternal(instance, external),
        name,
        tags: [...tags],
        configuration: configEntries(deps, values, instance.configuration),
    };
    deps.store.put(next);
    await deps.store.commit();
    return { status: 200, json: renderInstance(deps.settings, next, true) };
}

/** @internal `DELETE /instances/{id}`; 409 while the instance is marked in use. */
export async function deleteInstance(deps: ApiDeps, instance: StoredInstance): Promise<Outcome> {
    if (instance.inUse) {
        // Reference section 12 (cectl: "an error if Element Instance is in use"); the wording is inferred.
        throw new ApiError(409, `Instance ${instance.id} is in use and cannot be deleted`);
    }
    deps.store.delete(instance.id);
    await deps.store.commit();
    return { status: 200 };
}

/** @internal `PUT` (enable) and `DELETE` (disable) on `.../enabled`. */
export async function setDisabled(deps: ApiDeps, instance: StoredInstance, disabled: boolean): Promise<Outcome> {
    const next: StoredInstance = { ...instance, disabled };
    deps.store.put(next);
    await deps.store.commit();
    return { status: 200, json: renderInstance(deps.settings, next, true) };
}
