/**
 * The Pulumi YAML examples as their READMEs say: the plugin installed once from its archive with
 * `pulumi plugin install resource cloudelements <version> --file <tarball>` (no `plugins:` path in the examples, no
 * npm install), then `examples/yaml` (one instance), `examples/yaml-per-environment` (dev, staging and prod stacks
 * from the committed stack files) and `examples/import` (an instance made outside Pulumi, adopted with
 * `pulumi import`) deployed against the emulator and destroyed. Secrets only ever set with `--secret`; the sweep
 * checks state and output.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { installPlugin, pluginType, pluginVersion, requirePluginBuilt } from "../helpers/plugin";
import { configSetAllArgs, repoRoot } from "../helpers/pulumi";
import {
    accountFor,
    cli,
    describeRequests,
    findSecrets,
    fingerprint,
    instanceById,
    instancesTagged,
    useE2E,
    workProgram,
} from "../helpers/stacks";

jest.setTimeout(600_000);

const examples = path.join(repoRoot, "examples");
/** Subdomains the per-environment stack files name. */
const exampleSubdomains = ["acme-dev", "acme-staging", "acme"];

const ctx = useE2E({ label: "plugin-examples", extraSubdomains: exampleSubdomains });
/** Where the plugin was installed from (a copy of the YAML example). */
let home: string;
let printed = "";
const tokens: Record<string, string> = {};

beforeAll(async () => {
    requirePluginBuilt();
    home = ctx.trackDir(workProgram(path.join(examples, "yaml"), "plugin-install"));
    await installPlugin(ctx.backend, home);
});

