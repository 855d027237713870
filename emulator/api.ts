/**
 * The `/elements/api-v2` instance API: routing, validation and the semantics of reference sections 4-9.
 * Every handler builds the new instance first and stores it only after every check passed, so a failed
 * request changes nothing; there is no `await` between reading an instance and storing its new version.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { AccountDirectory } from "./accounts";
import { authenticate, type Caller } from "./auth";
import { type ElementDefinition, findElement, freshdeskV2, mask, passwordKeys, secretKeys } from "./element";
import { fingerprint } from "./fingerprint";
import type { InstanceStore, StoredConfigEntry, StoredInstance } from "./store";
import type { EmulatedInstance, EmulatorSettings } from "./types";

/** @internal A request as the API sees it (after faults, with the body read). */
export interface ApiRequest {
    method: string;
    /** Full path as received, for messages. */
    path: string;
    /** Path after `/elements/api-v2`, or undefined when the path is outside it. */
    apiPath: string | undefined;
    query: URLSearchParams;
    headers: IncomingHttpHeaders;
    rawBody: Buffer;
    requestId: string;
}

/** @internal What to answer. */
export interface Outcome {
    status: number;
    /** JSON body; no body when both `json` and `raw` are undefined. */
    json?: unknown;
    raw?: string;
    contentType?: string;
    headers?: Record<string, string>;
}

/** @internal The message of every 401 (reference section 2). */
export const authFailureMessage = "Invalid Organization or User secret, or invalid Element token provided.";

/** @internal Freshdesk's answer to a bad API key, passed through as `providerMessage`. */
export const freshdeskInvalidCredentials =
    '{"code":"invalid_credentials","message":"You have to be logged in to perform this action."}';

const maxPageSize = 200;

/** @internal An error answer: `{requestId, message[, providerMessage]}`. */
export class ApiError extends Error {
    constructor(
        readonly status: number,
        message: string,
        readonly providerMessage?: string,
        readonly headers?: Record<string, string>,
    ) {
        super(message);
    }
}

/** @internal Builds an error outcome. */
export function errorOutcome(
    requestId: string,
    status: number,
    message: string,
    providerMessage?: string,
    headers?: Record<string, string>,
): Outcome {
    const json: Record<string, string> = { requestId, message };
    if (providerMessage !== undefined) json.providerMessage = providerMessage;
    return { status, json, headers };
}

/** @internal The message of every empty list answer (404; reference section 12). */
export const noInstancesMessage = "No instances found";

/**
 * @internal Behaviour switches of the API. The object is shared with the server, which may change it at run time
 * (`PUT /__emulator/settings`); handlers read it on every request.
 */
export type ApiSettings = EmulatorSettings;

interface Context {
    req: ApiRequest;
    caller: Caller;
    /** The JSON object body (empty for routes without one). */
    body: Record<string, unknown>;
}

type Handler = (ctx: Context, params: string[]) => Outcome | Promise<Outcome>;

interface MethodSpec {
    run: Handler;
    /** The route takes a JSON object body. */
    body?: boolean;
}

interface Route {
    pattern: RegExp;
    methods: Record<string, MethodSpec>;
}

interface ElementRef {
    key?: string;
    id?: string;
    /** How to name it in a message. */
    label: string;
}

const jsonType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

function acceptsJson(accept: string | undefined): boolean {
    if (!accept || accept.trim() === "") return true;
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

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return !!value && typeof value === "object" && !Array.isArray(value);
}

/** Quotes user input in a message, shortened. */
function quote(value: unknown): string {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return `'${text.length > 80 ? `${text.slice(0, 77)}...` : text}'`;
}

/** HTML tags are stripped from names and tags (reference section 6). */
function stripHtml(value: string): string {
    return value.replace(/<[^>]*>/g, "");
}

