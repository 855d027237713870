/**
 * The `ResourceProvider` methods of `ElementInstance`, on the lifecycle `FreshdeskInstance` uses, with the element's
 * metadata read (once per element and account per process) before any instance call. Reached by the dynamic
 * resource's stub (as `elementInstance` of `bin/provider/implementation.js`) and by the plugin.
 */
import { randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { CloudElementsError } from "../../api/errors";
import { clientFor, connection } from "../../api/session";
import { adopt } from "../../lifecycle/adopt";
import { createNewInstance } from "../../lifecycle/create";
import { deleteInstance } from "../../lifecycle/delete";
import type { InstanceDiff } from "../../lifecycle/diff";
import { diffElementInstance } from "../../lifecycle/diff-element";
import { elementFacts, findingsError, metadataReadFailure } from "../../lifecycle/element-metadata";
import { read as readInstance } from "../../lifecycle/read";
import { update as updateInstance } from "../../lifecycle/update";
import {
    checkElementInputs,
    type ElementInstanceInputs,
    type ElementInstanceOutputs,
    elementKind,
} from "../../model/element";
import type { CheckFailure } from "../../model/failures";
import { containsUnknown } from "../../model/instance";
import { elementSecretPaths, wrapPaths } from "../secret-wire";
import { sayOnce } from "./error-output";

type Props = Record<string, unknown>;

const warned = new Set<string>();

/**
 * Says a warning once per process on stderr, which the engine shows in the operation's output (the dynamic-provider
 * runtime has no warning channel of its own).
 */
function warn(owner: unknown, message: string): void {
    const text = `warning: ElementInstance ${typeof owner === "string" ? owner.split("/").pop() : ""}: ${message}`;
    if (!warned.has(text)) {
        warned.add(text);
        process.stderr.write(`${text}\n`);
    }
}

/** The inputs with every secret value marked, for what goes back to the engine. */
function withSecretsMarked(values: Props): Props {
    return wrapPaths(values, elementSecretPaths(values));
}

/**
 * Checks the inputs' shapes, then (when the element key, configuration and account are known) the element's
 * metadata: missing required keys and OAuth needs are failures, undeclared keys warnings; the secret keys are recorded.
 */
export async function check(olds: Props, news: Props): Promise<dynamic.CheckResult> {
    return sayOnce(async () => {
        const { inputs, failures } = checkElementInputs(news);
        inputs.createMarker = typeof olds.createMarker === "string" ? olds.createMarker : randomUUID();
        if (failures.length === 0 && !containsUnknown([inputs.elementKey, inputs.configuration, inputs.account])) {
            Object.assign(inputs, await metadataCheck(inputs as unknown as ElementInstanceInputs, failures));
        }
        return { inputs: withSecretsMarked(inputs), failures };
    });
}

async function metadataCheck(
    inputs: ElementInstanceInputs,
    failures: CheckFailure[],
): Promise<Partial<ElementInstanceInputs>> {
    const settings = connection(inputs.account);
    try {
        const facts = await elementFacts(clientFor(settings), settings, inputs);
        failures.push(...facts.failures);
        for (const warning of facts.warnings) {
            warn(inputs.owner, warning);
        }
        return { secretConfigurationKeys: facts.secretConfigurationKeys };
    } catch (err) {
        if (err instanceof CloudElementsError && err.kind === "input") {
            failures.push({ property: "elementKey", reason: metadataReadFailure(err, inputs.elementKey) });
            return {};
        }
        throw new CloudElementsError("http", metadataReadFailure(err, inputs.elementKey));
    }
}

/** The element's rules again, before any instance call (a preview may have checked with unknown values). */
async function prepared(inputs: ElementInstanceInputs): Promise<ElementInstanceInputs> {
    const settings = connection(inputs.account);
    const facts = await elementFacts(clientFor(settings), settings, inputs);
    if (facts.failures.length > 0) {
        throw findingsError(facts, inputs.elementKey);
    }
    return { ...inputs, secretConfigurationKeys: facts.secretConfigurationKeys };
}

/** See `diff-element.ts`. */
export async function diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
    const result = await diffDetailed(_id, olds, news);
    return { changes: result.changes, replaces: result.replaces, deleteBeforeReplace: result.deleteBeforeReplace };
}

/** The whole diff, per-path changes included (for the plugin). */
export async function diffDetailed(_id: string, olds: Props, news: Props): Promise<InstanceDiff> {
    return sayOnce(async () => diffElementInstance(olds, news));
}

/** Creates the instance, or adopts `adoptInstanceId`. */
export async function create(inputs: ElementInstanceInputs): Promise<dynamic.CreateResult<Props>> {
    return sayOnce(async () => {
        const ready = await prepared(inputs);
        const result =
            ready.adoptInstanceId !== undefined
                ? await adopt(ready, ready.adoptInstanceId, elementKind)
                : await createNewInstance(ready, elementKind);
        return { id: result.id, outs: withSecretsMarked(result.outs as unknown as Props) };
    });
}

/** Refresh; what comes back is marked secret where it must be. */
export async function read(id: string, props?: Partial<ElementInstanceOutputs>): Promise<dynamic.ReadResult<Props>> {
    return sayOnce(async () => {
        const result = await readInstance(id, props, elementKind);
        return {
            id: result.id,
            ...(result.props === undefined ? {} : { props: withSecretsMarked(result.props as unknown as Props) }),
            ...(result.inputs === undefined ? {} : { inputs: withSecretsMarked(result.inputs as unknown as Props) }),
        };
    });
}

/** Applies changed inputs in place. */
export async function update(
    id: string,
    olds: Partial<ElementInstanceOutputs>,
    news: ElementInstanceInputs,
): Promise<dynamic.UpdateResult<Props>> {
    return sayOnce(async () => {
        const result = await updateInstance(id, olds, await prepared(news), elementKind);
        return { outs: withSecretsMarked((result.outs ?? {}) as unknown as Props) };
    });
}

/** Deletes the instance. */
async function deleteResource(id: string, props?: Partial<ElementInstanceOutputs>): Promise<void> {
    return sayOnce(() => deleteInstance(id, props));
}

export { deleteResource as delete };
