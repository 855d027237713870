/**
 * The `cloudelements` provider plugin from Pulumi YAML, through the real CLI, the official YAML language host and the
 * emulator: the lifecycle (create, no-change preview/up with no API call, rename and key rotation in place with the
 * token kept, drift corrected, subdomain change replaces, out-of-band delete then refresh and up, destroy), bad input
 * refused before any API call, the plugin's config from stack config and from environment variables, `pulumi import`
 * (with generated YAML code, with `--generate-code=false`, and the `import` resource option), `pulumi package
 * get-schema`, and a secret sweep over exported state and every CLI output (default verbosity and `--debug`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pluginFolder, pluginType, requirePluginBuilt, writeYamlProject, yamlProject } from "../helpers/plugin";
import { configSetAllArgs } from "../helpers/pulumi";
import {
    type ApiInstanceJson,
    cli,
    describeRequests,
    type ExportedState,
    type FreshdeskStateResource,
    findSecrets,
    fingerprint,
    freshdeskResources,
    instanceById,
    instancesTagged,
    type StateJson,
    secretMarker,
    secretSig,
    useE2E,
} from "../helpers/stacks";

// js-yaml comes with @pulumi/pulumi.
const yaml: { load(text: string): unknown; dump(value: unknown, opts?: object): string } = require("js-yaml");

jest.setTimeout(600_000);

const ctx = useE2E({ label: "plugin-yaml" });
/** Everything the CLI printed (except --show-secrets output), for the secret sweep. */
let printed = "";
/** Element tokens of every instance the tests saw, for the secret sweep. */
const tokens: Record<string, string> = {};

beforeAll(() => {
    requirePluginBuilt();
});

