/**
 * The `cloudelements` resource provider plugin (Pulumi YAML, `pulumi import`): an adapter over the dynamic
 * provider's implementation that adds only the plugin's config and explicit providers' inputs, secret wrapping, import
 * (docs/architecture.md#the-plugin-adapter) and the detailed diff the SDK's server drops (docs/diff.md).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as provider from "@pulumi/pulumi/provider";
import {
    type ConfiguredConnection,
    connectionSources,
    readConfiguredConnection,
    resolveConnection,
} from "../../api/connection";
import { CloudElementsError } from "../../api/errors";
import { readPackageVersion } from "../../api/package-info";
import type { SettingName } from "../../api/settings";
import type { PropertyChange } from "../../lifecycle/diff";
import type { ElementInstanceInputs, ElementInstanceOutputs } from "../../model/element";
import type { InstanceInputs, InstanceOutputs } from "../../model/instance";
import * as impl from "../dynamic/implementation";
import { elementSecretPaths, isObject, isSecretValue, secret, specialSigKey, wrapPaths } from "../secret-wire";

/** The resource type token of the Freshdesk V2 instance served by the plugin. */
export const freshdeskInstanceToken = "cloudelements:index:FreshdeskInstance";

/** The resource type token of the instance of any element served by the plugin. */
export const elementInstanceToken = "cloudelements:index:ElementInstance";

/**
 * The `ElementInstance` paths the schema marks secret; the configuration keys that are secret depend on the element's
 * metadata and the program, so the provider marks those per value.
 */
export const elementSecretSchemaPaths: readonly (readonly [string, string?])[] = [
    ["token"],
    ["events", "signatureKey"],
];

/** The plugin's package name (`pulumi-resource-<name>`, config namespace `<name>:`). */
export const pluginPackage = "cloudelements";

/** `specialSigKey`'s value for an output value (sent only where outputs are accepted). */
const outputValueSig = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/** The engine's stand-in for a value not known yet, in a preview (`sdk/go/common/resource/sig`). */
const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Property paths that are always secret, in inputs and outputs, whatever the program marked. The schema marks the
 * same ones (`scripts/plugin-schema.ts` reads this list).
 */
export const secretPaths: readonly (readonly [string, string?])[] = [["apiKey"], ["token"], ["events", "signatureKey"]];

type Props = Record<string, unknown>;

/**
 * Removes the engine's secret and output-value wrappers, recursively. Returns the plain value and the top-level
 * property names that held a secret anywhere inside (so the same names are secret in what goes back).
 */
export function unwrapSecrets(props: Props | undefined): { plain: Props; secretKeys: Set<string> } {
    const secretKeys = new Set<string>();
    const plain: Props = {};
    for (const [key, value] of Object.entries(props ?? {})) {
        let found = false;
        const strip = (v: unknown): unknown => {
            if (isSecretValue(v)) {
                found = true;
                return strip(v.value);
            }
            if (isObject(v) && v[specialSigKey] === outputValueSig) {
                if (v.secret === true) {
                    found = true;
                }
                return strip(v.value);
            }
            if (Array.isArray(v)) {
                return v.map(strip);
            }
            if (isObject(v)) {
                return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, strip(e)]));
            }
            return v;
        };
        plain[key] = strip(value);
        if (found) {
            secretKeys.add(key);
        }
    }
    return { plain, secretKeys };
}

/**
 * Marks secret what must be: the always-secret paths, and every top-level property in `secretKeys`. Returns a copy.
 */
export function wrapSecrets(props: Props, secretKeys: ReadonlySet<string> = new Set()): Props {
    const result = withoutUndefined(props) as Props;
    for (const [top, nested] of secretPaths) {
        if (nested === undefined) {
            if (result[top] !== undefined && result[top] !== null) {
                result[top] = secret(result[top]);
            }
        } else if (isObject(result[top]) && !secretKeys.has(top)) {
            const inner = { ...(result[top] as Props) };
            if (inner[nested] !== undefined && inner[nested] !== null) {
                inner[nested] = secret(inner[nested]);
                result[top] = inner;
            }
        }
    }
    for (const key of secretKeys) {
        if (result[key] !== undefined && !isSecretValue(result[key])) {
            result[key] = secret(result[key]);
        }
    }
    return result;
}