function copyExample(name: string): string {
    const dir = ctx.trackDir(workProgram(path.join(examples, name), `example-${name}`));
    // Proves the installed plugin is what runs: the examples name no plugin path.
    expect(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")).not.toMatch(/plugins:/);
    return dir;
}

async function pulumi(dir: string, args: string[]): Promise<string> {
    const result = await cli(ctx, dir, args);
    if (!args.includes("--show-secrets")) {
        printed += result.stdout + result.stderr;
    }
    if (result.code !== 0) {
        throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
}

/** Sets the connection, the secret `apiKey` and the plain `extra` values in one `pulumi config set-all`. */
async function setConnection(dir: string, stack: string, apiKey: string, extra: Record<string, string> = {}) {
    const plain = Object.fromEntries(Object.entries(extra).map(([key, value]) => [key, { value }]));
    const config = { ...ctx.connectionConfig(), apiKey: { value: apiKey, secret: true }, ...plain };
    await pulumi(dir, [...configSetAllArgs(config), "--stack", stack]);
}

function secrets(): Record<string, string> {
    return { ...ctx.knownSecrets(), ...tokens };
}

test("the plugin is installed from its archive", async () => {
    const listed = await pulumi(home, ["plugin", "ls", "--json"]);
    const plugins = JSON.parse(listed) as { name: string; kind: string; version: string }[];
    expect(plugins).toContainEqual(
        expect.objectContaining({ name: "cloudelements", kind: "resource", version: pluginVersion }),
    );
});

test("yaml: up creates one instance with the token secret; destroy deletes it", async () => {
    const dir = copyExample("yaml");
    const [account] = ctx.accounts.freshdesk;
    await pulumi(dir, ["stack", "init", "dev"]);
    await setConnection(dir, "dev", account.apiKeys[0], { subdomain: account.subdomain });
    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    const [instance] = await instancesTagged(ctx.control, "example:yaml");
    expect(instance).toMatchObject({ name: "freshdesk-yaml-dev", apiKeyFingerprint: fingerprint(account.apiKeys[0]) });
    tokens.yaml = await ctx.tokenOf(instance.id);
    expect(JSON.parse(await pulumi(dir, ["stack", "output", "--json"]))).toEqual({
        instanceId: instance.id,
        instanceName: "freshdesk-yaml-dev",
        token: "[secret]",
    });
    expect((await pulumi(dir, ["stack", "output", "token", "--show-secrets"])).trim()).toBe(tokens.yaml);
    expect(findSecrets(await pulumi(dir, ["stack", "export"]), secrets())).toEqual([]);
    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(await instancesTagged(ctx.control, "example:yaml")).toEqual([]);
});

test("yaml-per-environment: dev, staging and prod each own one instance, from the committed stack files", async () => {
    const dir = copyExample("yaml-per-environment");
    const stacks = ["dev", "staging", "prod"] as const;
    const expected = {
        dev: { subdomain: "acme-dev", team: "support", nulls: "false" },
        staging: { subdomain: "acme-staging", team: "support", nulls: "true" },
        prod: { subdomain: "acme", team: "support-critical", nulls: "true" },
    };
    for (const stack of stacks) {
        await pulumi(dir, ["stack", "init", stack]);
        await setConnection(dir, stack, accountFor(ctx.accounts, expected[stack].subdomain).apiKeys[0]);
        await pulumi(dir, ["up", "--yes", "--skip-preview", "--stack", stack]);
    }
    for (const stack of stacks) {
        const [instance, ...more] = await instancesTagged(ctx.control, `env:${stack}`);
        expect(more).toEqual([]);
        expect(instance.name).toBe(`support-${stack}`);
        expect(instance.tags).toContain(`team:${expected[stack].team}`);
        expect(instance.configuration.subdomain).toBe(expected[stack].subdomain);
        expect(instance.configuration["filter.response.nulls"]).toBe(expected[stack].nulls);
        tokens[stack] = await ctx.tokenOf(instance.id);
        expect(findSecrets(await pulumi(dir, ["stack", "export", "--stack", stack]), secrets())).toEqual([]);
    }
    // Each stack deletes only its own instance.
    await pulumi(dir, ["destroy", "--yes", "--skip-preview", "--stack", "dev"]);
    expect(await instancesTagged(ctx.control, "env:dev")).toEqual([]);
    expect(await instancesTagged(ctx.control, "env:prod")).toHaveLength(1);
    for (const stack of ["staging", "prod"]) {
        await pulumi(dir, ["destroy", "--yes", "--skip-preview", "--stack", stack]);
        expect(await instancesTagged(ctx.control, `env:${stack}`)).toEqual([]);
    }
});

test("import: pulumi import adopts an existing instance; the first up sets the API key; destroy deletes", async () => {
    const [account] = ctx.accounts.freshdesk;
    const created = await ctx.api.createInstance({
        name: "Support (made by hand)",
        subdomain: account.subdomain,
        apiKey: account.apiKeys[0],
        tags: ["imported"],
    });
    tokens.imported = created.token;
    const dir = copyExample("import");
    await pulumi(dir, ["stack", "init", "dev"]);
    await setConnection(dir, "dev", account.apiKeys[1], {
        subdomain: account.subdomain,
        instanceName: "Support (made by hand)",
    });

    const out = await pulumi(dir, ["import", pluginType, "helpdesk", String(created.id), "--protect=false", "--yes"]);
    expect(out).toContain("type: cloudelements:FreshdeskInstance");
    expect(out).toContain("name: Support (made by hand)");

    const mark = await ctx.log.mark();
    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    const calls = describeRequests(await ctx.log.since(mark, "provider"));
    expect(calls.filter((c) => /^(POST|DELETE)/.test(c))).toEqual([]);
    const after = await instanceById(ctx.control, created.id);
    // The key given in config is now the instance's key; id and token are the same.
    expect(after?.apiKeyFingerprint).toBe(fingerprint(account.apiKeys[1]));
    expect(after?.tokenFingerprint).toBe(fingerprint(created.token));
    expect(await instancesTagged(ctx.control, "imported")).toHaveLength(1);
    expect(findSecrets(await pulumi(dir, ["stack", "export"]), secrets())).toEqual([]);

    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    expect(await instanceById(ctx.control, created.id)).toBeUndefined();
    expect(findSecrets(printed, secrets())).toEqual([]);
});