/** Runs the CLI; fails the test on a non-zero exit unless `allowFailure`. Returns stdout + stderr. */
async function pulumi(
    dir: string,
    args: string[],
    opts: { env?: Record<string, string>; allowFailure?: boolean } = {},
): Promise<{ code: number; out: string }> {
    const result = await cli(ctx, dir, args, opts.env);
    const out = result.stdout + result.stderr;
    if (!args.includes("--show-secrets")) {
        printed += out;
    }
    if (result.code !== 0 && !opts.allowFailure) {
        throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${out}`);
    }
    return { code: result.code, out };
}

function project(label: string, resources: string, extra: { outputs?: string } = {}): string {
    return ctx.trackDir(yamlProject(label, { name: label, resources, outputs: extra.outputs }));
}

async function initStack(dir: string, apiKey: string, connection: "config" | "none" = "config"): Promise<void> {
    await pulumi(dir, ["stack", "init", "dev"]);
    await pulumi(
        dir,
        configSetAllArgs({
            ...(connection === "config" ? ctx.connectionConfig() : {}),
            apiKey: { value: apiKey, secret: true },
        }),
    );
}

/** A Pulumi YAML interpolation, `${name}`. */
function ref(name: string): string {
    return `\${${name}}`;
}

interface InstanceSpec {
    readonly subdomain: string;
    readonly name: string;
    readonly tags: readonly string[];
    readonly options?: string;
    readonly resourceName?: string;
}

/** The `resources:` text of one FreshdeskInstance whose API key comes from the secret config `apiKey`. */
function instanceYaml(spec: InstanceSpec): string {
    return [
        `  ${spec.resourceName ?? "helpdesk"}:`,
        `    type: ${pluginType}`,
        "    properties:",
        `      subdomain: ${spec.subdomain}`,
        `      apiKey: ${ref("apiKey")}`,
        `      name: ${JSON.stringify(spec.name)}`,
        `      tags: ${JSON.stringify(spec.tags)}`,
        ...(spec.options ? ["    options:", spec.options] : []),
    ].join("\n");
}

const outputs = `  instanceId: ${ref("helpdesk.instanceId")}\n  token: ${ref("helpdesk.token")}`;

async function exportOf(dir: string): Promise<{ text: string; resources: FreshdeskStateResource[] }> {
    const { out } = await pulumi(dir, ["stack", "export"]);
    const text = out.slice(out.indexOf("{"));
    const resources = freshdeskResources(JSON.parse(text) as ExportedState, pluginType);
    return { text, resources };
}

function isSecretValue(value: unknown): boolean {
    return (
        typeof value === "object" && value !== null && (value as Record<string, unknown>)[secretSig] === secretMarker
    );
}

async function rememberToken(id: number | string): Promise<string> {
    const token = await ctx.tokenOf(id);
    tokens[`token ${id}`] = token;
    return token;
}

function secrets(): Record<string, string> {
    return { ...ctx.knownSecrets(), ...tokens };
}

test("get-schema: pulumi package get-schema on the plugin lists the resource, secrets and replaceOnChanges", async () => {
    const dir = project("plugin-schema", "  {}");
    const { out } = await pulumi(dir, [
        "package",
        "get-schema",
        path.join(pluginFolder, "pulumi-resource-cloudelements"),
    ]);
    const schema = JSON.parse(out.slice(out.indexOf("{")));
    const resource = schema.resources[pluginType];
    expect(schema.name).toBe("cloudelements");
    expect(resource.requiredInputs).toEqual(["subdomain", "apiKey"]);
    expect(resource.inputProperties.apiKey.secret).toBe(true);
    expect(resource.inputProperties.subdomain.replaceOnChanges).toBe(true);
    expect(resource.properties.token.secret).toBe(true);
    expect(schema.types["cloudelements:index:FreshdeskInstanceEvents"].properties.signatureKey.secret).toBe(true);
    expect(schema.config.variables.userSecret.secret).toBe(true);
    expect(schema.config.variables.organizationSecret.secret).toBe(true);
    expect(resource.inputProperties.apiKey.description).toMatch(/Freshdesk API key/);
});

test("lifecycle: create, no-op, rename + key rotation, drift, replace, out-of-band delete, --debug, destroy", async () => {
    const [a, b] = ctx.accounts.freshdesk;
    const tag = "plugin-yaml-lifecycle";
    const spec: InstanceSpec = { subdomain: a.subdomain, name: "Helpdesk YAML", tags: [tag] };
    const dir = project("plugin-lifecycle", instanceYaml(spec), { outputs });
    await initStack(dir, a.apiKeys[0]);

    // Create.
    let mark = await ctx.log.mark();
    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    let [instance] = await instancesTagged(ctx.control, tag);
    expect(describeRequests(await ctx.log.since(mark, "provider"))).toEqual(["POST /instances 200"]);
    expect(instance).toMatchObject({ name: "Helpdesk YAML", apiKeyFingerprint: fingerprint(a.apiKeys[0]) });
    const token = await rememberToken(instance.id);
    const stackOutputs = JSON.parse((await pulumi(dir, ["stack", "output", "--json"])).out);
    expect(stackOutputs).toEqual({ instanceId: instance.id, token: "[secret]" });
    const shown = (await pulumi(dir, ["stack", "output", "token", "--show-secrets"])).out.trim();
    expect(shown).toBe(token);

    // State: the token, the API key (inputs and outputs) are secrets; nothing in plaintext.
    let state = await exportOf(dir);
    expect(state.resources).toHaveLength(1);
    const [resource] = state.resources;
    expect(resource.id).toBe(String(instance.id));
    expect(isSecretValue(resource.outputs.token)).toBe(true);
    expect(isSecretValue(resource.outputs.apiKey)).toBe(true);
    expect(isSecretValue(resource.inputs.apiKey)).toBe(true);
    expect(findSecrets(state.text, secrets())).toEqual([]);

    // No change: preview and up make no API call.
    mark = await ctx.log.mark();
    const preview = await pulumi(dir, ["preview"]);
    expect(preview.out).toMatch(/2 unchanged/); // the stack and the instance
    await pulumi(dir, ["up", "--yes"]);
    expect(describeRequests(await ctx.log.since(mark, "provider"))).toEqual([]);

    // Rename and key rotation: one update in place, same id, same token.
    writeYamlProject(dir, { name: "plugin-lifecycle", resources: instanceYaml({ ...spec, name: "Renamed" }), outputs });
    await pulumi(dir, ["config", "set", "--secret", "apiKey", a.apiKeys[1]]);
    mark = await ctx.log.mark();
    const renamed = await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    expect(renamed.out).toMatch(/1 updated/);
    const afterRename = await instanceById(ctx.control, instance.id);
    expect(afterRename).toMatchObject({ name: "Renamed", apiKeyFingerprint: fingerprint(a.apiKeys[1]) });
    expect(afterRename?.tokenFingerprint).toBe(instance.tokenFingerprint);
    const calls = describeRequests(await ctx.log.since(mark, "provider"));
    expect(calls).toContain(`PATCH /instances/${instance.id} 200`);
    expect(calls.filter((c) => /^(POST|DELETE)/.test(c))).toEqual([]);

    // Drift: renamed out of band; refresh records it, up corrects it.
    await ctx.api.patchInstance(instance.id, { name: "changed out of band" });
    await pulumi(dir, ["refresh", "--yes", "--skip-preview"]);
    state = await exportOf(dir);
    expect(state.resources[0].outputs.name).toBe("changed out of band");
    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    expect((await instanceById(ctx.control, instance.id))?.name).toBe("Renamed");

    // Subdomain change: replaced (new instance first, then the old one deleted).
    writeYamlProject(dir, {
        name: "plugin-lifecycle",
        resources: instanceYaml({ ...spec, name: "Renamed", subdomain: b.subdomain }),
        outputs,
    });
    await pulumi(dir, ["config", "set", "--secret", "apiKey", b.apiKeys[0]]);
    const replaced = await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    expect(replaced.out).toMatch(/1 replaced/);
    const afterReplace = await instancesTagged(ctx.control, tag);
    expect(afterReplace).toHaveLength(1);
    expect(afterReplace[0].id).not.toBe(instance.id);
    expect(afterReplace[0].configuration.subdomain).toBe(b.subdomain);
    expect(await instanceById(ctx.control, instance.id)).toBeUndefined();
    instance = afterReplace[0];
    await rememberToken(instance.id);

    // Out-of-band delete: refresh removes it from state, up creates a new one.
    await ctx.api.deleteInstance(instance.id);
    await pulumi(dir, ["refresh", "--yes", "--skip-preview"]);
    expect((await exportOf(dir)).resources).toEqual([]);
    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    const recreated = await instancesTagged(ctx.control, tag);
    expect(recreated).toHaveLength(1);
    expect(recreated[0].id).not.toBe(instance.id);
    await rememberToken(recreated[0].id);

    // --debug: an update with secrets flowing, output at debug verbosity.
    writeYamlProject(dir, {
        name: "plugin-lifecycle",
        resources: instanceYaml({ ...spec, name: "Debugged", subdomain: b.subdomain }),
        outputs,
    });
    const debug = await pulumi(dir, ["up", "--yes", "--skip-preview", "--debug"]);
    expect(debug.out).toMatch(/1 updated/);
    const debugPreview = await pulumi(dir, ["preview", "--debug", "--refresh"]);
    expect(debugPreview.out.length).toBeGreaterThan(0);

    // Destroy deletes it.
    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(await instancesTagged(ctx.control, tag)).toEqual([]);

    // The sweep: no credential, API key or token in state or in any output.
    expect(findSecrets(printed, secrets())).toEqual([]);
});

test("bad input is refused before any API call, naming the field", async () => {
    const [a] = ctx.accounts.freshdesk;
    const dir = project(
        "plugin-bad-input",
        instanceYaml({ subdomain: "not a subdomain!", name: "Bad", tags: ["plugin-yaml-bad"] }),
    );
    await initStack(dir, a.apiKeys[0]);
    const mark = await ctx.log.mark();
    const preview = await pulumi(dir, ["preview"], { allowFailure: true });
    expect(preview.code).not.toBe(0);
    expect(preview.out).toMatch(/subdomain "not a subdomain!" is not a Freshdesk subdomain/);
    const up = await pulumi(dir, ["up", "--yes", "--skip-preview"], { allowFailure: true });
    expect(up.code).not.toBe(0);
    expect(up.out).toMatch(/subdomain/);
    expect(up.out).not.toMatch(/\n\s+at .*\.js:\d+/);
    expect(await ctx.log.since(mark, "provider")).toEqual([]);
    expect(findSecrets(printed, secrets())).toEqual([]);
});

test("plugin config: from environment variables, and stack config wins over them", async () => {
    const [, b] = ctx.accounts.freshdesk;
    const tag = "plugin-yaml-env";
    const dir = project("plugin-env", instanceYaml({ subdomain: b.subdomain, name: "From env", tags: [tag] }));
    await initStack(dir, b.apiKeys[0], "none");
    const env = ctx.connectionEnv();

    // No stack config: the CLOUD_ELEMENTS_* variables of the CLI's environment reach the plugin.
    await pulumi(dir, ["up", "--yes", "--skip-preview"], { env });
    const [instance] = await instancesTagged(ctx.control, tag);
    expect(instance?.name).toBe("From env");
    await rememberToken(instance.id);

    // Without either, the error names both places.
    const missing = await pulumi(dir, ["refresh", "--yes", "--skip-preview"], { allowFailure: true });
    expect(missing.code).not.toBe(0);
    expect(missing.out).toMatch(/cloudelements:baseUrl/);
    expect(missing.out).toMatch(/CLOUD_ELEMENTS_BASE_URL/);

    // Stack config wins over the environment: a wrong base URL in config fails although the env is right.
    await pulumi(
        dir,
        configSetAllArgs({
            "cloudelements:baseUrl": { value: "http://127.0.0.1:1" },
            "cloudelements:maxRetries": { value: "0" },
        }),
    );
    const mark = await ctx.log.mark();
    const wrong = await pulumi(dir, ["refresh", "--yes", "--skip-preview"], { env, allowFailure: true });
    expect(wrong.code).not.toBe(0);
    // The environment points at the emulator, which saw nothing: the refused connection was the config's URL.
    expect(wrong.out).toMatch(/ECONNREFUSED/);
    expect(await ctx.log.since(mark, "provider")).toEqual([]);

    await pulumi(dir, ["config", "rm", "cloudelements:baseUrl"]);
    await pulumi(dir, ["destroy", "--yes", "--skip-preview"], { env });
    expect(await instancesTagged(ctx.control, tag)).toEqual([]);
    expect(findSecrets(printed, secrets())).toEqual([]);
});

/** Creates an instance directly on the emulator (as another tool would), tagged `tag`. */
async function foreignInstance(tag: string, name: string): Promise<ApiInstanceJson> {
    const [a] = ctx.accounts.freshdesk;
    const created = await ctx.api.createInstance({ name, subdomain: a.subdomain, apiKey: a.apiKeys[0], tags: [tag] });
    await rememberToken(created.id);
    return created;
}

/** The YAML `pulumi import` prints: from the `resources:` line to the first unindented line after it. */
function generatedCode(out: string): string {
    const lines = out.slice(out.indexOf("\nresources:") + 1).split("\n");
    const end = lines.findIndex((line, i) => i > 0 && line !== "" && !line.startsWith(" "));
    return lines.slice(0, end < 0 ? undefined : end).join("\n");
}

test("pulumi import with generated YAML: then one update (the API key), a no-op, and destroy deletes", async () => {
    const tag = "plugin-import-generated";
    const created = await foreignInstance(tag, "Imported Helpdesk");
    const dir = project("plugin-import", "  {}");
    await initStack(dir, ctx.accounts.freshdesk[0].apiKeys[0]);

    let mark = await ctx.log.mark();
    const imported = await pulumi(dir, [
        "import",
        pluginType,
        "helpdesk",
        String(created.id),
        "--yes",
        "--skip-preview",
        "--protect=false",
    ]);
    expect(describeRequests(await ctx.log.since(mark, "provider"))).toEqual([`GET /instances/${created.id} 200`]);
    // The generated code: the YAML of the resource, without the API key (never reliably returned by the API).
    const code = yaml.load(generatedCode(imported.out)) as { resources: Record<string, StateJson> };
    const resource = code.resources.helpdesk;
    // The code generator writes the short form of the token; both name the same type.
    expect(resource.type).toBe("cloudelements:FreshdeskInstance");
    expect(resource.properties).toMatchObject({
        subdomain: ctx.accounts.freshdesk[0].subdomain,
        name: "Imported Helpdesk",
        tags: [tag],
    });
    // The code generator fills the required input it did not get with an empty placeholder.
    expect(resource.properties.apiKey).toBe("");
    let state = await exportOf(dir);
    expect(state.resources.map((r) => r.id)).toEqual([String(created.id)]);
    expect(isSecretValue(state.resources[0].outputs.token)).toBe(true);
    expect(findSecrets(state.text, secrets())).toEqual([]);

    // The program: the generated code plus the API key from secret config.
    resource.properties.apiKey = ref("apiKey");
    fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8").replace(/resources:[\s\S]*$/, yaml.dump(code)),
    );
    mark = await ctx.log.mark();
    const first = await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    expect(first.out).toMatch(/1 updated/);
    const calls = describeRequests(await ctx.log.since(mark, "provider"));
    expect(calls.filter((c) => /^(POST|DELETE)/.test(c))).toEqual([]);
    expect(calls).toContain(`PATCH /instances/${created.id} 200`);
    const after = await instanceById(ctx.control, created.id);
    expect(after?.tokenFingerprint).toBe(fingerprint(created.token));
    expect(await instancesTagged(ctx.control, tag)).toHaveLength(1);

    mark = await ctx.log.mark();
    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    expect(await ctx.log.since(mark, "provider")).toEqual([]);
    state = await exportOf(dir);
    expect(isSecretValue(state.resources[0].inputs.apiKey)).toBe(true);
    expect(findSecrets(state.text, secrets())).toEqual([]);

    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(await instanceById(ctx.control, created.id)).toBeUndefined();
    expect(findSecrets(printed, secrets())).toEqual([]);
});

test("pulumi import --generate-code=false, then retainOnDelete keeps the instance on destroy", async () => {
    const tag = "plugin-import-retain";
    const created = await foreignInstance(tag, "Kept");
    const [a] = ctx.accounts.freshdesk;
    const dir = project("plugin-import-retain", "  {}");
    await initStack(dir, a.apiKeys[0]);
    const imported = await pulumi(dir, [
        "import",
        pluginType,
        "helpdesk",
        String(created.id),
        "--yes",
        "--protect=false",
        "--generate-code=false",
    ]);
    expect(imported.out).not.toMatch(/type: cloudelements:/);
    writeYamlProject(dir, {
        name: "plugin-import-retain",
        resources: instanceYaml({
            subdomain: a.subdomain,
            name: "Kept",
            tags: [tag],
            options: "      retainOnDelete: true",
        }),
    });
    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    const mark = await ctx.log.mark();
    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(await ctx.log.since(mark, "provider")).toEqual([]);
    expect(await instanceById(ctx.control, created.id)).toBeDefined();
    expect((await exportOf(dir)).resources).toEqual([]);
    await ctx.api.deleteInstance(created.id);
    expect(findSecrets(printed, secrets())).toEqual([]);
});

test("the import resource option in a YAML program adopts the instance: no duplicate, destroy deletes", async () => {
    const tag = "plugin-import-option";
    const created = await foreignInstance(tag, "Adopted");
    const [a] = ctx.accounts.freshdesk;
    const dir = project(
        "plugin-import-option",
        instanceYaml({
            subdomain: a.subdomain,
            name: "Adopted",
            tags: [tag],
            options: `      import: "${created.id}"`,
        }),
    );
    await initStack(dir, a.apiKeys[0]);
    const mark = await ctx.log.mark();
    const up = await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    expect(up.out).toMatch(/imported/);
    const calls = describeRequests(await ctx.log.since(mark, "provider"));
    // Imported, then one update in the same run: the API key the import could not read (and the marker tag).
    expect(up.out).toMatch(/1 imported/);
    expect(up.out).toMatch(/1 updated/);
    expect(calls).toContain(`PATCH /instances/${created.id} 200`);
    expect(calls.filter((c) => /^(POST|DELETE)/.test(c))).toEqual([]);
    expect(await instancesTagged(ctx.control, tag)).toHaveLength(1);
    const state = await exportOf(dir);
    expect(state.resources.map((r) => r.id)).toEqual([String(created.id)]);
    expect(findSecrets(state.text, secrets())).toEqual([]);
    // Converged: a second up is a no-op.
    const again = await ctx.log.mark();
    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    expect(await ctx.log.since(again, "provider")).toEqual([]);
    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(await instanceById(ctx.control, created.id)).toBeUndefined();
    expect(findSecrets(printed, secrets())).toEqual([]);
});

test("an API key and a signature key written in clear in the program are still stored only encrypted", async () => {
    // The YAML host marks the schema's secret outputs (additionalSecretOutputs) but not inputs, nor nested
    // properties: the plugin returns them secret-wrapped itself, from check, create, read and update.
    const [a] = ctx.accounts.freshdesk;
    const tag = "plugin-yaml-plain";
    const signatureKey = `sig-${Date.now().toString(36)}-plaintext`;
    const dir = project(
        "plugin-plain",
        [
            "  helpdesk:",
            `    type: ${pluginType}`,
            "    properties:",
            `      subdomain: ${a.subdomain}`,
            `      apiKey: ${a.apiKeys[0]}`,
            `      tags: [${tag}]`,
            "      events:",
            "        callbackUrl: https://hooks.example.com/freshdesk",
            `        signatureKey: ${signatureKey}`,
        ].join("\n"),
    );
    await initStack(dir, a.apiKeys[1]);
    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    const [instance] = await instancesTagged(ctx.control, tag);
    expect(instance.name).toBe("helpdesk");
    await rememberToken(instance.id);
    const state = await exportOf(dir);
    const [resource] = state.resources;
    expect(isSecretValue(resource.inputs.apiKey)).toBe(true);
    expect(isSecretValue(resource.inputs.events.signatureKey)).toBe(true);
    expect(isSecretValue(resource.outputs.token)).toBe(true);
    expect(findSecrets(state.text, { ...secrets(), signatureKey })).toEqual([]);
    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(await instancesTagged(ctx.control, tag)).toEqual([]);
});