/** A copy without `undefined` values (`Struct.fromJavaScript`, the server's conversion, rejects them). */
function withoutUndefined(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(withoutUndefined);
    }
    if (isObject(value)) {
        return Object.fromEntries(
            Object.entries(value)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => [k, withoutUndefined(v)]),
        );
    }
    return value;
}

/**
 * A `ConfigReader` over the engine's `PULUMI_CONFIG` (keys without the namespace). It answers both `baseUrl` and
 * `cloudelements:baseUrl`, so the shared `readConfiguredConnection` reads it like the dynamic provider's config.
 */
export function configFromEnvironment(env: NodeJS.ProcessEnv = process.env): { get(key: string): string | undefined } {
    let values: Props = {};
    const raw = env.PULUMI_CONFIG;
    if (raw !== undefined && raw.trim() !== "") {
        try {
            const parsed: unknown = JSON.parse(raw);
            values = isObject(parsed) ? parsed : {};
        } catch {
            // Not echoed: it holds decrypted secrets.
            throw new Error(
                `the engine's PULUMI_CONFIG is not valid JSON; the ${pluginPackage} provider cannot read its config`,
            );
        }
    }
    const prefix = `${pluginPackage}:`;
    return {
        get(key: string): string | undefined {
            const value = values[key.startsWith(prefix) ? key.slice(prefix.length) : key];
            if (value === undefined || value === null) {
                return undefined;
            }
            return typeof value === "string" ? value : JSON.stringify(value);
        },
    };
}

/** Passes the stack config of the `cloudelements:` namespace to the shared `configure`. */
export async function configureFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<void> {
    await impl.configure({ config: configFromEnvironment(env) });
}

/** The config keys the plugin reads (schema `config.variables`), derived from the shared connection settings. */
export function configKeys(): string[] {
    return Object.values(connectionSources).map((s) => s.configKey.slice(pluginPackage.length + 1));
}

/**
 * The provider inputs (schema `provider.inputProperties`): every connection setting, by its name, which is also its
 * config key (`baseUrl` is the input of `cloudelements:baseUrl`).
 */
export const providerInputNames = Object.keys(connectionSources) as SettingName[];

/** The provider inputs that are secrets: stored encrypted whatever the program passed. */
export const secretProviderInputs: readonly SettingName[] = providerInputNames.filter((n) => n.endsWith("Secret"));

/** The schema type of a provider input (and config key); stack config may give any of them as a string. */
export function settingType(name: SettingName): "string" | "integer" | "boolean" {
    return /Ms$|Retries$/.test(name) ? "integer" : name.startsWith("allow") ? "boolean" : "string";
}

/**
 * Whether a provider resource is a default provider: the engine names those `default` or `default_<version>`, and
 * treats every provider whose name starts with `default` as one (`IsDefaultProvider`,
 * `sdk/go/common/providers/reference.go`). Its inputs are the `cloudelements:` stack config the engine copied.
 */
export function isDefaultProvider(urn: string): boolean {
    const [, , type, ...name] = urn.split("::");
    return (type?.split("$").pop() ?? "").startsWith("pulumi:providers:") && name.join("::").startsWith("default");
}

/** What {@link readProviderInputs} found. */
export interface ProviderInputs {
    /** The known inputs as setting values (strings, as stack config gives them). */
    readonly inputs: ConfiguredConnection;
    /** Inputs of the wrong type, one message each, naming the input and never its value. */
    readonly problems: string[];
    /** Whether some input is not known yet (a preview). */
    readonly unknown: boolean;
}

