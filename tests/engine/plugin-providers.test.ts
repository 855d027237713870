/**
 * Explicit providers of the `cloudelements` plugin (`pulumi:providers:cloudelements` with inputs) in one Pulumi YAML
 * program, through the real CLI, the YAML host and the emulator with two Cloud Elements organizations: an instance on
 * the default provider (stack config, organization A) and one on an explicit provider (secret config, organization
 * B) each land in their own organization; refresh then `preview --expect-no-changes`; a rotated user secret of B (the
 * old one revoked, the new one written in clear in the program) updates the provider only, with no API call and no
 * instance change; no account secret in plaintext in state or in any output; destroy empties both organizations; bad
 * provider inputs fail before any API call, naming the input and never printing a secret.
 */
import { randomBytes } from "node:crypto";
import { pluginType, requirePluginBuilt, writeYamlProject, yamlProject } from "../helpers/plugin";
import {
    cli,
    describeRequests,
    type ExportedState,
    emulatorAccounts,
    findSecrets,
    fingerprint,
    instancesTagged,
    type StateJson,
    secretMarker,
    secretSig,
    useE2E,
} from "../helpers/stacks";

jest.setTimeout(600_000);

const ctx = useE2E({ label: "plugin-providers" });
/** Everything the CLI printed, for the secret sweep. */
let printed = "";

/** Organization B: a second organization of the emulator, with one user whose secret the test rotates. */
const accountB = {
    organizationSecret: `orgb${randomBytes(12).toString("hex")}`,
    userSecret: `usrb${randomBytes(12).toString("hex")}`,
    rotatedUserSecret: `usrb2${randomBytes(12).toString("hex")}`,
    email: `account-b-${randomBytes(3).toString("hex")}@example.com`,
};

/** The emulator's accounts: the context's organization A, and B with `userSecret`. */
async function setAccounts(userSecret: string): Promise<void> {
    const base = emulatorAccounts(ctx.accounts);
    await ctx.control.setAccounts({
        ...base,
        organizations: [
            ...base.organizations,
            { organizationSecret: accountB.organizationSecret, users: [{ userSecret, email: accountB.email }] },
        ],
    });
}

beforeAll(async () => {
    requirePluginBuilt();
    await setAccounts(accountB.userSecret);
});

function secrets(): Record<string, string> {
    return {
        ...ctx.knownSecrets(),
        organizationSecretB: accountB.organizationSecret,
        userSecretB: accountB.userSecret,
        rotatedUserSecretB: accountB.rotatedUserSecret,
    };
}

