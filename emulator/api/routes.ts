/**
 * The `/elements/api-v2` instance API's route table and dispatch: which handler serves which method and path, and
 * the checks every request passes first (route, method, `Accept`, authentication, path segments, JSON body).
 */
import type { AccountDirectory } from "../accounts";
import { authenticate } from "../auth";
import type { InstanceStore } from "../store";
import { listConfiguration, patchConfigurationEntry, readConfigurationEntry } from "./configuration";
import {
    authenticationTypeConfigurations,
    authenticationTypes,
    elementConfiguration,
    elementKeys,
    listElements,
    readElement,
} from "./elements";
import { ApiError, authFailureMessage } from "./errors";
import { listEvents } from "./events";
import { acceptsJson, parseBody, quote } from "./input";
import {
    completeStoredInstances,
    createInstance,
    deleteInstance,
    readInstance,
    setDisabled,
    updateInstance,
} from "./instances";
import { owned, ownedOfElement, pathElement, tokenInstance } from "./lookups";
import { errorOutcome } from "./render";
import { listInstances } from "./search";
import type { ApiDeps, ApiRequest, ApiSettings, Context, Outcome } from "./types";

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

/** The routes addressed by the element token alone (`/instances/...` without an id). */
function tokenRoutes(d: ApiDeps): Route[] {
    return [
        {
            pattern: /^\/instances$/,
            methods: {
                GET: { run: (ctx) => listInstances(d, ctx) },
                POST: { run: (ctx) => createInstance(d, ctx), body: true },
                PUT: { run: (ctx) => updateInstance(d, ctx, tokenInstance(ctx), "put"), body: true },
                PATCH: { run: (ctx) => updateInstance(d, ctx, tokenInstance(ctx), "patch"), body: true },
            },
        },
        {
            pattern: /^\/instances\/enabled$/,
            methods: {
                PUT: { run: (ctx) => setDisabled(d, tokenInstance(ctx), false) },
                DELETE: { run: (ctx) => setDisabled(d, tokenInstance(ctx), true) },
            },
        },
        {
            pattern: /^\/instances\/configuration$/,
            methods: { GET: { run: (ctx) => listConfiguration(d, tokenInstance(ctx)) } },
        },
        {
            pattern: /^\/instances\/configuration\/([^/]+)$/,
            methods: {
                GET: { run: (ctx, [entryId]) => readConfigurationEntry(d, tokenInstance(ctx), entryId) },
                PATCH: {
                    run: (ctx, [entryId]) => patchConfigurationEntry(d, ctx, tokenInstance(ctx), entryId),
                    body: true,
                },
            },
        },
        {
            pattern: /^\/instances\/events$/,
            methods: { GET: { run: (ctx) => listEvents(tokenInstance(ctx)) } },
        },
    ];
}

/** The routes addressed by instance id (`/instances/{id}/...`). */
function idRoutes(d: ApiDeps): Route[] {
    return [
        {
            pattern: /^\/instances\/([^/]+)$/,
            methods: {
                GET: { run: (ctx, [id]) => readInstance(d, owned(d, ctx, id)) },
                PUT: { run: (ctx, [id]) => updateInstance(d, ctx, owned(d, ctx, id), "put"), body: true },
                PATCH: { run: (ctx, [id]) => updateInstance(d, ctx, owned(d, ctx, id), "patch"), body: true },
                DELETE: { run: (ctx, [id]) => deleteInstance(d, owned(d, ctx, id)) },
            },
        },
        {
            pattern: /^\/instances\/([^/]+)\/enabled$/,
            methods: {
                PUT: { run: (ctx, [id]) => setDisabled(d, owned(d, ctx, id), false) },
                DELETE: { run: (ctx, [id]) => setDisabled(d, owned(d, ctx, id), true) },
            },
        },
        {
            pattern: /^\/instances\/([^/]+)\/configuration$/,
            methods: { GET: { run: (ctx, [id]) => listConfiguration(d, owned(d, ctx, id)) } },
        },
        {
            pattern: /^\/instances\/([^/]+)\/configuration\/([^/]+)$/,
            methods: {
                GET: { run: (ctx, [id, entryId]) => readConfigurationEntry(d, owned(d, ctx, id), entryId) },
                PATCH: {
                    run: (ctx, [id, entryId]) => patchConfigurationEntry(d, ctx, owned(d, ctx, id), entryId),
                    body: true,
                },
            },
        },
        {
            pattern: /^\/instances\/([^/]+)\/events$/,
            methods: { GET: { run: (ctx, [id]) => listEvents(owned(d, ctx, id)) } },
        },
    ];
}