function kindOf(value: unknown): string {
    return Array.isArray(value) ? "a list" : typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/** Reads an explicit provider's connection inputs (plain, unwrapped): their values as strings, and wrong types. */
export function readProviderInputs(props: Props): ProviderInputs {
    const inputs: ConfiguredConnection = {};
    const problems: string[] = [];
    let unknown = false;
    for (const name of providerInputNames) {
        const value = props[name];
        if (value === undefined || value === null) {
            continue;
        }
        if (value === unknownValue) {
            unknown = true;
            continue;
        }
        const type = settingType(name);
        // A string is accepted for every type (as stack config gives it): resolveConnection checks its form.
        const accepted =
            typeof value === "string" || (type === "integer" ? typeof value === "number" : typeof value === type);
        if (accepted) {
            inputs[name] = String(value);
        } else {
            problems.push(
                `Cloud Elements provider input ${name} must be ${type === "integer" ? "an integer" : `a ${type}`}, got ${kindOf(value)}.`,
            );
        }
    }
    return { inputs, problems, unknown };
}

/** The answer to the engine's `CheckConfig`: the inputs to record and why they are refused. */
export interface CheckConfigResult {
    readonly inputs: Props;
    readonly failures: provider.CheckFailure[];
}

/**
 * Validates a provider resource's inputs (`CheckConfig`). An explicit provider's connection is resolved as it will be
 * used, its inputs over stack config over the environment, so a wrong type, a malformed value or a missing setting
 * fails before any resource operation, naming the provider input. A default provider is left as it always was: its
 * connection is checked when an operation needs it. Failures carry no property: the engine prints a failed
 * property's value, which may be a secret passed in clear. The inputs come back with the secrets wrapped, so the
 * engine stores them encrypted even when the program passed them in clear.
 */
export function checkProviderConfig(urn: string, news: Props, env: NodeJS.ProcessEnv = process.env): CheckConfigResult {
    const n = unwrapSecrets(news);
    const failures: provider.CheckFailure[] = [];
    const fromConfig = configFromEnvironment(env);
    if (isDefaultProvider(urn)) {
        // Explicit inputs on a provider named like a default one would be ignored (the connection of a default
        // provider is stack config): refuse them rather than connect to the stack config's account.
        const ignored = providerInputNames.filter(
            (name) =>
                n.plain[name] !== undefined &&
                n.plain[name] !== null &&
                n.plain[name] !== unknownValue &&
                String(n.plain[name]) !== fromConfig.get(name),
        );
        if (ignored.length > 0) {
            const name = urn.split("::").slice(3).join("::");
            failures.push({
                property: "",
                reason: `the ${pluginPackage} provider resource ${JSON.stringify(name)} is named like a default provider (a name starting with "default"), whose connection is the stack config; its inputs ${ignored.join(", ")} would be ignored: give it another name.`,
            });
        }
    } else {
        const { inputs, problems, unknown } = readProviderInputs(n.plain);
        failures.push(...problems.map((reason) => ({ property: "", reason })));
        if (problems.length === 0 && !unknown) {
            try {
                resolveConnection(readConfiguredConnection(fromConfig), env, inputs);
            } catch (err) {
                if (!CloudElementsError.isInstance(err)) {
                    throw err;
                }
                failures.push({ property: "", reason: err.message });
            }
        }
    }
    const secretKeys = new Set([...n.secretKeys, ...secretProviderInputs]);
    const inputs = { ...n.plain };
    for (const key of secretKeys) {
        if (inputs[key] !== undefined && inputs[key] !== null && inputs[key] !== unknownValue) {
            inputs[key] = secret(inputs[key]);
        }
    }
    return { inputs: withoutUndefined(inputs) as Props, failures };
}

/**
 * Configures the process's connection from a provider resource's inputs (`Configure`'s `args`): an explicit
 * provider's inputs win over stack config and the environment; a default provider reads stack config and the
 * environment only, as it always has. Inputs of the wrong type (refused by `CheckConfig` already) fail here too rather
 * than fall back to another account's settings.
 */
export async function configureProvider(urn: string | undefined, args: Props, env: NodeJS.ProcessEnv = process.env) {
    if (urn === undefined || urn === "" || isDefaultProvider(urn)) {
        await configureFromEnvironment(env);
        return;
    }
    const { inputs, problems } = readProviderInputs(unwrapSecrets(args).plain);
    if (problems.length > 0) {
        throw new CloudElementsError("configuration", problems.join(" "));
    }
    await impl.configure({ config: configFromEnvironment(env), providerInputs: inputs });
}

/** `<project>/<stack>/<type>/<name>` from `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
export function ownerOf(urn: string): string {
    const [head, project, type, ...name] = urn.split("::");
    const stack = head.slice(head.lastIndexOf(":") + 1);
    return `${project}/${stack}/${type?.split("$").pop()}/${name.join("::")}`;
}

/** The resource type of a URN (`urn:pulumi:<stack>::<project>::<qualified type>::<name>`: its last `$` part). */
function typeOf(urn: string): string | undefined {
    return urn.split("::")[2]?.split("$").pop();
}

function assertType(urn: string): void {
    const type = typeOf(urn);
    if (type !== undefined && type !== freshdeskInstanceToken && type !== elementInstanceToken) {
        throw new Error(
            `unknown resource type ${type}: the ${pluginPackage} provider serves ${freshdeskInstanceToken} and ${elementInstanceToken}`,
        );
    }
}

/** Whether `urn` is an `ElementInstance`'s. */
function isElement(urn: string): boolean {
    return typeOf(urn) === elementInstanceToken;
}

/** The plugin's `diff` answer: the SDK's `DiffResult` plus what its server does not forward. */
export interface PluginDiffResult extends provider.DiffResult {
    readonly changes: boolean;
    readonly replaces: string[];
    readonly deleteBeforeReplace: boolean;
    /** The top-level properties that changed (the engine's `diffs`). */
    readonly diffs: string[];
    /** Every changed property path; the old value of each is the old outputs' (`inputDiff` false). */
    readonly detailedDiff: Readonly<Record<string, PropertyChange>>;
}

/**
 * The plugin's provider: an SDK `Provider` whose `diff` answers a detailed diff, plus the provider-configuration calls
 * the SDK's server does not forward.
 */
export interface PluginProvider extends provider.Provider {
    diff(id: string, urn: string, olds: unknown, news: unknown): Promise<PluginDiffResult>;
    /** The engine's `CheckConfig` of the provider resource `urn` ({@link checkProviderConfig}). */
    checkConfig(urn: string, olds: unknown, news: unknown): Promise<CheckConfigResult>;
    /** The engine's `Configure` with the provider resource's inputs ({@link configureProvider}). */
    configure(urn: string | undefined, args: unknown): Promise<void>;
}

/**
 * Builds the plugin's `Provider`. `schema` is the JSON text `getSchema` returns.
 */
export function makeProvider(schema: string, version: string): PluginProvider {
    let configured: Promise<void> | undefined;
    // The connection is set once per process, by Configure (the engine starts one process per provider configuration
    // and configures it before any resource call); without one, from stack config on first use.
    const ready = async (urn: string) => {
        assertType(urn);
        configured ??= configureFromEnvironment();
        await configured;
    };
    return {
        version,
        getSchema: async () => schema,
        checkConfig: async (urn, _olds, news) => checkProviderConfig(urn, (news ?? {}) as Props),
        configure: (urn, args) => {
            configured = configureProvider(urn, (args ?? {}) as Props);
            return configured;
        },
        check: (urn, olds, news) =>
            ready(urn).then(() => (isElement(urn) ? element.check(urn, olds, news) : check(urn, olds, news))),
        diff: (id, urn, olds, news) =>
            ready(urn).then(() =>
                isElement(urn)
                    ? element.diff(id, olds as Props, news as Props)
                    : diff(id, olds as Props, news as Props),
            ),
        create: (urn, inputs) => ready(urn).then(() => (isElement(urn) ? element.create(inputs) : create(inputs))),
        read: (id, urn, props) => ready(urn).then(() => (isElement(urn) ? element.read(id, props) : read(id, props))),
        update: (id, urn, olds, news) =>
            ready(urn).then(() => (isElement(urn) ? element.update(id, olds, news) : update(id, olds, news))),
        delete: (id, urn, props) =>
            ready(urn).then(() => (isElement(urn) ? element.remove(id, props) : remove(id, props))),
    };
}

/**
 * The configuration keys whose values the program passed as secrets (raw, still wrapped props): every key of a
 * configuration passed as one secret, or each key whose value is one.
 */
export function programSecretConfigurationKeys(props: Props | undefined): string[] {
    const holdsSecret = (v: unknown): boolean =>
        isSecretValue(v) ||
        (isObject(v) && v[specialSigKey] === outputValueSig && (v.secret === true || holdsSecret(v.value)));
    const unwrap = (v: unknown): unknown =>
        isSecretValue(v) || (isObject(v) && v[specialSigKey] === outputValueSig) ? unwrap(v.value) : v;
    const raw = props?.configuration;
    const configuration = unwrap(raw);
    if (!isObject(configuration)) {
        return [];
    }
    const whole = holdsSecret(raw);
    return Object.entries(configuration)
        .filter(([, v]) => whole || holdsSecret(v))
        .map(([k]) => k)
        .sort();
}

/**
 * Marks secret what must be in an `ElementInstance`'s inputs or outputs: the token, every secret configuration key,
 * the signature key, and the other top-level properties the program passed as secrets. Returns a copy.
 */
export function wrapElementSecrets(props: Props, secretKeys: ReadonlySet<string> = new Set()): Props {
    const plain = withoutUndefined(props) as Props;
    const result = wrapPaths(plain, [...elementSecretPaths(plain), ["token"]]);
    // The configuration's secret keys are wrapped one by one above: the map itself stays readable.
    for (const key of secretKeys) {
        if (key !== "configuration" && result[key] !== undefined && !isSecretValue(result[key])) {
            result[key] = secret(result[key]);
        }
    }
    return result;
}

/** The `ElementInstance` methods: the shared `elementInstance` implementation with the plugin's wire concerns. */
const element = {
    async check(urn: string, olds: Props, news: Props): Promise<provider.CheckResult> {
        const o = unwrapSecrets(olds);
        const n = unwrapSecrets(news);
        if (n.plain.name === undefined || n.plain.name === null) {
            n.plain.name = urn.split("::").pop();
        }
        n.plain.owner = ownerOf(urn);
        // A value the program marked secret stays secret even when neither the metadata nor its name says so.
        n.plain.secretConfigurationKeys = programSecretConfigurationKeys(news);
        const result = await impl.elementInstance.check(o.plain, n.plain);
        return {
            inputs: wrapElementSecrets(unwrapSecrets(result.inputs as Props).plain, n.secretKeys),
            failures: result.failures ?? [],
        };
    },

    async diff(id: string, olds: Props, news: Props): Promise<PluginDiffResult> {
        const result = await impl.elementInstance.diffDetailed(
            id,
            unwrapSecrets(olds).plain,
            unwrapSecrets(news).plain,
        );
        return {
            changes: result.changes,
            replaces: result.replaces,
            deleteBeforeReplace: result.deleteBeforeReplace,
            diffs: result.changed,
            detailedDiff: result.detailedDiff,
        };
    },

    async create(inputs: Props): Promise<provider.CreateResult> {
        const n = unwrapSecrets(inputs);
        try {
            const result = await impl.elementInstance.create(n.plain as unknown as ElementInstanceInputs);
            return {
                id: result.id,
                outs: wrapElementSecrets(unwrapSecrets(result.outs as Props).plain, n.secretKeys),
            };
        } catch (err) {
            throw secretSafe(err, (p) => wrapElementSecrets(unwrapSecrets(p).plain, n.secretKeys));
        }
    },

    async read(id: string, props: Props | undefined): Promise<provider.ReadResult> {
        const o = unwrapSecrets(props);
        // `pulumi import` sends no state: the shared read works from the id alone.
        const state = Object.keys(o.plain).length > 0 ? (o.plain as Partial<ElementInstanceOutputs>) : undefined;
        const result = await impl.elementInstance.read(id, state);
        if (!result.id) {
            return { id: "" };
        }
        return {
            id: result.id,
            props: wrapElementSecrets(unwrapSecrets(result.props).plain, o.secretKeys),
            inputs: wrapElementSecrets(unwrapSecrets(result.inputs).plain, o.secretKeys),
        };
    },

    async update(id: string, olds: Props, news: Props): Promise<provider.UpdateResult> {
        const o = unwrapSecrets(olds);
        const n = unwrapSecrets(news);
        const keys = new Set([...o.secretKeys, ...n.secretKeys]);
        const result = await impl.elementInstance.update(
            id,
            o.plain as Partial<ElementInstanceOutputs>,
            n.plain as unknown as ElementInstanceInputs,
        );
        return { outs: wrapElementSecrets(unwrapSecrets(result.outs as Props).plain, keys) };
    },

    async remove(id: string, props: Props): Promise<void> {
        await impl.elementInstance.delete(id, unwrapSecrets(props).plain as Partial<ElementInstanceOutputs>);
    },
};

async function check(urn: string, olds: Props, news: Props): Promise<provider.CheckResult> {
    const o = unwrapSecrets(olds);
    const n = unwrapSecrets(news);
    // As the TypeScript resource's constructor does: the instance name defaults to the resource name.
    if (n.plain.name === undefined || n.plain.name === null) {
        n.plain.name = urn.split("::").pop();
    }
    // Which resource manages the instance, stable across replacements, as the TypeScript constructor sets it
    // (InstanceInputs.owner); the type is part of it so that a plugin resource and a dynamic one of the same name in
    // one stack are never taken for each other.
    n.plain.owner = ownerOf(urn);
    const result = await impl.check(o.plain, n.plain);
    return { inputs: wrapSecrets(result.inputs as Props, n.secretKeys), failures: result.failures ?? [] };
}

async function diff(id: string, olds: Props, news: Props): Promise<PluginDiffResult> {
    const result = await impl.diffDetailed(id, unwrapSecrets(olds).plain, unwrapSecrets(news).plain);
    return {
        changes: result.changes,
        replaces: result.replaces,
        deleteBeforeReplace: result.deleteBeforeReplace,
        diffs: result.changed,
        detailedDiff: result.detailedDiff,
    };
}

async function create(inputs: Props): Promise<provider.CreateResult> {
    const n = unwrapSecrets(inputs);
    try {
        const result = await impl.create(n.plain as unknown as InstanceInputs);
        return { id: result.id, outs: wrapSecrets(result.outs as unknown as Props, n.secretKeys) };
    } catch (err) {
        throw secretSafe(err, (p) => wrapSecrets(p, n.secretKeys));
    }
}

async function read(id: string, props: Props | undefined): Promise<provider.ReadResult> {
    const o = unwrapSecrets(props);
    // `pulumi import` and the `import` option send no state: the shared read works from the id alone.
    const state = Object.keys(o.plain).length > 0 ? (o.plain as Partial<InstanceOutputs>) : undefined;
    const result = await impl.read(id, state);
    if (!result.id) {
        return { id: "" };
    }
    return {
        id: result.id,
        props: wrapSecrets((result.props ?? {}) as Props, o.secretKeys),
        inputs: wrapSecrets((result.inputs ?? {}) as Props, o.secretKeys),
    };
}

async function update(id: string, olds: Props, news: Props): Promise<provider.UpdateResult> {
    const o = unwrapSecrets(olds);
    const n = unwrapSecrets(news);
    const keys = new Set([...o.secretKeys, ...n.secretKeys]);
    const result = await impl.update(id, o.plain as Partial<InstanceOutputs>, n.plain as unknown as InstanceInputs);
    return { outs: wrapSecrets(result.outs as unknown as Props, keys) };
}

async function remove(id: string, props: Props): Promise<void> {
    await impl.delete(id, unwrapSecrets(props).plain as Partial<InstanceOutputs>);
}

/**
 * A partial-create error carries the outputs to record (`properties`): the server sends them as they are, so their
 * secrets must be wrapped like any other outputs, or the engine would store the API key and token in plaintext.
 */
function secretSafe(err: unknown, wrap: (properties: Props) => Props): unknown {
    const e = err as { id?: unknown; properties?: unknown; reasons?: unknown };
    if (!(err instanceof Error) || typeof e.id !== "string" || !isObject(e.properties)) {
        return err;
    }
    // The original's `properties` cannot be redefined (and should not be): answer with a copy.
    const safe = new Error(err.message);
    safe.name = err.name;
    Object.defineProperty(safe, "id", { value: e.id, enumerable: true });
    Object.defineProperty(safe, "reasons", { value: e.reasons, enumerable: true });
    Object.defineProperty(safe, "properties", { value: wrap(e.properties), enumerable: false });
    return safe;
}

/** The parts of the gRPC and protobuf modules {@link serve} uses (the SDK ships them without types we can import). */
interface DiffCall {
    request: {
        getId(): string;
        getUrn(): string;
        getOlds(): { toJavaScript(): unknown } | undefined;
        getNews(): { toJavaScript(): unknown } | undefined;
    };
}
type DiffCallback = (err: unknown, resp: unknown) => void;
interface GrpcServerClass {
    prototype: { addService(service: object, implementation: object): void };
}
/** The parts of `CheckRequest` (`CheckConfig`) read by {@link checkConfigHandler}. */
interface CheckConfigCall {
    request: {
        getUrn(): string;
        getOlds(): { toJavaScript(): unknown } | undefined;
        getNews(): { toJavaScript(): unknown } | undefined;
    };
}
/** The parts of `ConfigureRequest` read by {@link configureHandler}. */
interface ConfigureCall {
    request: { getUrn(): string | undefined; getArgs(): { toJavaScript(): unknown } | undefined };
}
/** A unary gRPC method of the SDK's server. */
type Handler<Call> = (call: Call, callback: DiffCallback) => unknown;

/** `google.protobuf.Struct` as the SDK's protobuf modules use it. */
function structModule(): { Struct: { fromJavaScript(value: Props): unknown } } {
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    return require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdk] }));
}

