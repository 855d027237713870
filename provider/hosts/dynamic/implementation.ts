/**
 * The real `ResourceProvider` of `FreshdeskInstance`: wires each lifecycle step to the name the stored stub calls,
 * reached through `provider/implementation.ts` (a compatibility contract, docs/architecture.md). Failures the
 * runtime would print twice go through `sayOnce`.
 */
import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { ConfigReader, ConfiguredConnection } from "../../api/connection";
import { configureConnection } from "../../api/session";
import { adopt } from "../../lifecycle/adopt";
import { createNewInstance } from "../../lifecycle/create";
import { deleteInstance } from "../../lifecycle/delete";
import { diffInstance, type InstanceDiff } from "../../lifecycle/diff";
import { read as readInstance } from "../../lifecycle/read";
import type { InstanceInputs, InstanceOutputs } from "../../model/instance";
import { checkInputs } from "../../model/validation";
import { installErrorOutputFilter, sayOnce } from "./error-output";

export { closeClients, userAgent } from "../../api/session";
export { update } from "../../lifecycle/update";

/**
 * Reads the connection from stack config (`cloudelements:baseUrl`, `cloudelements:userSecret`,
 * `cloudelements:organizationSecret`, `cloudelements:timeoutMs`, `cloudelements:maxRetries`) and, from the plugin's
 * explicit providers only, `providerInputs`, which win over it. Validation happens at call time, together with the
 * environment-variable fallback, so a missing setting fails the operation that needs it with a clear message instead
 * of failing the provider's start-up.
 */
export async function configure(req: { config: ConfigReader; providerInputs?: ConfiguredConnection }): Promise<void> {
    // configure runs first in the provider process: from now on each of our errors is printed once.
    installErrorOutputFilter();
    configureConnection(req.config, req.providerInputs);
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
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
): Promise<dynamic.DiffResult> {
    const result = await diffDetailed(id, olds, news);
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

/**
 * The provider methods of `ElementInstance` (`element-implementation.ts`), which its stub installs: one module, so
 * that both resources' stubs require the same file.
 */
export * as elementInstance from "./element-implementation";
export { deleteResource as delete };
