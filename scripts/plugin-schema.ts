/**
 * Generates the `cloudelements` plugin's Pulumi package schema from the TypeScript declarations users of the dynamic
 * resource see (`provider/hosts/dynamic/resource.ts`: `FreshdeskInstanceArgs`, `FreshdeskInstanceEventsArgs` and the output
 * declarations of `FreshdeskInstance`; `element-resource.ts`: `ElementInstanceArgs`, `ElementInstanceEventsArgs`,
 * `ElementInstance`), with the TypeScript compiler API. Descriptions are their TSDoc (with
 * `@default` appended), so the YAML user and the TypeScript user read the same text; secrets come from the plugin's
 * `secretPaths`, replacing properties from the diff's `replaceProperties`, config keys and provider inputs from
 * `connectionSources`.
 * Run at build time by `npm run plugin:build`; never at run time (the plugin reads the generated `schema.json`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";
import { connectionSources } from "../provider/api/connection";
import {
    elementInstanceToken,
    elementSecretSchemaPaths,
    freshdeskInstanceToken,
    pluginPackage,
    providerInputNames,
    secretPaths,
    secretProviderInputs,
    settingType,
} from "../provider/hosts/plugin/provider";
import { replaceProperties } from "../provider/lifecycle/diff";

/** The schema's object type for polling events (input and output). */
export const eventsTypeToken = `${pluginPackage}:index:FreshdeskInstanceEvents`;

/** The schema's object type for an `ElementInstance`'s polling events (input and output). */
export const elementEventsTypeToken = `${pluginPackage}:index:ElementInstanceEvents`;

/** A Pulumi schema property (the subset we generate). */
export interface PropertySpec {
    type?: string;
    items?: PropertySpec;
    additionalProperties?: PropertySpec;
    $ref?: string;
    oneOf?: PropertySpec[];
    description?: string;
    secret?: boolean;
    replaceOnChanges?: boolean;
}

/** What one declared property of an interface or class gives. */
interface Declared {
    readonly name: string;
    readonly optional: boolean;
    readonly spec: PropertySpec;
}

/**
 * What each connection setting is, for the schema's config keys (stack config `cloudelements:<key>`) and provider
 * inputs; every key of `connectionSources` needs one. The fallbacks are appended by {@link connectionSchema}.
 */
export const configDescriptions: Record<string, string> = {
    baseUrl:
        "The Cloud Elements API: https://api.cloud-elements.com (US), https://api.cloud-elements.co.uk (EU), " +
        "https://staging.cloud-elements.com, an SAP Open Connectors host, or http://localhost:<port> (the emulator).",
    userSecret: "The Cloud Elements user secret (Authorization `User <secret>`).",
    organizationSecret: "The Cloud Elements organization secret (Authorization `Organization <secret>`).",
    timeoutMs: "Per-request timeout in milliseconds (default 30000).",
    maxRetries: "Retries of a retryable failure per request (default 5).",
    operationTimeoutMs:
        "Upper bound of one provider operation in milliseconds, retries and lookups included (default 300000).",
    allowInsecureHttp: "Allow plain http for a non-loopback baseUrl (e.g. an emulator service container).",
};

/**
 * The schema's config variables (`config.variables`, falling back to the environment) and provider inputs
 * (`provider.inputProperties`, falling back to stack config, then the environment), from the shared connection
 * settings: the same names, types and secrets.
 */
export function connectionSchema(): {
    variables: Record<string, PropertySpec>;
    inputProperties: Record<string, PropertySpec>;
} {
    const variables: Record<string, PropertySpec> = {};
    const inputProperties: Record<string, PropertySpec> = {};
    for (const name of providerInputNames) {
        const source = connectionSources[name];
        const key = source.configKey.slice(pluginPackage.length + 1);
        const description = configDescriptions[name];
        if (description === undefined) {
            throw new Error(`plugin schema: no description for config key ${source.configKey}`);
        }
        const secret = secretProviderInputs.includes(name) ? { secret: true } : {};
        const type = settingType(name);
        variables[key] = {
            type,
            description: `${description} Falls back to the environment variable ${source.envVar}.`,
            ...secret,
        };
        inputProperties[name] = {
            type,
            description: `${description} Falls back to the stack config ${source.configKey}, then the environment variable ${source.envVar}.`,
            ...secret,
        };
    }
    return { variables, inputProperties };
}