/**
 * Answers the engine's `CheckConfig` RPC (which the SDK's server answers UNIMPLEMENTED) from `prov.checkConfig`: the
 * inputs to record and the failures.
 */
export function checkConfigHandler(prov: PluginProvider): Handler<CheckConfigCall> {
    const proto = require("@pulumi/pulumi/proto/provider_pb");
    const { Struct } = structModule();
    return async (call, callback) => {
        try {
            const req = call.request;
            const result = await prov.checkConfig(
                req.getUrn(),
                req.getOlds()?.toJavaScript() ?? {},
                req.getNews()?.toJavaScript() ?? {},
            );
            const resp = new proto.CheckResponse();
            resp.setInputs(Struct.fromJavaScript(result.inputs));
            resp.setFailuresList(
                result.failures.map((f) => {
                    const failure = new proto.CheckFailure();
                    failure.setProperty(f.property);
                    failure.setReason(f.reason);
                    return failure;
                }),
            );
            callback(undefined, resp);
        } catch (err) {
            console.error(`${err}: ${(err as Error)?.stack}`);
            callback(err, undefined);
        }
    };
}

/**
 * Answers the engine's `Configure` RPC: hands the provider resource's inputs (`args`, secrets wrapped) to
 * `prov.configure`, then lets the SDK's own `configure` answer, so the flags it accepts (secrets, resources, outputs)
 * stay the SDK's. The SDK's server ignores `args`.
 */