/** The routes under an element (`/elements/{keyOrId}/instances[/{id}]`). */
function elementRoutes(d: ApiDeps): Route[] {
    return [
        {
            pattern: /^\/elements\/([^/]+)\/instances$/,
            methods: {
                GET: { run: (ctx, [key]) => listInstances(d, ctx, pathElement(key)) },
                POST: { run: (ctx, [key]) => createInstance(d, ctx, pathElement(key)), body: true },
            },
        },
        {
            pattern: /^\/elements\/([^/]+)\/instances\/([^/]+)$/,
            methods: {
                GET: { run: (ctx, [key, id]) => readInstance(d, ownedOfElement(d, ctx, key, id)) },
                PUT: {
                    run: (ctx, [key, id]) => updateInstance(d, ctx, ownedOfElement(d, ctx, key, id), "put"),
                    body: true,
                },
                PATCH: {
                    run: (ctx, [key, id]) => updateInstance(d, ctx, ownedOfElement(d, ctx, key, id), "patch"),
                    body: true,
                },
                DELETE: { run: (ctx, [key, id]) => deleteInstance(d, ownedOfElement(d, ctx, key, id)) },
            },
        },
    ];
}

/** Element metadata (`/elements`, `/elements/keys`, `/elements/{keyOrId}[/...]`); `keys` is matched first. */
function discoveryRoutes(): Route[] {
    const get = (run: Handler): Record<string, MethodSpec> => ({ GET: { run } });
    return [
        { pattern: /^\/elements$/, methods: get(() => listElements()) },
        { pattern: /^\/elements\/keys$/, methods: get(() => elementKeys()) },
        { pattern: /^\/elements\/([^/]+)$/, methods: get((_ctx, [key]) => readElement(pathElement(key))) },
        {
            pattern: /^\/elements\/([^/]+)\/configuration$/,
            methods: get((_ctx, [key]) => elementConfiguration(pathElement(key))),
        },
        {
            pattern: /^\/elements\/([^/]+)\/authentication-types$/,
            methods: get((_ctx, [key]) => authenticationTypes(pathElement(key))),
        },
        {
            pattern: /^\/elements\/([^/]+)\/authentication-types\/([^/]+)\/configurations$/,
            methods: get((_ctx, [key, type]) => authenticationTypeConfigurations(pathElement(key), type)),
        },
    ];
}

/** The first route matching `path`, with its match; 404 when none does. */
function matchRoute(routes: readonly Route[], req: ApiRequest): { route: Route; match: RegExpExecArray } {
    const unknownRoute = () => new ApiError(404, `No route matches ${req.method} ${req.path}`);
    if (req.apiPath === undefined) {
        throw unknownRoute();
    }
    const path = req.apiPath.length > 1 && req.apiPath.endsWith("/") ? req.apiPath.slice(0, -1) : req.apiPath;
    for (const route of routes) {
        const match = route.pattern.exec(path);
        if (match) {
            return { route, match };
        }
    }
    throw unknownRoute();
}

function decodeParams(match: RegExpExecArray): string[] {
    return match.slice(1).map((param) => {
        try {
            return decodeURIComponent(param);
        } catch {
            throw new ApiError(400, `Malformed path segment ${quote(param)}`);
        }
    });
}

/** @internal Routes and handlers of the instance API. */
export class InstanceApi {
    private readonly deps: ApiDeps;
    private readonly routes: Route[];

    constructor(store: InstanceStore, accounts: () => AccountDirectory, settings: ApiSettings) {
        this.deps = { store, accounts, settings };
        this.routes = [
            ...tokenRoutes(this.deps),
            ...idRoutes(this.deps),
            ...elementRoutes(this.deps),
            ...discoveryRoutes(),
        ];
    }

    /**
     * Gives every stored instance all the configuration keys of its element (instances loaded from a state file of
     * an older emulator may lack the empty and internal ones). Kept in memory; the next write persists it.
     */
    completeStoredInstances(): void {
        completeStoredInstances(this.deps);
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
        const { route, match } = matchRoute(this.routes, req);
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
        const caller = authenticate(req.headers.authorization, this.deps.accounts(), this.deps.store);
        if (!caller) {
            throw new ApiError(401, authFailureMessage);
        }
        const params = decodeParams(match);
        const body = spec.body ? parseBody(req) : {};
        return spec.run({ req, caller, body }, params);
    }
}