function docOf(node: ts.Node, source: ts.SourceFile): string {
    const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc ?? [];
    const parts: string[] = [];
    for (const doc of docs) {
        const text = ts.getTextOfJSDocComment(doc.comment);
        if (text) {
            parts.push(text);
        }
        for (const tag of doc.tags ?? []) {
            if (tag.tagName.text === "default") {
                parts.push(`Default: ${ts.getTextOfJSDocComment(tag.comment) ?? ""}.`);
            }
        }
    }
    void source;
    // `{@link x}` becomes `x`; line wrapping inside a paragraph becomes one space.
    return parts
        .map((part) =>
            part
                .replace(/\{@link\s+([^}\s]+)\s*\}/g, "`$1`")
                .replace(/\s*\n\s*/g, " ")
                .trim(),
        )
        .join(" ");
}

/**
 * The schema type of a declared TypeScript type; `undefined` for `Account`, which the plugin takes from its explicit
 * providers instead (docs/plugin.md#explicit-providers-several-accounts).
 */
function typeSpec(node: ts.TypeNode, what: string): PropertySpec | undefined {
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) {
        return { type: "string" };
    }
    if (ts.isParenthesizedTypeNode(node)) {
        return typeSpec(node.type, what);
    }
    if (node.kind === ts.SyntaxKind.StringKeyword) {
        return { type: "string" };
    }
    if (node.kind === ts.SyntaxKind.NumberKeyword) {
        return { type: "number" };
    }
    if (node.kind === ts.SyntaxKind.BooleanKeyword) {
        return { type: "boolean" };
    }
    if (ts.isArrayTypeNode(node)) {
        return { type: "array", items: required(typeSpec(node.elementType, what), what) };
    }
    if (ts.isUnionTypeNode(node)) {
        return { oneOf: node.types.map((t) => required(typeSpec(t, what), what)) };
    }
    if (ts.isTypeReferenceNode(node)) {
        const name = node.typeName.getText();
        const args = node.typeArguments ?? [];
        if ((name === "pulumi.Input" || name === "pulumi.Output") && args.length === 1) {
            return typeSpec(args[0], what);
        }
        if (name === "FreshdeskInstanceEventsArgs" || name === "FreshdeskInstanceEvents") {
            return { $ref: `#/types/${eventsTypeToken}` };
        }
        if (name === "ElementInstanceEventsArgs") {
            return { $ref: `#/types/${elementEventsTypeToken}` };
        }
        if (name === "Account") {
            return undefined;
        }
        if (name === "Record" && args.length === 2) {
            // A configuration map: its values are strings on the wire, and a YAML map of strings is what the
            // engine's YAML type check accepts without a union (check also takes numbers and booleans).
            return { type: "object", additionalProperties: { type: "string" } };
        }
    }
    throw new Error(`plugin schema: no schema type for ${what}: ${node.getText()}`);
}

/** Arguments only the TypeScript resources take: the plugin's explicit providers carry the account instead. */
const typescriptOnly: ReadonlySet<string> = new Set(["account"]);

function required(spec: PropertySpec | undefined, what: string): PropertySpec {
    if (spec === undefined) {
        throw new Error(`plugin schema: no schema type inside ${what}`);
    }
    return spec;
}

function membersOf(
    source: ts.SourceFile,
    match: (node: ts.Node) => ts.NodeArray<ts.TypeElement | ts.ClassElement> | undefined,
    what: string,
): Declared[] {
    let members: ts.NodeArray<ts.TypeElement | ts.ClassElement> | undefined;
    source.forEachChild((node) => {
        members ??= match(node);
    });
    if (members === undefined) {
        throw new Error(`plugin schema: ${what} not found in ${source.fileName}`);
    }
    const result: Declared[] = [];
    for (const member of members) {
        if (!(ts.isPropertySignature(member) || ts.isPropertyDeclaration(member)) || member.type === undefined) {
            continue;
        }
        const name = member.name.getText(source);
        if (typescriptOnly.has(name)) {
            continue;
        }
        const spec = typeSpec(member.type, `${what}.${name}`);
        if (spec === undefined) {
            continue;
        }
        const description = docOf(member, source);
        result.push({ name, optional: member.questionToken !== undefined, spec: { ...spec, description } });
    }
    return result;
}

function interfaceMembers(source: ts.SourceFile, name: string): Declared[] {
    return membersOf(
        source,
        (node) => (ts.isInterfaceDeclaration(node) && node.name.text === name ? node.members : undefined),
        name,
    );
}

function classInfo(source: ts.SourceFile, name: string): { members: Declared[]; description: string } {
    let description = "";
    const members = membersOf(
        source,
        (node) => {
            if (ts.isClassDeclaration(node) && node.name?.text === name) {
                description = docOf(node, source);
                return node.members;
            }
            return undefined;
        },
        name,
    );
    return { members, description };
}