export function configureHandler(prov: PluginProvider, sdkConfigure: Handler<ConfigureCall>): Handler<ConfigureCall> {
    return async (call, callback) => {
        try {
            await prov.configure(call.request.getUrn(), call.request.getArgs()?.toJavaScript() ?? {});
        } catch (err) {
            callback(err, undefined);
            return;
        }
        sdkConfigure(call, callback);
    };
}

/**
 * Answers the engine's `Diff` RPC from `prov.diff`, with `diffs` and the detailed diff; the same fields as the SDK's
 * `Server.diff` (`@pulumi/pulumi/provider/server.js`) for the rest.
 */
export function diffHandler(prov: PluginProvider): (call: DiffCall, callback: DiffCallback) => Promise<void> {
    const proto = require("@pulumi/pulumi/proto/provider_pb");
    return async (call, callback) => {
        try {
            const req = call.request;
            const result = await prov.diff(
                req.getId(),
                req.getUrn(),
                req.getOlds()?.toJavaScript() ?? {},
                req.getNews()?.toJavaScript() ?? {},
            );
            const resp = new proto.DiffResponse();
            resp.setChanges(
                result.changes ? proto.DiffResponse.DiffChanges.DIFF_SOME : proto.DiffResponse.DiffChanges.DIFF_NONE,
            );
            resp.setReplacesList(result.replaces);
            resp.setDeletebeforereplace(result.deleteBeforeReplace);
            resp.setDiffsList(result.diffs);
            const detailed = resp.getDetaileddiffMap();
            for (const [propertyPath, change] of Object.entries(result.detailedDiff)) {
                const entry = new proto.PropertyDiff();
                entry.setKind(proto.PropertyDiff.Kind[change.kind]);
                // The old value is the old outputs' (what diffInstance compared), not the old inputs'.
                entry.setInputdiff(false);
                detailed.set(propertyPath, entry);
            }
            resp.setHasdetaileddiff(true);
            callback(undefined, resp);
        } catch (err) {
            // As the SDK's server does: the engine shows the error it receives; main.ts drops our own's stack.
            console.error(`${err}: ${(err as Error)?.stack}`);
            callback(err, undefined);
        }
    };
}