/** Runs the CLI; fails the test on a non-zero exit unless `allowFailure`. Returns stdout + stderr. */
async function pulumi(
    dir: string,
    args: string[],
    opts: { env?: Record<string, string>; allowFailure?: boolean } = {},
): Promise<{ code: number; out: string }> {
    const result = await cli(ctx, dir, args, opts.env);
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

const config = [
    "  apiKeyA:",
    "    type: string",
    "    secret: true",
    "  apiKeyB:",
    "    type: string",
    "    secret: true",
    "  userSecretB:",
    "    type: string",
    "    secret: true",
    "  organizationSecretB:",
    "    type: string",
    "    secret: true",
].join("\n");

/** The explicit provider `accountB` with these inputs (YAML lines at the properties' indentation). */
function providerYaml(name: string, properties: readonly string[]): string {
    return [`  ${name}:`, "    type: pulumi:providers:cloudelements", "    properties:", ...properties].join("\n");
}

/** One FreshdeskInstance; on the explicit provider `provider` when given. */
function instanceYaml(name: string, subdomain: string, apiKey: string, tag: string, provider?: string): string {
    return [
        `  ${name}:`,
        `    type: ${pluginType}`,
        "    properties:",
        `      subdomain: ${subdomain}`,
        `      apiKey: ${ref(apiKey)}`,
        `      tags: [${tag}]`,
        ...(provider ? ["    options:", `      provider: ${ref(provider)}`] : []),
    ].join("\n");
}

function isSecretValue(value: unknown): boolean {
    return (
        typeof value === "object" && value !== null && (value as Record<string, unknown>)[secretSig] === secretMarker
    );
}

async function exportOf(dir: string): Promise<{ text: string; resources: StateJson[] }> {
    const { out } = await pulumi(dir, ["stack", "export"]);
    const text = out.slice(out.indexOf("{"));
    return { text, resources: (JSON.parse(text) as ExportedState).deployment.resources ?? [] };
}

async function initStack(dir: string): Promise<void> {
    const [a, b] = ctx.accounts.freshdesk;
    await pulumi(dir, ["stack", "init", "dev"]);
    for (const [key, { value, secret }] of Object.entries(ctx.connectionConfig())) {
        await pulumi(dir, ["config", "set", ...(secret ? ["--secret"] : []), key, value]);
    }
    await pulumi(dir, ["config", "set", "--secret", "apiKeyA", a.apiKeys[0]]);
    await pulumi(dir, ["config", "set", "--secret", "apiKeyB", b.apiKeys[0]]);
    await pulumi(dir, ["config", "set", "--secret", "userSecretB", accountB.userSecret]);
    await pulumi(dir, ["config", "set", "--secret", "organizationSecretB", accountB.organizationSecret]);
}

test("two accounts in one program: each instance in its organization; a rotated secret changes no instance", async () => {
    const [a, b] = ctx.accounts.freshdesk;
    const tagA = "plugin-providers-a";
    const tagB = "plugin-providers-b";
    const name = "plugin-providers";
    // No baseUrl input: the explicit provider falls back to the stack config cloudelements:baseUrl, setting by setting.
    const program = (userSecret: string) => ({
        name,
        config,
        resources: [
            providerYaml("accountB", [
                `      userSecret: ${userSecret}`,
                `      organizationSecret: ${ref("organizationSecretB")}`,
            ]),
            instanceYaml("deskA", a.subdomain, "apiKeyA", tagA),
            instanceYaml("deskB", b.subdomain, "apiKeyB", tagB, "accountB"),
        ].join("\n"),
        outputs: `  idA: ${ref("deskA.instanceId")}\n  idB: ${ref("deskB.instanceId")}`,
    });
    const dir = ctx.trackDir(yamlProject(name, program(ref("userSecretB"))));
    await initStack(dir);

    await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    const [instanceA] = await instancesTagged(ctx.control, tagA);
    const [instanceB] = await instancesTagged(ctx.control, tagB);
    expect(instanceA).toMatchObject({
        organizationSecretFingerprint: fingerprint(ctx.accounts.organizationSecret),
        userEmail: ctx.accounts.userEmail,
        configuration: { subdomain: a.subdomain },
    });
    expect(instanceB).toMatchObject({
        organizationSecretFingerprint: fingerprint(accountB.organizationSecret),
        userEmail: accountB.email,
        configuration: { subdomain: b.subdomain },
    });
    expect(await instancesTagged(ctx.control, tagA)).toHaveLength(1);
    expect(await instancesTagged(ctx.control, tagB)).toHaveLength(1);

    await pulumi(dir, ["refresh", "--yes", "--skip-preview"]);
    await pulumi(dir, ["preview", "--expect-no-changes"]);

    // Rotation: B's user secret is replaced (the old one no longer authenticates) and the program now carries the new
    // one in clear. The provider is updated; no instance is touched, replaced or created, and no API call is made.
    await setAccounts(accountB.rotatedUserSecret);
    writeYamlProject(dir, program(accountB.rotatedUserSecret));
    const preview = await pulumi(dir, ["preview", "--diff"]);
    expect(preview.out).toMatch(/~ pulumi:providers:cloudelements: \(update\)/);
    expect(preview.out).toMatch(/~ 1 to update/);
    expect(preview.out).not.toMatch(/replace|to create|to delete/);
    let mark = await ctx.log.mark();
    const rotated = await pulumi(dir, ["up", "--yes", "--skip-preview"]);
    expect(rotated.out).toMatch(/~ 1 updated/);
    expect(rotated.out).not.toMatch(/replaced|created|deleted/);
    expect(await ctx.log.since(mark, "provider")).toEqual([]);
    expect(await instancesTagged(ctx.control, tagA)).toEqual([instanceA]);
    expect(await instancesTagged(ctx.control, tagB)).toEqual([instanceB]);

    // The rotated secret is the one in use: B's instance refreshes with it (the old one would get 401).
    mark = await ctx.log.mark();
    await pulumi(dir, ["refresh", "--yes", "--skip-preview"]);
    expect(describeRequests(await ctx.log.since(mark, "provider"))).toEqual(
        expect.arrayContaining([`GET /instances/${instanceA.id} 200`, `GET /instances/${instanceB.id} 200`]),
    );
    await pulumi(dir, ["preview", "--expect-no-changes"]);

    // State: the explicit provider's secrets are stored encrypted, the one the program passed in clear included.
    const state = await exportOf(dir);
    const provider = state.resources.find((r) => r.urn.endsWith("::pulumi:providers:cloudelements::accountB"));
    expect(isSecretValue(provider?.inputs.userSecret)).toBe(true);
    expect(isSecretValue(provider?.inputs.organizationSecret)).toBe(true);
    expect(isSecretValue(provider?.outputs.userSecret)).toBe(true);
    expect(isSecretValue(provider?.outputs.organizationSecret)).toBe(true);
    expect(findSecrets(state.text, secrets())).toEqual([]);
    const outputs = JSON.parse((await pulumi(dir, ["stack", "output", "--json"])).out);
    expect(outputs).toEqual({ idA: instanceA.id, idB: instanceB.id });

    await pulumi(dir, ["destroy", "--yes", "--skip-preview"]);
    const left = (await ctx.control.instances()).filter((i) =>
        [fingerprint(ctx.accounts.organizationSecret), fingerprint(accountB.organizationSecret)].includes(
            i.organizationSecretFingerprint,
        ),
    );
    expect(left).toEqual([]);
    expect(findSecrets(printed, secrets())).toEqual([]);
});

test("bad provider inputs fail before any API call, naming the input and never printing a secret", async () => {
    const [, b] = ctx.accounts.freshdesk;
    const tag = "plugin-providers-bad";
    const name = "plugin-providers-bad";
    const program = (properties: readonly string[]) => ({
        name,
        config,
        resources: [
            providerYaml("accountB", properties),
            instanceYaml("deskB", b.subdomain, "apiKeyB", tag, "accountB"),
        ].join("\n"),
    });
    const organizationSecret = `      organizationSecret: ${ref("organizationSecretB")}`;
    const dir = ctx.trackDir(
        yamlProject(name, program([`      userSecret: ${ref("userSecretB")}`, organizationSecret])),
    );
    await initStack(dir);
    // Without the stack config's user secret, and none in the environment: the explicit provider has no fallback.
    await pulumi(dir, ["config", "rm", "cloudelements:userSecret"]);
    const env = { CLOUD_ELEMENTS_USER_SECRET: "" };
    const mark = await ctx.log.mark();

    const refused = async (properties: readonly string[], expected: RegExp): Promise<string> => {
        writeYamlProject(dir, program(properties));
        const preview = await pulumi(dir, ["preview"], { env, allowFailure: true });
        expect(preview.code).not.toBe(0);
        expect(preview.out).toMatch(expected);
        const up = await pulumi(dir, ["up", "--yes", "--skip-preview"], { env, allowFailure: true });
        expect(up.code).not.toBe(0);
        expect(up.out).toMatch(expected);
        return preview.out + up.out;
    };

    // The wrong type: the YAML host checks the schema's type first.
    await refused(
        [`      userSecret: ${ref("userSecretB")}`, organizationSecret, '      timeoutMs: "soon"'],
        /timeoutMs: Cannot assign type 'string' to type 'integer'/,
    );
    // A value out of range: the provider's CheckConfig.
    await refused(
        [`      userSecret: ${ref("userSecretB")}`, organizationSecret, "      timeoutMs: 0"],
        /Cloud Elements timeoutMs must be an integer from 1 to 600000, got "0"; check the provider input timeoutMs/,
    );
    // Missing everywhere: input, stack config and environment.
    await refused(
        [organizationSecret],
        /Missing userSecret: set the provider input userSecret, stack config cloudelements:userSecret .* or the environment variable CLOUD_ELEMENTS_USER_SECRET/,
    );
    // A malformed secret written in clear: neither the provider nor the engine echoes it.
    const malformed = `usr${randomBytes(8).toString("hex")},Organization ${randomBytes(8).toString("hex")}`;
    const out = await refused(
        [`      userSecret: "${malformed}"`, organizationSecret],
        /Cloud Elements userSecret contains whitespace or a comma, .*check the provider input userSecret/,
    );
    expect(findSecrets(out, { malformed })).toEqual([]);

    expect(await ctx.log.since(mark, "provider")).toEqual([]);
    expect(await instancesTagged(ctx.control, tag)).toEqual([]);
    expect(findSecrets(printed, secrets())).toEqual([]);
});
