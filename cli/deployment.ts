/**
 * The parts of an exported Pulumi deployment (`pulumi stack export`, format version 3) that `recover` reads and
 * edits, typed. Everything else in the JSON is carried through untouched: every interface keeps an index signature
 * so that a round trip (`export`, edit, `import`) never drops a field this command does not know about.
 */
import { freshdeskInstanceType } from "../provider/hosts/dynamic/type-token";

/** Type token of the resources `recover` handles: the dynamic provider's `FreshdeskInstance` (the provider's constant). */
export const freshdeskType = freshdeskInstanceType;

/** A resource in the deployment's `resources` list. */
export interface StateResource {
    readonly urn: string;
    readonly type: string;
    /** The provider's id (the Cloud Elements instance id, as a string); absent for a resource not yet created. */
    id?: string;
    /** Set on the old copy of a replaced resource, which the next `up` deletes. */
    delete?: boolean;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    [field: string]: unknown;
}

/** An operation the engine started and never saw finish (`pending_operations`). */
export interface PendingOperation {
    /** `creating`, `updating`, `deleting`, `reading` or `importing`. */
    readonly type: string;
    readonly resource: StateResource;
    [field: string]: unknown;
}

/** The `deployment` object. */
export interface Deployment {
    resources?: StateResource[];
    pending_operations?: PendingOperation[];
    [field: string]: unknown;
}

/** What `pulumi stack export` prints and `pulumi stack import` reads. */
export interface UntypedDeployment {
    readonly version: number;
    deployment: Deployment;
    [field: string]: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkResource(value: unknown, where: string): StateResource {
    if (!isRecord(value) || typeof value.urn !== "string" || typeof value.type !== "string") {
        throw new Error(`${where} is not a resource (needs a string urn and type)`);
    }
    return value as StateResource;
}

/**
 * Parses `pulumi stack export` output, checking the fields this command relies on (a stack that was never deployed
 * exports an empty `deployment`). Throws naming the first field that does not have the expected shape.
 */
export function parseDeployment(text: string): UntypedDeployment {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed) || typeof parsed.version !== "number") {
        throw new Error("pulumi stack export printed no deployment (expected a JSON object with a numeric version)");
    }
    const deployment = isRecord(parsed.deployment) ? parsed.deployment : {};
    for (const key of ["resources", "pending_operations"] as const) {
        if (deployment[key] !== undefined && !Array.isArray(deployment[key])) {
            throw new Error(`deployment.${key} is not a list`);
        }
    }
    ((deployment.resources as unknown[] | undefined) ?? []).forEach((r, i) => {
        checkResource(r, `deployment.resources[${i}]`);
    });
    ((deployment.pending_operations as unknown[] | undefined) ?? []).forEach((op, i) => {
        if (!isRecord(op) || typeof op.type !== "string") {
            throw new Error(`deployment.pending_operations[${i}] has no type`);
        }
        checkResource(op.resource, `deployment.pending_operations[${i}].resource`);
    });
    return { ...parsed, version: parsed.version, deployment: deployment as Deployment };
}

/** The `createMarker` input of a pending create, when it has one (state of older providers has none). */
export function createMarkerOf(resource: StateResource): string | undefined {
    const marker = resource.inputs?.createMarker;
    return typeof marker === "string" && marker !== "" ? marker : undefined;
}
