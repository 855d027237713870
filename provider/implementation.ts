/**
 * The real `ResourceProvider` of `FreshdeskInstance`.
 *
 * COMPATIBILITY CONTRACT: this file compiles to `bin/provider/implementation.js`, and the `__provider` stub stored
 * in every stack's state `require`s exactly that path (see `stub.ts`) and calls the functions exported here by name
 * (`configure`, `check`, `diff`, `create`, `read`, `update`, `delete`). Moving or renaming the file, or renaming
 * those exports, breaks `refresh` and `destroy` of existing stacks.
 *
 * Each lifecycle step lives in its own module (`create.ts`, `adopt.ts`, `read.ts`, `update.ts`, `delete.ts`); this
 * module only wires them to the contract's names. Process-level state (the connection, the HTTP clients) is
 * `session.ts`. The runtime prints the failures of check, diff, read and delete twice, with a stack trace; they go
 * through `sayOnce` (`error-output.ts`) so that each of our errors is printed once, by the engine.
 */
import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { adopt } from "./adopt";
import type { ConfigReader } from "./connection";
import { createNewInstance } from "./create";
import { deleteInstance } from "./delete";
import { diffInstance, type InstanceDiff } from "./diff";
import { installErrorOutputFilter, sayOnce } from "./error-output";
import { read as readInstance } from "./read";
import { configureConnection } from "./session";
import type { InstanceInputs, InstanceOutputs } from "./types";
import { checkInputs } from "./validation";

export { closeClients, userAgent } from "./session";
export { update } from "./update";

/**
 * Reads the connection from stack config (`cloudelements:baseUrl`, `cloudelements:userSecret`,
 * `cloudelements:organizationSecret`, `cloudelements:timeoutMs`, `cloudelements:maxRetries`). Validation happens at
 * call time, together with the environment-variable fallback, so a missing setting fails the operation that needs
 * it with a clear message instead of failing the provider's start-up.
 */
export async function configure(req: { config: ConfigReader }): Promise<void> {
    // configure runs first in the dynamic-provider process: from now on each of our errors is printed once.
    installErrorOutputFilter();
    configureConnection(req.config);
}

/**
 * Validates and normalises the inputs. No API call. The create marker names the resource for its whole life: the
 * old inputs' marker is reused, and a new random one is stamped only when there is none (the first create), so a
 * preview of an update shows no random change.
 */
export async function check(
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
): Promise<dynamic.CheckResult> {
    return sayOnce(async () => {
        const { inputs, failures } = checkInputs(news);
        inputs.createMarker = typeof olds.createMarker === "string" ? olds.createMarker : randomUUID();
        return { inputs, failures };
    });
}

/**
 * See `diff.ts`. Answers what the dynamic-provider runtime forwards (`changes`, `replaces`, `deleteBeforeReplace`);
 * the plugin answers the detailed diff too ({@link diffDetailed}).
 */
export async function diff(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
): Promise<dynamic.DiffResult> {
    const result = await diffDetailed(_id, olds, news);
    return { changes: result.changes, replaces: result.replaces, deleteBeforeReplace: result.deleteBeforeReplace };
}

/** The whole diff of `diff.ts`, per-path changes included (for the plugin, whose server forwards them). */
export async function diffDetailed(
    _id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
): Promise<InstanceDiff> {
    return sayOnce(async () => diffInstance(olds, news));
}

/** Creates the instance (`create.ts`), or adopts `adoptInstanceId` (`adopt.ts`). */
export async function create(inputs: InstanceInputs): Promise<dynamic.CreateResult<InstanceOutputs>> {
    return inputs.adoptInstanceId !== undefined ? adopt(inputs, inputs.adoptInstanceId) : createNewInstance(inputs);
}

/** Refresh (`read.ts`). Failures are said once (`error-output.ts`). */
export async function read(
    id: string,
    props?: Partial<InstanceOutputs>,
): Promise<dynamic.ReadResult<InstanceOutputs | InstanceInputs>> {
    return sayOnce(() => readInstance(id, props));
}

/** Deletes the instance (`delete.ts`). Failures are said once (`error-output.ts`). */
async function deleteResource(id: string, props?: Partial<InstanceOutputs>): Promise<void> {
    return sayOnce(() => deleteInstance(id, props));
}

export { deleteResource as delete };