type Paths = readonly (readonly [string, string?])[];

function isSecret(paths: Paths, top: string, nested?: string): boolean {
    return paths.some(([t, n]) => t === top && n === nested);
}

function properties(
    declared: readonly Declared[],
    nestedOf?: string,
    paths: Paths = secretPaths,
    replacing: readonly string[] = replaceProperties,
): Record<string, PropertySpec> {
    const result: Record<string, PropertySpec> = {};
    for (const d of declared) {
        const spec: PropertySpec = { ...d.spec };
        if (nestedOf === undefined ? isSecret(paths, d.name) : isSecret(paths, nestedOf, d.name)) {
            spec.secret = true;
        }
        if (nestedOf === undefined && replacing.includes(d.name)) {
            spec.replaceOnChanges = true;
        }
        result[d.name] = spec;
    }
    return result;
}

/** Generates the package schema from `provider/hosts/dynamic/resource.ts` (its path given, for tests). */
export function generateSchema(resourceFile: string, version: string): Record<string, unknown> {
    const source = ts.createSourceFile(
        resourceFile,
        fs.readFileSync(resourceFile, "utf8"),
        ts.ScriptTarget.ES2022,
        /*setParentNodes*/ true,
    );
    const args = interfaceMembers(source, "FreshdeskInstanceArgs");
    const events = interfaceMembers(source, "FreshdeskInstanceEventsArgs");
    const resource = classInfo(source, "FreshdeskInstance");
    const inputProperties = properties(args);
    // Outputs: the declared outputs, plus every input (the provider returns the inputs among its outputs).
    const outputProperties = { ...inputProperties, ...properties(resource.members) };
    const connection = connectionSchema();
    const element = elementSchema(path.join(path.dirname(resourceFile), "element-resource.ts"));
    return {
        name: pluginPackage,
        displayName: "Cloud Elements",
        version,
        description:
            "Cloud Elements (SAP Open Connectors) element instances (Freshdesk V2, and any element): the same " +
            "resources as the pulumi-cloudelements-freshdesk dynamic provider, for every Pulumi language and for " +
            "pulumi import.",
        license: "Apache-2.0",
        meta: { moduleFormat: "(.*)" },
        config: { variables: connection.variables },
        provider: {
            description:
                `The ${pluginPackage} provider: the Cloud Elements account its resources live in. Without inputs ` +
                `(the default provider) it reads the stack config ${pluginPackage}:* and the CLOUD_ELEMENTS_* ` +
                "environment variables; an explicit provider's inputs win over both, setting by setting.",
            inputProperties: connection.inputProperties,
        },
        types: {
            [eventsTypeToken]: {
                type: "object",
                description: "Polling events of a Freshdesk V2 instance (the `event.*` configuration of the instance).",
                properties: properties(events, "events"),
            },
            [elementEventsTypeToken]: element.events,
        },
        resources: {
            [freshdeskInstanceToken]: {
                description: resource.description,
                inputProperties,
                requiredInputs: args.filter((a) => !a.optional).map((a) => a.name),
                properties: outputProperties,
                required: resource.members.filter((m) => !m.optional).map((m) => m.name),
            },
            [elementInstanceToken]: element.resource,
        },
    };
}

/** The `ElementInstance` resource and its events type, from `element-resource.ts`'s declarations. */
function elementSchema(file: string): { resource: Record<string, unknown>; events: Record<string, unknown> } {
    const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    const args = interfaceMembers(source, "ElementInstanceArgs");
    const events = interfaceMembers(source, "ElementInstanceEventsArgs");
    const resource = classInfo(source, "ElementInstance");
    // Only the element key replaces (the account is the provider's, and a provider change is the engine's concern).
    const inputProperties = properties(args, undefined, elementSecretSchemaPaths, ["elementKey"]);
    return {
        resource: {
            description: resource.description,
            inputProperties,
            requiredInputs: args.filter((a) => !a.optional).map((a) => a.name),
            properties: {
                ...inputProperties,
                ...properties(resource.members, undefined, elementSecretSchemaPaths, ["elementKey"]),
            },
            required: resource.members.filter((m) => !m.optional).map((m) => m.name),
        },
        events: {
            type: "object",
            description: "Polling events of an element instance (the element's `event.*` configuration keys).",
            properties: properties(events, "events", elementSecretSchemaPaths),
        },
    };
}

/** The repository root, from `bin/scripts` (built) or `scripts` (ts-jest). */
export function repoRootFrom(dir: string): string {
    return path.basename(path.dirname(dir)) === "bin" ? path.resolve(dir, "..", "..") : path.resolve(dir, "..");
}
