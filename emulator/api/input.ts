/** Validation of what a client sends: headers, the JSON body and its fields. Every failure is an {@link ApiError}. */
import { findElement } from "../elements/catalogue";
import type { ElementDefinition } from "../elements/types";
import { ApiError } from "./errors";
import type { ApiRequest } from "./types";

/** @internal An element named in a request body, by key and/or id. */
export interface ElementRef {
    key?: string;
    id?: string;
    /** How to name it in a message. */
    label: string;
}

const jsonType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/** @internal Whether an `Accept` header admits a JSON answer (no header admits everything). */
export function acceptsJson(accept: string | undefined): boolean {
    if (!accept || accept.trim() === "") {
        return true;
    }
    return accept.split(",").some((range) => {
        const type = range.split(";")[0].trim().toLowerCase();
        return (
            type === "*/*" ||
            type === "*" ||
            type === "application/*" ||
            type === "application/json" ||
            type.endsWith("+json")
        );
    });
}

/** @internal Whether `value` is a JSON object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
    return !!value && typeof value === "object" && !Array.isArray(value);
}

/** @internal Quotes user input in a message, shortened. */
export function quote(value: unknown): string {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return `'${text.length > 80 ? `${text.slice(0, 77)}...` : text}'`;
}

/** HTML tags are stripped from names and tags (reference section 6). */
function stripHtml(value: string): string {
    return value.replace(/<[^>]*>/g, "");
}

/** @internal The request body as a JSON object; 415 for another content type, 400 when missing or not an object. */
export function parseBody(req: ApiRequest): Record<string, unknown> {
    const type = req.headers["content-type"];
    if (req.rawBody.length > 0 && !(type && jsonType.test(type))) {
        throw new ApiError(415, `Content type ${quote(type ?? "")} not supported: send application/json`);
    }
    if (req.rawBody.length === 0) {
        throw new ApiError(400, "A JSON request body is required");
    }
    let value: unknown;
    try {
        value = JSON.parse(req.rawBody.toString("utf8"));
    } catch {
        throw new ApiError(400, "Malformed JSON in the request body");
    }
    if (!isPlainObject(value)) {
        throw new ApiError(400, "The request body must be a JSON object");
    }
    return value;
}

/** @internal The `name` field: a non-empty string, HTML stripped. */
export function nameInput(value: unknown): string {
    if (value === undefined) {
        throw new ApiError(400, "name is required");
    }
    if (typeof value !== "string") {
        throw new ApiError(400, "name must be a string");
    }
    const name = stripHtml(value);
    if (name.trim() === "") {
        throw new ApiError(400, "name must not be empty");
    }
    return name;
}

/** @internal The `tags` field: strings, HTML stripped, empty ones dropped. */
export function tagsInput(value: unknown): string[] {
    if (!Array.isArray(value) || !value.every((tag) => typeof tag === "string")) {
        throw new ApiError(400, "tags must be an array of strings");
    }
    return value.map(stripHtml).filter((tag) => tag !== "");
}

/** @internal A configuration value as the platform stores it: a string (objects and arrays as JSON); null = remove. */
export function configurationValue(value: unknown): string | null {
    if (value === null) {
        return null;
    }
    if (typeof value === "string") {
        return value;
    }
    if (typeof value === "number" || typeof value === "boolean") {
        return String(value);
    }
    return JSON.stringify(value);
}

/** @internal The `configuration` field: key to stored value (null = remove). */
export function configurationInput(value: unknown): Map<string, string | null> {
    if (!isPlainObject(value)) {
        throw new ApiError(400, "configuration must be an object");
    }
    return new Map(Object.entries(value).map(([key, raw]) => [key, configurationValue(raw)]));
}

/** @internal The `element` field: an object with a string key and/or a numeric id. */
export function elementRef(value: unknown): ElementRef {
    if (!isPlainObject(value)) {
        throw new ApiError(400, "element must be an object with a key or an id");
    }
    const key = value.key;
    const id = value.id;
    if (key !== undefined && typeof key !== "string") {
        throw new ApiError(400, "element.key must be a string");
    }
    if (id !== undefined && !(typeof id === "number" || (typeof id === "string" && /^\d+$/.test(id)))) {
        throw new ApiError(400, "element.id must be a number");
    }
    if (key === undefined && id === undefined) {
        throw new ApiError(400, "element must have a key or an id");
    }
    const ref: ElementRef = { label: key !== undefined ? quote(key) : `ID ${String(id)}` };
    if (key !== undefined) {
        ref.key = key;
    }
    if (id !== undefined) {
        ref.id = String(id);
    }
    return ref;
}

/** @internal The element a reference names, if the emulator knows it and key and id agree. */
export function resolveRef(ref: ElementRef): ElementDefinition | undefined {
    const byKey = ref.key !== undefined ? findElement(ref.key) : undefined;
    const byId = ref.id !== undefined ? findElement(ref.id) : undefined;
    if (ref.key !== undefined && byKey?.key !== ref.key) {
        return undefined;
    }
    if (ref.id !== undefined && String(byId?.id) !== ref.id) {
        return undefined;
    }
    if (byKey && byId && byKey !== byId) {
        return undefined;
    }
    return byKey ?? byId;
}
