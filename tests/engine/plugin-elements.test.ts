/**
 * `cloudelements:index:ElementInstance` from Pulumi YAML, through the real CLI, the YAML language host, the provider
 * plugin and the emulator: servicenow, jira and freshservice instances created, refreshed with their passwords masked
 * by the platform and no change after, a password rotated in place, a missing required key refused before any call,
 * destroy, `pulumi import` of a hand-made instance; and a secret sweep over exported state and every CLI output.
 */
import { requirePluginBuilt, yamlProject } from "../helpers/plugin";
import {
    cli,
    describeRequests,
    type ExportedState,
    findSecrets,
    fingerprint,
    instanceById,
    instancesTagged,
    type StateJson,
    secretMarker,
    secretSig,
    useE2E,
} from "../helpers/stacks";

jest.setTimeout(600_000);

const ctx = useE2E({ label: "plugin-elements" });
const elementType = "cloudelements:index:ElementInstance";
/** Everything the CLI printed, for the secret sweep. */
let printed = "";
/** Passwords, secret-marked values and tokens the tests used or saw, for the secret sweep. */
const swept: Record<string, string> = {};

beforeAll(() => {
    requirePluginBuilt();
});

async function pulumi(
    dir: string,
    args: string[],
    opts: { allowFailure?: boolean } = {},
): Promise<{ code: number; out: string }> {
    const result = await cli(ctx, dir, args);
    const out = result.stdout + result.stderr;
    printed += out;
    if (result.code !== 0 && !opts.allowFailure) {
        throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${out}`);
    }
    return { code: result.code, out };
}

/** A Pulumi YAML interpolation, `${name}`. */
function ref(name: string): string {
    return `\${${name}}`;
}

/** The config section: the secrets the program reads. */
const config = ["jiraPassword", "freshservicePassword", "freshserviceUsername"]
    .map((key) => `  ${key}:\n    type: string\n    secret: true`)
    .join("\n");

/**
 * The three instances. servicenow's password is a literal (secret by the element's metadata alone); freshservice's
 * username comes from secret config, a key neither the metadata nor its name makes secret.
 */
function resources(tag: string, snPassword: string, opts: { subdomain?: boolean } = {}): string {
    const tags = JSON.stringify([tag]);
    return [
        "  desk:",
        `    type: ${elementType}`,
        "    properties:",
        "      elementKey: servicenow",
        `      tags: ${tags}`,
        "      configuration:",
        "        username: admin",
        `        password: ${JSON.stringify(snPassword)}`,
        ...(opts.subdomain === false ? [] : ['        servicenow.subdomain: "dev12345"']),
        "  tracker:",
        `    type: ${elementType}`,
        "    properties:",
        "      elementKey: jira",
        "      name: Tracker",
        `      tags: ${tags}`,
        "      configuration:",
        "        username: jira-bot",
        `        password: ${ref("jiraPassword")}`,
        "        base.url: https://acme.atlassian.net",
        "  service:",
        `    type: ${elementType}`,
        "    properties:",
        "      elementKey: freshservice",
        `      tags: ${tags}`,
        "      configuration:",
        `        username: ${ref("freshserviceUsername")}`,
        `        password: ${ref("freshservicePassword")}`,
        "        subdomain: acme",
    ].join("\n");
}

async function initStack(dir: string, values: Record<string, string>): Promise<void> {
    await pulumi(dir, ["stack", "init", "dev"]);
    for (const [key, { value, secret }] of Object.entries(ctx.connectionConfig())) {
        await pulumi(dir, ["config", "set", ...(secret ? ["--secret"] : []), key, value]);
    }
    for (const [key, value] of Object.entries(values)) {
        await pulumi(dir, ["config", "set", "--secret", key, value]);
        swept[key] = value;
    }
}

/** An `ElementInstance` in exported state. */
interface StateResource {
    readonly type: string;
    readonly id: string;
    readonly urn: string;
    readonly inputs: StateJson;
    readonly outputs: StateJson;
}

async function exportOf(dir: string): Promise<{ text: string; resources: StateResource[] }> {
    const { out } = await pulumi(dir, ["stack", "export"]);
    const text = out.slice(out.indexOf("{"));
    const all = ((JSON.parse(text) as ExportedState).deployment.resources ?? []) as unknown as StateResource[];
    return { text, resources: all.filter((r) => r.type === elementType) };
}

function isSecretValue(value: unknown): boolean {
    return (
        typeof value === "object" && value !== null && (value as Record<string, unknown>)[secretSig] === secretMarker
    );
}

function byName(resources: StateResource[], name: string): StateResource {
    const found = resources.find((r) => r.urn.endsWith(`::${name}`));
    if (found === undefined) {
        throw new Error(`no ${name} in state`);
    }
    return found;
}

function secrets(): Record<string, string> {
    return { ...ctx.knownSecrets(), ...swept };
}

test("servicenow, jira and freshservice: up, refresh, no change, password rotation in place, destroy", async () => {
    const tag = "plugin-elements-lifecycle";
    const snPassword = "sn-literal-pass-4411";
    swept.snPassword = snPassword;
    const dir = ctx.trackDir(
        yamlProject("plugin-elements", { name: "plugin-elements", config, resources: resources(tag, snPassword) }),
    );
    await initStack(dir, {
        jiraPassword: "jira-pass-one-7781",
        freshservicePassword: "fs-pass-9913",
        freshserviceUsername: "fs-user-secret-5521",
    });

    // Create: three instances, one per element.
    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    const created = await instancesTagged(ctx.control, tag);
    expect(created.map((i) => i.elementKey).sort()).toEqual(["freshservice", "jira", "servicenow"]);
    for (const instance of created) {
        swept[`token ${instance.id}`] = await ctx.tokenOf(instance.id);
    }
    const jira = created.find((i) => i.elementKey === "jira");
    expect(jira).toMatchObject({ name: "Tracker", apiKeyFingerprint: fingerprint("jira-pass-one-7781") });
    expect(created.find((i) => i.elementKey === "servicenow")?.name).toBe("desk");

    // State: tokens, passwords and the secret-marked username are secrets; nothing in plaintext.
    let state = await exportOf(dir);
    expect(state.resources).toHaveLength(3);
    for (const resource of state.resources) {
        expect(isSecretValue(resource.outputs.token)).toBe(true);
        expect(isSecretValue(resource.outputs.configuration.password)).toBe(true);
        expect(isSecretValue(resource.inputs.configuration.password)).toBe(true);
    }
    expect(isSecretValue(byName(state.resources, "service").inputs.configuration.username)).toBe(true);
    expect(isSecretValue(byName(state.resources, "service").outputs.configuration.username)).toBe(true);
    expect(byName(state.resources, "tracker").outputs.configuration.username).toBe("jira-bot");
    expect(findSecrets(state.text, secrets())).toEqual([]);

    // Refresh (the platform answers the passwords masked), then nothing to change.
    await pulumi(dir, ["refresh", "--yes", "--skip-preview"]);
    await pulumi(dir, ["preview", "--expect-no-changes"]);

    // Jira's password rotated: one update in place, same id.
    await pulumi(dir, ["config", "set", "--secret", "jiraPassword", "jira-pass-two-3352"]);
    swept.jiraPassword2 = "jira-pass-two-3352";
    const mark = await ctx.log.mark();
    const rotated = await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    expect(rotated.out).toMatch(/1 updated/);
    const calls = describeRequests(await ctx.log.since(mark, "provider"));
    expect(calls.filter((c) => /^(POST|DELETE)/.test(c))).toEqual([]);
    expect(await instanceById(ctx.control, jira?.id ?? -1)).toMatchObject({
        apiKeyFingerprint: fingerprint("jira-pass-two-3352"),
    });
    expect((await instancesTagged(ctx.control, tag)).map((i) => i.id).sort()).toEqual(created.map((i) => i.id).sort());
    state = await exportOf(dir);
    expect(byName(state.resources, "tracker").id).toBe(String(jira?.id));
    expect(findSecrets(state.text, secrets())).toEqual([]);

    // Destroy leaves none.
    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(await instancesTagged(ctx.control, tag)).toEqual([]);

    expect(findSecrets(printed, secrets())).toEqual([]);
});

test("a missing required configuration key is refused, naming it, and nothing is created", async () => {
    const tag = "plugin-elements-missing";
    const dir = ctx.trackDir(
        yamlProject("plugin-elements-missing", {
            name: "plugin-elements-missing",
            config,
            resources: resources(tag, "sn-literal-pass-4411", { subdomain: false }),
        }),
    );
    await initStack(dir, {
        jiraPassword: "jira-pass-one-7781",
        freshservicePassword: "fs-pass-9913",
        freshserviceUsername: "fs-user-secret-5521",
    });
    // The preview `up` runs first fails at check, before any instance call.
    const up = await pulumi(dir, ["up", "--yes"], { allowFailure: true });
    expect(up.code).not.toBe(0);
    expect(up.out).toMatch(/servicenow\.subdomain/);
    expect(await instancesTagged(ctx.control, tag)).toEqual([]);
    expect((await exportOf(dir)).resources).toEqual([]);
    expect(findSecrets(printed, secrets())).toEqual([]);
});

test("pulumi import of a servicenow instance made by hand: from the id alone, token secret, destroy deletes", async () => {
    const tag = "plugin-elements-import";
    const password = "sn-hand-made-pass-6620";
    swept.handMadePassword = password;
    const created = await ctx.api.request("POST", "/elements/servicenow/instances", {
        name: "Hand made",
        tags: [tag],
        configuration: { username: "admin", password, "servicenow.subdomain": "dev12345" },
    });
    swept[`token ${created.id}`] = created.token;
    const dir = ctx.trackDir(
        yamlProject("plugin-elements-import", { name: "plugin-elements-import", config: "  {}", resources: "  {}" }),
    );
    await initStack(dir, {});
    const mark = await ctx.log.mark();
    await pulumi(dir, [
        "import",
        elementType,
        "desk",
        String(created.id),
        "--yes",
        "--skip-preview",
        "--protect=false",
    ]);
    // The instance and its element's metadata are read; nothing is written.
    expect(describeRequests(await ctx.log.since(mark, "provider")).sort()).toEqual([
        "GET /elements/servicenow 200",
        `GET /instances/${created.id} 200`,
    ]);
    const state = await exportOf(dir);
    expect(state.resources.map((r) => r.id)).toEqual([String(created.id)]);
    const [resource] = state.resources;
    expect(resource.outputs).toMatchObject({ elementKey: "servicenow", name: "Hand made", tags: [tag] });
    expect(isSecretValue(resource.outputs.token)).toBe(true);
    expect(findSecrets(state.text, secrets())).toEqual([]);

    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(await instanceById(ctx.control, created.id)).toBeUndefined();
    expect(findSecrets(printed, secrets())).toEqual([]);
});
