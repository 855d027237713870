/**
 * Element metadata discovery (`GET /elements`, `/elements/keys`, `/elements/{keyOrId}`, its `configuration` and
 * `authentication-types`): what a generic client reads to learn which configuration keys an element takes.
 */
import { elements } from "../elements/catalogue";
import type { AuthMode, ConfigItem, ElementDefinition } from "../elements/types";
import { ApiError } from "./errors";
import { quote } from "./input";
import type { Outcome } from "./types";

/** The fields `GET /elements` shows of each element (devportal `docs/platform-api/elements/index.md`). */
function listed(element: ElementDefinition): Record<string, unknown> {
    const { id, key, name, description, image, active, deleted, typeOauth, trialAccount, hub, authentication } =
        element.block;
    return { id, key, name, description, image, active, deleted, typeOauth, trialAccount, hub, authentication };
}

/** @internal `GET /elements`: every element, without its configuration. */
export function listElements(): Outcome {
    const count = String(elements.length);
    return {
        status: 200,
        json: elements.map(listed),
        headers: { "Elements-Total-Count": count, "Elements-Returned-Count": count },
    };
}

/** @internal `GET /elements/keys`. */
export function elementKeys(): Outcome {
    return { status: 200, json: elements.map((element) => element.key) };
}

/** @internal `GET /elements/{keyOrId}`: the element block with its `configuration` items. */
export function readElement(element: ElementDefinition): Outcome {
    return { status: 200, json: { ...element.block, configuration: element.configuration } };
}

/** @internal `GET /elements/{keyOrId}/configuration`: an object, `{configuration: [items]}`. */
export function elementConfiguration(element: ElementDefinition): Outcome {
    return { status: 200, json: { configuration: element.configuration } };
}

/** @internal `GET /elements/{keyOrId}/authentication-types`: the modes, the default first. */
export function authenticationTypes(element: ElementDefinition): Outcome {
    return {
        status: 200,
        json: {
            defaultValue: element.modes[0].type,
            options: element.modes.map((mode) => ({ value: mode.type, description: mode.description })),
        },
    };
}

/** One item as a mode's configuration lists it: `required` says whether this mode needs it. */
function modeItem(item: ConfigItem, mode: AuthMode): Record<string, unknown> {
    const { id, key, name, description, type, defaultValue, displayOrder, options } = item;
    return {
        id,
        key,
        name,
        description,
        type,
        required: item.required || mode.requires.includes(key),
        ...(defaultValue !== undefined ? { defaultValue } : {}),
        displayOrder,
        ...(options !== undefined ? { options } : {}),
    };
}

/**
 * @internal `GET /elements/{keyOrId}/authentication-types/{type}/configurations`: the items a user may set in this
 * mode (internal ones and other modes' left out), `required` made mode-aware; 404 for a mode the element lacks.
 */
export function authenticationTypeConfigurations(element: ElementDefinition, type: string): Outcome {
    const mode = element.modes.find((candidate) => candidate.type === type);
    if (!mode) {
        throw new ApiError(404, `No authentication type ${quote(type)} found for element ${element.key}`);
    }
    const items = element.configuration.filter(
        (item) => !item.internal && (element.itemModes.get(item.key)?.includes(mode.type) ?? true),
    );
    return { status: 200, json: items.map((item) => modeItem(item, mode)) };
}
