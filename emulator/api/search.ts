/**
 * Listing and searching instances (`GET /instances`, `GET /elements/{keyOrId}/instances`): the `tags[]` and
 * `searchText` filters and paging with `pageSize` and `nextPage`.
 */
import type { ElementDefinition } from "../elements/types";
import type { StoredInstance } from "../store";
import { ApiError, noInstancesMessage } from "./errors";
import { renderInstance } from "./render";
import type { ApiDeps, Context, Outcome } from "./types";

const maxPageSize = 200;

interface ListQuery {
    tags: string[];
    searchText: string;
    hydrate: boolean;
    pageSize: number;
    /** The id the previous page ended with (`nextPage`). */
    after: number | undefined;
}

function encodePageToken(afterId: number): string {
    return Buffer.from(JSON.stringify({ after: afterId }), "utf8").toString("base64url");
}

function decodePageToken(token: string): number {
    try {
        const value = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
        if (Number.isSafeInteger(value.after) && (value.after as number) >= 0) {
            return value.after as number;
        }
    } catch {
        // fall through
    }
    throw new ApiError(400, "Invalid nextPage token: use the Elements-Next-Page-Token header of the previous page");
}

function listQuery(query: URLSearchParams): ListQuery {
    const pageSizeText = query.get("pageSize");
    let pageSize = maxPageSize;
    if (pageSizeText !== null) {
        if (!/^\d{1,9}$/.test(pageSizeText) || Number(pageSizeText) < 1) {
            throw new ApiError(400, "pageSize must be a positive integer");
        }
        pageSize = Math.min(Number(pageSizeText), maxPageSize);
    }
    const nextPage = query.get("nextPage");
    return {
        tags: query.getAll("tags[]"),
        searchText: (query.get("searchText") ?? "").trim().toLowerCase(),
        hydrate: (query.get("hydrate") ?? "").toLowerCase() !== "false",
        pageSize,
        after: nextPage ? decodePageToken(nextPage) : undefined,
    };
}

function matchesQuery(instance: StoredInstance, query: ListQuery, element: ElementDefinition | undefined): boolean {
    if (element && instance.elementKey !== element.key) {
        return false;
    }
    if (query.tags.length > 0 && !query.tags.every((tag) => instance.tags.includes(tag))) {
        return false;
    }
    const text = query.searchText;
    return !text || instance.name.toLowerCase().includes(text) || instance.elementKey.toLowerCase().includes(text);
}

/** The index of the first match with an id after `after`; matches are in id order, so a binary search. */
function pageStart(matches: readonly StoredInstance[], after: number | undefined): number {
    if (after === undefined) {
        return 0;
    }
    let low = 0;
    let high = matches.length;
    while (low < high) {
        const mid = (low + high) >> 1;
        if (matches[mid].id <= after) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

/** @internal `GET /instances` and `GET /elements/{keyOrId}/instances`: the caller's instances, filtered and paged. */
export function listInstances(deps: ApiDeps, ctx: Context, element?: ElementDefinition): Outcome {
    const query = listQuery(ctx.req.query);
    const owner = ctx.caller.identity.ownerKey;
    const matches: StoredInstance[] = [];
    for (const instance of deps.store.values()) {
        if (deps.store.ownerOf(instance) === owner && matchesQuery(instance, query, element)) {
            matches.push(instance);
        }
    }
    // Empty answers are 404 (reference section 12): a plain list and a searchText search are documented; a
    // tags[]-only search is not, so it follows the emptyTagSearch setting.
    const tagsOnly = query.tags.length > 0 && !query.searchText;
    if (matches.length === 0 && !(tagsOnly && deps.settings.emptyTagSearch === "[]")) {
        throw new ApiError(404, noInstancesMessage);
    }
    const start = pageStart(matches, query.after);
    const page = matches.slice(start, start + query.pageSize);
    // A nextPage past the last match (the instances after the cursor were deleted meanwhile) is empty too.
    if (page.length === 0 && matches.length > 0) {
        throw new ApiError(404, noInstancesMessage);
    }
    const headers: Record<string, string> = {
        "Elements-Total-Count": String(matches.length),
        "Elements-Returned-Count": String(page.length),
    };
    if (start + page.length < matches.length) {
        headers["Elements-Next-Page-Token"] = encodePageToken(page[page.length - 1].id);
    }
    const json = page.map((instance) => renderInstance(deps.settings, instance, query.hydrate));
    return { status: 200, json, headers };
}