/**
 * Serves `prov` with the SDK's `main`, its `Diff`, `CheckConfig` and `Configure` RPCs answered by
 * {@link diffHandler}, {@link checkConfigHandler} and {@link configureHandler}. The SDK neither exports its server
 * class nor forwards a detailed diff or a provider's inputs, so the one `addService` call `main` makes
 * (synchronously, before it binds the port) is intercepted to replace those methods on the SDK's service object; the
 * hook is removed at once. Both modules are resolved from `@pulumi/pulumi`'s folder so they are the instances `main`
 * uses. `DiffConfig` stays the SDK's UNIMPLEMENTED, which the engine answers with an update, never a replacement
 * (docs/plugin.md#explicit-providers-several-accounts).
 */
export function serve(prov: PluginProvider, args: string[]): Promise<void> {
    const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
    const grpc: { Server: GrpcServerClass } = require(require.resolve("@grpc/grpc-js", { paths: [sdk] }));
    const services: { ResourceProviderService: object } = require("@pulumi/pulumi/proto/provider_grpc_pb");
    const { main } = require("@pulumi/pulumi/provider") as typeof provider;
    const prototype = grpc.Server.prototype;
    const original = prototype.addService;
    prototype.addService = function (this: unknown, service: object, implementation: object) {
        if (service === services.ResourceProviderService) {
            const sdk = implementation as { configure: Handler<ConfigureCall> };
            const sdkConfigure = sdk.configure.bind(implementation);
            Object.defineProperty(implementation, "diff", { value: diffHandler(prov), writable: true });
            Object.defineProperty(implementation, "checkConfig", { value: checkConfigHandler(prov), writable: true });
            Object.defineProperty(implementation, "configure", {
                value: configureHandler(prov, sdkConfigure),
                writable: true,
            });
        }
        return original.call(this, service, implementation);
    };
    try {
        return main(prov, args);
    } finally {
        prototype.addService = original;
    }
}

/** Reads the schema written next to the compiled plugin by the build (`schema.json`). */
export function readSchema(dir: string): string {
    const file = path.join(dir, "schema.json");
    if (!fs.existsSync(file)) {
        throw new Error(`${file} is missing: build the plugin with npm run plugin:build`);
    }
    return fs.readFileSync(file, "utf8");
}

/** The plugin version: this package's version. */
export function pluginVersion(dir: string): string {
    return readPackageVersion(dir);
}