/** `createdDate` style: ISO-8601 UTC without milliseconds. */
function isoSeconds(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function encodePageToken(afterId: number): string {
    return Buffer.from(JSON.stringify({ after: afterId }), "utf8").toString("base64url");
}

function decodePageToken(token: string): number {
    try {
        const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
        if (Number.isSafeInteger(value.after) && (value.after as number) >= 0) return value.after as number;
    } catch {
        // fall through
    }
    throw new ApiError(400, "Invalid nextPage token: use the Elements-Next-Page-Token header of the previous page");
}

/** A configuration value as the platform stores it: a string (objects and arrays as JSON); null = remove. */
function configurationValue(value: unknown): string | null {
    if (value === null) return null;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    return JSON.stringify(value);
}

function configurationMap(entries: readonly StoredConfigEntry[]): Map<string, string> {
    return new Map(entries.map((entry) => [entry.key, entry.value]));
}

/** @internal The control API's view of an instance: secrets replaced by fingerprints or the mask. */
export function toEmulatedInstance(instance: StoredInstance): EmulatedInstance {
    const configuration: Record<string, string> = {};
    let apiKey = "";
    for (const entry of instance.configuration) {
        if (entry.key === "username") apiKey = entry.value;
        // An empty secret key is shown as empty: that it is unset is no secret.
        configuration[entry.key] = secretKeys.has(entry.key) && entry.value !== "" ? mask : entry.value;
    }
    return {
        id: instance.id,
        name: instance.name,
        tags: [...instance.tags],
        createdDate: instance.createdDate,
        organizationSecretFingerprint: instance.organizationSecretFingerprint,
        userEmail: instance.user.email,
        elementKey: instance.elementKey,
        configuration,
        apiKeyFingerprint: fingerprint(apiKey),
        tokenFingerprint: fingerprint(instance.token),
        disabled: instance.disabled,
        valid: instance.valid,
        inUse: instance.inUse === true,
    };
}

/**
 * @internal The element's configuration in its canonical order: every key the element declares (its default when
 * `values` lacks it), then the extra keys of `values` in their order.
 */
export function completeConfiguration(
    element: ElementDefinition,
    values: ReadonlyMap<string, string>,
): Map<string, string> {
    const complete = new Map<string, string>();
    for (const [key, fallback] of element.configurationDefaults) complete.set(key, values.get(key) ?? fallback);
    for (const [key, value] of values) if (!complete.has(key)) complete.set(key, value);
    return complete;
}

/** @internal Routes and handlers of the instance API. */
export class InstanceApi {
    private readonly routes: Route[];

    constructor(
        private readonly store: InstanceStore,
        private readonly accounts: () => AccountDirectory,
        private readonly settings: ApiSettings,
    ) {
        const byToken = (ctx: Context) => this.tokenInstance(ctx);
        this.routes = [
            {
                pattern: /^\/instances$/,
                methods: {
                    GET: { run: (ctx) => this.list(ctx) },
                    POST: { run: (ctx) => this.create(ctx), body: true },
                    PUT: { run: (ctx) => this.update(ctx, byToken(ctx), "put"), body: true },
                    PATCH: { run: (ctx) => this.update(ctx, byToken(ctx), "patch"), body: true },
                },
            },
            {
                pattern: /^\/instances\/enabled$/,
                methods: {
                    PUT: { run: (ctx) => this.setDisabled(byToken(ctx), false) },
                    DELETE: { run: (ctx) => this.setDisabled(byToken(ctx), true) },
                },
            },
            {
                pattern: /^\/instances\/configuration$/,
                methods: { GET: { run: (ctx) => this.configuration(byToken(ctx)) } },
            },
            {
                pattern: /^\/instances\/configuration\/([^/]+)$/,
                methods: {
                    GET: { run: (ctx, [entryId]) => this.configurationEntry(byToken(ctx), entryId) },
                    PATCH: {
                        run: (ctx, [entryId]) => this.patchConfigurationEntry(ctx, byToken(ctx), entryId),
                        body: true,
                    },
                },
            },
            {
                pattern: /^\/instances\/events$/,
                methods: { GET: { run: (ctx) => this.events(byToken(ctx)) } },
            },
            {
                pattern: /^\/instances\/([^/]+)$/,
                methods: {
                    GET: { run: (ctx, [id]) => this.read(this.owned(ctx, id)) },
                    PUT: { run: (ctx, [id]) => this.update(ctx, this.owned(ctx, id), "put"), body: true },
                    PATCH: { run: (ctx, [id]) => this.update(ctx, this.owned(ctx, id), "patch"), body: true },
                    DELETE: { run: (ctx, [id]) => this.remove(this.owned(ctx, id)) },
                },
            },
            {
                pattern: /^\/instances\/([^/]+)\/enabled$/,
                methods: {
                    PUT: { run: (ctx, [id]) => this.setDisabled(this.owned(ctx, id), false) },
                    DELETE: { run: (ctx, [id]) => this.setDisabled(this.owned(ctx, id), true) },
                },
            },
            {
                pattern: /^\/instances\/([^/]+)\/configuration$/,
                methods: { GET: { run: (ctx, [id]) => this.configuration(this.owned(ctx, id)) } },
            },
            {
                pattern: /^\/instances\/([^/]+)\/configuration\/([^/]+)$/,
                methods: {
                    GET: { run: (ctx, [id, entryId]) => this.configurationEntry(this.owned(ctx, id), entryId) },
                    PATCH: {
                        run: (ctx, [id, entryId]) => this.patchConfigurationEntry(ctx, this.owned(ctx, id), entryId),
                        body: true,
                    },
                },
            },
            {
                pattern: /^\/instances\/([^/]+)\/events$/,
                methods: { GET: { run: (ctx, [id]) => this.events(this.owned(ctx, id)) } },
            },
            {
                pattern: /^\/elements\/([^/]+)\/instances$/,
                methods: {
                    GET: { run: (ctx, [key]) => this.list(ctx, this.pathElement(key)) },
                    POST: { run: (ctx, [key]) => this.create(ctx, this.pathElement(key)), body: true },
                },
            },
            {
                pattern: /^\/elements\/([^/]+)\/instances\/([^/]+)$/,
                methods: {
                    GET: { run: (ctx, [key, id]) => this.read(this.ownedOfElement(ctx, key, id)) },
                    PUT: {
                        run: (ctx, [key, id]) => this.update(ctx, this.ownedOfElement(ctx, key, id), "put"),
                        body: true,
                    },
                    PATCH: {
                        run: (ctx, [key, id]) => this.update(ctx, this.ownedOfElement(ctx, key, id), "patch"),
                        body: true,
                    },
                    DELETE: { run: (ctx, [key, id]) => this.remove(this.ownedOfElement(ctx, key, id)) },
                },
            },
        ];
    }

    /**
     * Gives every stored instance all the configuration keys of its element (instances loaded from a state file of
     * an older emulator may lack the empty and internal ones). Kept in memory; the next write persists it.
     */
    completeStoredInstances(): void {
        for (const instance of [...this.store.values()]) {
            const element = findElement(instance.elementKey) ?? freshdeskV2;
            const values = configurationMap(instance.configuration);
            const complete = completeConfiguration(element, values);
            if (complete.size === values.size) continue;
            this.store.put({ ...instance, configuration: this.entries(complete, instance.configuration) });
        }
    }

    /** Routes, authenticates and runs a request. Never throws. */
    async dispatch(req: ApiRequest): Promise<Outcome> {
        try {
            return await this.dispatchOrThrow(req);
        } catch (error) {
            if (error instanceof ApiError) {
                return errorOutcome(req.requestId, error.status, error.message, error.providerMessage, error.headers);
            }
            throw error;
        }
    }

    private async dispatchOrThrow(req: ApiRequest): Promise<Outcome> {
        const unknownRoute = () => new ApiError(404, `No route matches ${req.method} ${req.path}`);
        if (req.apiPath === undefined) throw unknownRoute();
        const path = req.apiPath.length > 1 && req.apiPath.endsWith("/") ? req.apiPath.slice(0, -1) : req.apiPath;
        let route: Route | undefined;
        let match: RegExpExecArray | null = null;
        for (const candidate of this.routes) {
            match = candidate.pattern.exec(path);
            if (match) {
                route = candidate;
                break;
            }
        }
        if (!route || !match) throw unknownRoute();
        const spec = route.methods[req.method];
        if (!spec) {
            const allow = Object.keys(route.methods).join(", ");
            throw new ApiError(405, `Request method '${req.method}' not supported (allowed: ${allow})`, undefined, {
                Allow: allow,
            });
        }
        if (!acceptsJson(req.headers.accept)) {
            throw new ApiError(406, "This resource only produces application/json; check the Accept header");
        }
        const caller = authenticate(req.headers.authorization, this.accounts(), this.store);
        if (!caller) throw new ApiError(401, authFailureMessage);
        const params = match.slice(1).map((param) => {
            try {
                return decodeURIComponent(param);
            } catch {
                throw new ApiError(400, `Malformed path segment ${quote(param)}`);
            }
        });
        const body = spec.body ? this.parseBody(req) : {};
        return spec.run({ req, caller, body }, params);
    }

    private parseBody(req: ApiRequest): Record<string, unknown> {
        const type = req.headers["content-type"];
        if (req.rawBody.length > 0 && !(type && jsonType.test(type))) {
            throw new ApiError(415, `Content type ${quote(type ?? "")} not supported: send application/json`);
        }
        if (req.rawBody.length === 0) throw new ApiError(400, "A JSON request body is required");
        let value: unknown;
        try {
            value = JSON.parse(req.rawBody.toString("utf8"));
        } catch {
            throw new ApiError(400, "Malformed JSON in the request body");
        }
        if (!isPlainObject(value)) throw new ApiError(400, "The request body must be a JSON object");
        return value;
    }

    // --- lookups -------------------------------------------------------------------------------------

    private owned(ctx: Context, idText: string): StoredInstance {
        if (!/^\d{1,15}$/.test(idText))
            throw new ApiError(400, `Invalid instance ID ${quote(idText)}: expected an integer`);
        const instance = this.store.get(Number(idText));
        if (!instance || this.store.ownerOf(instance) !== ctx.caller.identity.ownerKey) {
            throw new ApiError(404, `No instance found with ID ${Number(idText)}`);
        }
        return instance;
    }

    private ownedOfElement(ctx: Context, keyOrId: string, idText: string): StoredInstance {
        const element = this.pathElement(keyOrId);
        const instance = this.owned(ctx, idText);
        if (instance.elementKey !== element.key) {
            throw new ApiError(404, `No instance found with ID ${instance.id} for element ${element.key}`);
        }
        return instance;
    }

    private tokenInstance(ctx: Context): StoredInstance {
        // Token-scoped routes need the Element part; a token of a deleted or foreign instance is a 401.
        const instance = ctx.caller.tokenInstance;
        if (!instance) throw new ApiError(401, authFailureMessage);
        return instance;
    }

    private pathElement(keyOrId: string): ElementDefinition {
        const element = findElement(keyOrId);
        if (!element) {
            throw new ApiError(
                404,
                `No element found with key or ID ${quote(keyOrId)}: this emulator serves freshdeskv2 (ID 491) only`,
            );
        }
        return element;
    }

    private elementRef(value: unknown): ElementRef {
        if (!isPlainObject(value)) throw new ApiError(400, "element must be an object with a key or an id");
        const key = value.key;
        const id = value.id;
        if (key !== undefined && typeof key !== "string") throw new ApiError(400, "element.key must be a string");
        if (id !== undefined && !(typeof id === "number" || (typeof id === "string" && /^\d+$/.test(id)))) {
            throw new ApiError(400, "element.id must be a number");
        }
        if (key === undefined && id === undefined) throw new ApiError(400, "element must have a key or an id");
        const ref: ElementRef = { label: key !== undefined ? quote(key) : `ID ${String(id)}` };
        if (key !== undefined) ref.key = key;
        if (id !== undefined) ref.id = String(id);
        return ref;
    }

    /** The element a reference names, if the emulator knows it and key and id agree. */
    private resolveRef(ref: ElementRef): ElementDefinition | undefined {
        const byKey = ref.key !== undefined ? findElement(ref.key) : undefined;
        const byId = ref.id !== undefined ? findElement(ref.id) : undefined;
        if (ref.key !== undefined && byKey?.key !== ref.key) return undefined;
        if (ref.id !== undefined && String(byId?.id) !== ref.id) return undefined;
        if (byKey && byId && byKey !== byId) return undefined;
        return byKey ?? byId;
    }

    // --- validation ----------------------------------------------------------------------------------

    private name(value: unknown): string {
        if (value === undefined) throw new ApiError(400, "name is required");
        if (typeof value !== "string") throw new ApiError(400, "name must be a string");
        const name = stripHtml(value);
        if (name.trim() === "") throw new ApiError(400, "name must not be empty");
        return name;
    }

    private tags(value: unknown): string[] {
        if (!Array.isArray(value) || !value.every((tag) => typeof tag === "string")) {
            throw new ApiError(400, "tags must be an array of strings");
        }
        return value.map(stripHtml).filter((tag) => tag !== "");
    }

    private configurationInput(value: unknown): Map<string, string | null> {
        if (!isPlainObject(value)) throw new ApiError(400, "configuration must be an object");
        return new Map(Object.entries(value).map(([key, raw]) => [key, configurationValue(raw)]));
    }

    private requireConfiguration(element: ElementDefinition, values: Map<string, string>): void {
        const missing = element.requiredConfiguration.filter((key) => (values.get(key) ?? "").trim() === "");
        if (missing.length > 0) {
            throw new ApiError(
                400,
                `Missing required configuration ${missing.length > 1 ? "entries" : "entry"} for ${element.key}: ${missing.join(", ")}`,
            );
        }
    }

    /** The fake Freshdesk check: the API key must be one of the subdomain's keys (an unknown subdomain fails). */
    private checkCredentials(element: ElementDefinition, values: Map<string, string>): void {
        if (!this.settings.validateCredentials) return;
        if (!this.accounts().freshdeskAccepts(values.get("subdomain") ?? "", values.get("username") ?? "")) {
            throw new ApiError(400, `Failed to validate credentials for ${element.key}`, freshdeskInvalidCredentials);
        }
    }

    /** Entries for `values`, keeping the ids of keys that already existed. */
    private entries(values: Map<string, string>, previous: readonly StoredConfigEntry[]): StoredConfigEntry[] {
        const ids = new Map(previous.map((entry) => [entry.key, entry.id]));
        return [...values].map(([key, value]) => ({ id: ids.get(key) ?? this.store.allocateConfigId(), key, value }));
    }

    // --- rendering -----------------------------------------------------------------------------------

    /** Only PASSWORD-type values are masked (reference section 12); `username` only when asked to. */
    private shownValue(key: string, value: string): string {
        if (value === "") return value;
        return (key === "username" && this.settings.maskUsername) || passwordKeys.has(key) ? mask : value;
    }

    /** The instance response of reference section 6 (`providerData` is never echoed). */
    private render(instance: StoredInstance, hydrate: boolean): Record<string, unknown> {
        const element = findElement(instance.elementKey) ?? freshdeskV2;
        const configuration: Record<string, string> = {};
        for (const entry of instance.configuration) configuration[entry.key] = this.shownValue(entry.key, entry.value);
        const rendered: Record<string, unknown> = {
            id: instance.id,
            name: instance.name,
            createdDate: instance.createdDate,
            token: instance.token,
            element: hydrate ? element.block : element.summary,
            elementId: element.id,
            tags: [...instance.tags],
            provisionInteractions: [],
            valid: instance.valid,
            disabled: instance.disabled,
            maxCacheSize: 0,
            cacheTimeToLive: 0,
        };
        if (hydrate) rendered.configuration = configuration;
        rendered.eventsEnabled = (configuration["event.notification.enabled"] ?? "").toLowerCase() === "true";
        rendered.traceLoggingEnabled = false;
        rendered.cachingEnabled = false;
        rendered.externalAuthentication = "none";
        rendered.user = {
            id: instance.user.id,
            emailAddress: instance.user.email,
            firstName: instance.user.firstName,
            lastName: instance.user.lastName,
        };
        return rendered;
    }

    private renderEntry(entry: StoredConfigEntry): Record<string, unknown> {
        return { id: entry.id, key: entry.key, propertyValue: this.shownValue(entry.key, entry.value) };
    }

    // --- handlers ------------------------------------------------------------------------------------

    private list(ctx: Context, element?: ElementDefinition): Outcome {
        const query = ctx.req.query;
        const tags = query.getAll("tags[]");
        const searchText = (query.get("searchText") ?? "").trim().toLowerCase();
        const hydrate = (query.get("hydrate") ?? "").toLowerCase() !== "false";
        const pageSizeText = query.get("pageSize");
        let pageSize = maxPageSize;
        if (pageSizeText !== null) {
            if (!/^\d{1,9}$/.test(pageSizeText) || Number(pageSizeText) < 1) {
                throw new ApiError(400, "pageSize must be a positive integer");
            }
            pageSize = Math.min(Number(pageSizeText), maxPageSize);
        }
        const nextPage = query.get("nextPage");
        const after = nextPage ? decodePageToken(nextPage) : undefined;
        const owner = ctx.caller.identity.ownerKey;
        const matches: StoredInstance[] = [];
        for (const instance of this.store.values()) {
            if (this.store.ownerOf(instance) !== owner) continue;
            if (element && instance.elementKey !== element.key) continue;
            if (tags.length > 0 && !tags.every((tag) => instance.tags.includes(tag))) continue;
            if (
                searchText &&
                !instance.name.toLowerCase().includes(searchText) &&
                !instance.elementKey.toLowerCase().includes(searchText)
            ) {
                continue;
            }
            matches.push(instance);
        }
        // Empty answers are 404 (reference section 12): a plain list and a searchText search are documented; a
        // tags[]-only search is not, so it follows the emptyTagSearch setting.
        const tagsOnly = tags.length > 0 && !searchText;
        if (matches.length === 0 && !(tagsOnly && this.settings.emptyTagSearch === "[]")) {
            throw new ApiError(404, noInstancesMessage);
        }
        let start = 0;
        if (after !== undefined) {
            // matches are in id order: binary search for the first id after the cursor.
            let low = 0;
            let high = matches.length;
            while (low < high) {
                const mid = (low + high) >> 1;
                if (matches[mid].id <= after) low = mid + 1;
                else high = mid;
            }
            start = low;
        }
        const page = matches.slice(start, start + pageSize);
        // A nextPage past the last match (the instances after the cursor were deleted meanwhile) is empty too.
        if (page.length === 0 && matches.length > 0) throw new ApiError(404, noInstancesMessage);
        const headers: Record<string, string> = {
            "Elements-Total-Count": String(matches.length),
            "Elements-Returned-Count": String(page.length),
        };
        if (start + page.length < matches.length) {
            headers["Elements-Next-Page-Token"] = encodePageToken(page[page.length - 1].id);
        }
        return { status: 200, json: page.map((instance) => this.render(instance, hydrate)), headers };
    }

    private read(instance: StoredInstance): Outcome {
        return { status: 200, json: this.render(instance, true) };
    }

    private async create(ctx: Context, pathElement?: ElementDefinition): Promise<Outcome> {
        const body = ctx.body;
        let element = pathElement;
        if (body.element !== undefined) {
            const ref = this.elementRef(body.element);
            const named = this.resolveRef(ref);
            if (!named) {
                throw new ApiError(
                    400,
                    `Element ${ref.label} is not available: this emulator serves freshdeskv2 (ID 491) only`,
                );
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
        const name = this.name(body.name);
        const tags = body.tags === undefined ? [name] : this.tags(body.tags);
        const supplied = new Map<string, string>();
        for (const [key, value] of this.configurationInput(body.configuration ?? {})) {
            if (value !== null) supplied.set(key, value);
        }
        const values = completeConfiguration(element, supplied);
        this.requireConfiguration(element, values);
        this.checkCredentials(element, values);
        const identity = ctx.caller.identity;
        const instance: StoredInstance = {
            id: this.store.allocateId(),
            name,
            tags,
            createdDate: isoSeconds(new Date()),
            token: this.store.newToken(),
            elementKey: element.key,
            organizationSecretFingerprint: identity.organizationSecretFingerprint,
            user: {
                id: identity.userId,
                email: identity.email,
                firstName: identity.firstName,
                lastName: identity.lastName,
            },
            configuration: this.entries(values, []),
            disabled: false,
            valid: true,
        };
        this.store.put(instance);
        await this.store.commit();
        return { status: 200, json: this.render(instance, true) };
    }

    /**
     * PUT and PATCH, both partial (reference section 12): `name` and `tags` are replaced when present and kept when
     * absent; `configuration` is merged key by key (a null value resets an element key to its default and removes an
     * extra key). Credentials are re-checked when `subdomain` or `username` change, and on PUT with
     * `?reAuthenticate=true` (documented on PUT only; PATCH ignores the parameter).
     */
    private async update(ctx: Context, instance: StoredInstance, mode: "put" | "patch"): Promise<Outcome> {
        const body = ctx.body;
        if (body.id !== undefined && String(body.id) !== String(instance.id)) {
            throw new ApiError(400, `The id in the body (${quote(body.id)}) does not match instance ${instance.id}`);
        }
        const element = findElement(instance.elementKey) ?? freshdeskV2;
        if (body.element !== undefined) {
            const ref = this.elementRef(body.element);
            if (this.resolveRef(ref) !== element) {
                throw new ApiError(
                    400,
                    `Cannot change the element of instance ${instance.id} from ${element.key} to ${ref.label}: ` +
                        "only a clone of the same element is allowed",
                );
            }
        }
        const name = "name" in body ? this.name(body.name) : instance.name;
        const tags = "tags" in body ? this.tags(body.tags) : instance.tags;
        const previous = configurationMap(instance.configuration);
        const merged = new Map(previous);
        if (body.configuration !== undefined) {
            // A removed element key comes back with its default through completeConfiguration.
            for (const [key, value] of this.configurationInput(body.configuration)) {
                if (value === null) merged.delete(key);
                else merged.set(key, value);
            }
        }
        const values = completeConfiguration(element, merged);
        this.requireConfiguration(element, values);
        const reAuthenticate = mode === "put" && ctx.req.query.get("reAuthenticate")?.toLowerCase() === "true";
        if (
            reAuthenticate ||
            values.get("subdomain") !== previous.get("subdomain") ||
            values.get("username") !== previous.get("username")
        ) {
            this.checkCredentials(element, values);
        }
        const next: StoredInstance = {
            ...instance,
            name,
            tags: [...tags],
            configuration: this.entries(values, instance.configuration),
        };
        this.store.put(next);
        await this.store.commit();
        return { status: 200, json: this.render(next, true) };
    }

    private async remove(instance: StoredInstance): Promise<Outcome> {
        if (instance.inUse) {
            // Reference section 12 (cectl: "an error if Element Instance is in use"); the wording is inferred.
            throw new ApiError(409, `Instance ${instance.id} is in use and cannot be deleted`);
        }
        this.store.delete(instance.id);
        await this.store.commit();
        return { status: 200 };
    }

    private async setDisabled(instance: StoredInstance, disabled: boolean): Promise<Outcome> {
        const next: StoredInstance = { ...instance, disabled };
        this.store.put(next);
        await this.store.commit();
        return { status: 200, json: this.render(next, true) };
    }

    private configuration(instance: StoredInstance): Outcome {
        return { status: 200, json: instance.configuration.map((entry) => this.renderEntry(entry)) };
    }

    private findEntry(instance: StoredInstance, entryIdText: string): StoredConfigEntry {
        const entry = /^\d{1,15}$/.test(entryIdText)
            ? instance.configuration.find((candidate) => candidate.id === Number(entryIdText))
            : undefined;
        if (!entry) {
            throw new ApiError(
                404,
                `No configuration entry found with ID ${quote(entryIdText)} on instance ${instance.id}`,
            );
        }
        return entry;
    }

    private configurationEntry(instance: StoredInstance, entryIdText: string): Outcome {
        return { status: 200, json: this.renderEntry(this.findEntry(instance, entryIdText)) };
    }

    private async patchConfigurationEntry(
        ctx: Context,
        instance: StoredInstance,
        entryIdText: string,
    ): Promise<Outcome> {
        const entry = this.findEntry(instance, entryIdText);
        const body = ctx.body;
        if (body.id !== undefined && String(body.id) !== String(entry.id)) {
            throw new ApiError(400, `The id in the body does not match configuration entry ${entry.id}`);
        }
        if (body.key !== undefined && body.key !== entry.key) {
            throw new ApiError(
                400,
                `The key in the body does not match configuration entry ${entry.id} (${entry.key})`,
            );
        }
        if (body.propertyValue === undefined || body.propertyValue === null) {
            throw new ApiError(400, "propertyValue is required");
        }
        const value = configurationValue(body.propertyValue) as string;
        const element = findElement(instance.elementKey) ?? freshdeskV2;
        const values = configurationMap(instance.configuration);
        values.set(entry.key, value);
        this.requireConfiguration(element, values);
        if ((entry.key === "subdomain" || entry.key === "username") && value !== entry.value) {
            this.checkCredentials(element, values);
        }
        const updated: StoredConfigEntry = { ...entry, value };
        const next: StoredInstance = {
            ...instance,
            configuration: instance.configuration.map((candidate) => (candidate.id === entry.id ? updated : candidate)),
        };
        this.store.put(next);
        await this.store.commit();
        return { status: 200, json: this.renderEntry(updated) };
    }

    /** The emulator raises no events: the event log is always empty. */
    private events(_instance: StoredInstance): Outcome {
        return {
            status: 200,
            json: [],
            headers: { "Elements-Total-Count": "0", "Elements-Returned-Count": "0" },
        };
    }
}
