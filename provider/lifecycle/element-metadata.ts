/**
 * Reading an element's metadata (`GET /elements/{keyOrId}`, and the chosen authentication mode's items where the
 * platform answers them), once per element and account per process, and applying its rules (`model/metadata.ts`)
 * before any instance call.
 */
import type { CloudElementsClient } from "../api/client";
import type { ConnectionSettings } from "../api/connection";
import { CloudElementsError, HttpError, isApiNotFound, messageOf } from "../api/errors";
import { accountKey } from "../api/session";
import type { ApiConfigurationItem } from "../api/wire";
import type { ElementInstanceInputs } from "../model/element";
import {
    authenticationTypeKey,
    type ElementMetadata,
    type MetadataFindings,
    metadataFindings,
    secretKeysOf,
} from "../model/metadata";

const elements = new Map<string, Promise<ElementMetadata>>();
const modes = new Map<string, Promise<readonly ApiConfigurationItem[] | undefined>>();
let reads = 0;

/** How many metadata requests this process has made (the benchmark reports it). */
export function metadataReads(): number {
    return reads;
}

/** Forgets every element's metadata (tests). @internal */
export function forgetMetadata(): void {
    elements.clear();
    modes.clear();
}

/**
 * The element's metadata, read once per element and account per process (a failed read is not kept). An unknown
 * element is a {@link CloudElementsError} naming `elementKey`.
 */
export async function elementMetadata(
    client: CloudElementsClient,
    settings: ConnectionSettings,
    elementKey: string,
    mode?: string,
): Promise<ElementMetadata> {
    const key = `${accountKey(settings)}|${elementKey}`;
    let element = elements.get(key);
    if (element === undefined) {
        element = readElement(client, elementKey);
        elements.set(key, element);
        element.catch(() => elements.delete(key));
    }
    const metadata = await element;
    const modeItems = await modeItemsOf(client, key, metadata, mode);
    return modeItems === undefined ? metadata : { ...metadata, modeItems };
}

async function readElement(client: CloudElementsClient, elementKey: string): Promise<ElementMetadata> {
    reads++;
    let element: Record<string, unknown>;
    try {
        element = await client.getElement(elementKey);
    } catch (err) {
        if (HttpError.isInstance(err) && isApiNotFound(err)) {
            throw new CloudElementsError(
                "input",
                `elementKey: Cloud Elements has no element "${elementKey}" on this account (GET /elements/${elementKey} ` +
                    "answered 404); GET /elements/keys lists the keys",
            );
        }
        throw err;
    }
    const authentication = element.authentication as { type?: unknown } | undefined;
    let items = Array.isArray(element.configuration) ? (element.configuration as ApiConfigurationItem[]) : undefined;
    if (items === undefined) {
        reads++;
        items = await client.getElementConfiguration(elementKey);
    }
    return {
        key: elementKey,
        ...(typeof element.id === "number" ? { id: element.id } : {}),
        ...(typeof authentication?.type === "string" ? { authenticationType: authentication.type } : {}),
        items: items.filter((i) => typeof i?.key === "string"),
    };
}

/** The items of the chosen mode of a multi-mode element, when the platform answers them (else the plain flags). */
async function modeItemsOf(
    client: CloudElementsClient,
    elementKeyOfAccount: string,
    metadata: ElementMetadata,
    mode: string | undefined,
): Promise<readonly ApiConfigurationItem[] | undefined> {
    if (mode === undefined || mode === "" || !metadata.items.some((i) => i.key === authenticationTypeKey)) {
        return undefined;
    }
    const key = `${elementKeyOfAccount}|${mode}`;
    let items = modes.get(key);
    if (items === undefined) {
        reads++;
        items = client.getAuthenticationTypeConfiguration(metadata.key, mode).catch((err) => {
            if (HttpError.isInstance(err) && err.status === 404) {
                return undefined;
            }
            throw err;
        });
        modes.set(key, items);
        items.catch(() => modes.delete(key));
    }
    return items;
}

/** What the metadata says about inputs: findings and the configuration keys whose values are secret. */
export interface ElementFacts extends MetadataFindings {
    readonly secretConfigurationKeys: string[];
    readonly metadata: ElementMetadata;
}

/** Reads the element's metadata and applies its rules to `inputs`. */
export async function elementFacts(
    client: CloudElementsClient,
    settings: ConnectionSettings,
    inputs: Pick<
        ElementInstanceInputs,
        "elementKey" | "configuration" | "externalAuthentication" | "events" | "secretConfigurationKeys"
    >,
): Promise<ElementFacts> {
    const chosen = inputs.configuration[authenticationTypeKey];
    const metadata = await elementMetadata(
        client,
        settings,
        inputs.elementKey,
        typeof chosen === "string" ? chosen : undefined,
    );
    const findings = metadataFindings(metadata, inputs);
    const secret = new Set([
        ...(inputs.secretConfigurationKeys ?? []),
        ...secretKeysOf(metadata, Object.keys(inputs.configuration)),
    ]);
    return { ...findings, metadata, secretConfigurationKeys: [...secret].sort() };
}

/** The error for findings that stop an operation before any instance call: every failure, each naming its key. */
export function findingsError(facts: MetadataFindings, elementKey: string): CloudElementsError {
    return new CloudElementsError(
        "input",
        `element ${elementKey}: ${facts.failures.map((f) => f.reason).join("; ")}. Nothing was created or changed.`,
    );
}

/** Describes a failed metadata read for a check failure, never echoing a secret (the client redacts). */
export function metadataReadFailure(err: unknown, elementKey: string): string {
    return err instanceof CloudElementsError && err.kind === "input"
        ? err.message
        : `elementKey: reading the metadata of element ${elementKey} failed: ${messageOf(err)}`;
}
