/**
 * End to end through the plain CLI on a program directory (run by the CLI and our language host), against the
 * emulator: one program, one stack per environment with its own config (isolated, each destroyable alone), and the
 * two ways to give the provider its Cloud Elements credentials: secret stack config, or environment variables only
 * (through the CLI's environment and through the Automation API's workspace `envVars`). Neither shows in plaintext
 * in state, in the stack's config file or in CLI output. Set in config, the connection secrets are stored in state
 * encrypted (the engine records the stack config on the default `pulumi-nodejs` provider resource); taken from the
 * environment, they are not in state at all.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import type { StateResource } from "../../cli/deployment";
import { configSetAllArgs, programStack, repoRoot } from "../helpers/pulumi";
import {
    cli,
    describeRequests,
    findSecrets,
    fingerprint,
    freshdeskResources,
    instanceById,
    instancesTagged,
    resourcesContaining,
    secretMarker,
    secretSig,
    useE2E,
    workProgram,
} from "../helpers/stacks";

jest.setTimeout(300_000);

const fixture = path.join(repoRoot, "tests", "fixtures", "freshdesk");
/** The fixture is type-checked with the repository; skip ts-node's check on every run. */
const fastTs = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };

const ctx = useE2E({ label: "environments" });
let dir: string;
/** Everything the CLI printed in this file. */
let printed = "";

beforeAll(() => {
    dir = ctx.trackDir(workProgram(fixture, "environments", "symlink"));
});

/** Runs the CLI in the program directory; fails the test with the CLI's output when the exit code is not 0. */
async function pulumi(args: string[], env: Record<string, string> = {}): Promise<string> {
    const result = await cli(ctx, dir, args, { ...fastTs, ...env });
    // What --show-secrets prints is meant to hold secrets; everything else is scanned.
    if (!args.includes("--show-secrets")) {
        printed += result.stdout + result.stderr;
    }
    if (result.code !== 0) {
        throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
}

/** Sets a stack's config as the docs tell users to, secrets encrypted (`--secret`), in one `pulumi config set-all`. */
async function configure(stack: string, values: Record<string, string>, secrets: Record<string, string>) {
    const config: ConfigMap = {};
    for (const [key, value] of Object.entries(values)) {
        config[key] = { value };
    }
    for (const [key, value] of Object.entries(secrets)) {
        config[key] = { value, secret: true };
    }
    await pulumi([...configSetAllArgs(config), "--stack", stack]);
}

/** The Cloud Elements user and organization secrets. */
function connectionSecrets(): Record<string, string> {
    return { userSecret: ctx.accounts.userSecret, organizationSecret: ctx.accounts.organizationSecret };
}

function allSecrets(extra: Record<string, string> = {}): Record<string, string> {
    return { ...ctx.knownSecrets(), ...extra };
}

test("per environment: stacks dev and prod of one program get two isolated instances, each destroyable alone", async () => {
    const [a, b] = ctx.accounts.freshdesk;
    const environments = {
        dev: { subdomain: a.subdomain, apiKey: a.apiKeys[0] },
        prod: { subdomain: b.subdomain, apiKey: b.apiKeys[0] },
    };
    for (const [stack, env] of Object.entries(environments)) {
        await pulumi(["stack", "init", stack]);
        await configure(
            stack,
            {
                "cloudelements:baseUrl": ctx.baseUrl,
                subdomain: env.subdomain,
                name: `helpdesk-${stack}`,
                tags: JSON.stringify([`env:${stack}`]),
            },
            {
                "cloudelements:userSecret": ctx.accounts.userSecret,
                "cloudelements:organizationSecret": ctx.accounts.organizationSecret,
                apiKey: env.apiKey,
            },
        );
        // The stack's config file holds ciphertext only.
        const configFile = fs.readFileSync(path.join(dir, `Pulumi.${stack}.yaml`), "utf8");
        expect(findSecrets(configFile, allSecrets())).toEqual([]);
        expect(configFile).toContain("secure:");
    }

    await pulumi(["up", "--yes", "--skip-preview", "--stack", "dev"]);
    await pulumi(["up", "--yes", "--skip-preview", "--stack", "prod"]);

    const [dev] = await instancesTagged(ctx.control, "env:dev");
    const [prod] = await instancesTagged(ctx.control, "env:prod");
    expect(await ctx.control.instances()).toHaveLength(2);
    expect(dev.id).not.toBe(prod.id);
    expect(dev).toMatchObject({ name: "helpdesk-dev", apiKeyFingerprint: fingerprint(a.apiKeys[0]) });
    expect(dev.configuration.subdomain).toBe(a.subdomain);
    expect(prod).toMatchObject({ name: "helpdesk-prod", apiKeyFingerprint: fingerprint(b.apiKeys[0]) });
    expect(prod.configuration.subdomain).toBe(b.subdomain);

    const tokens: Record<string, string> = {};
    for (const [stack, instance] of [
        ["dev", dev],
        ["prod", prod],
    ] as const) {
        const outputs = JSON.parse(await pulumi(["stack", "output", "--json", "--stack", stack]));
        expect(outputs.instanceId).toBe(instance.id);
        expect(outputs.token).toBe("[secret]");
        const token = (await pulumi(["stack", "output", "token", "--show-secrets", "--stack", stack])).trim();
        expect(fingerprint(token)).toBe(instance.tokenFingerprint);
        tokens[`token(${stack})`] = token;
        const exported = await pulumi(["stack", "export", "--stack", stack]);
        expect(freshdeskResources(JSON.parse(exported)).map((r) => r.id)).toEqual([String(instance.id)]);
        expect(findSecrets(exported, allSecrets({ ...tokens }))).toEqual([]);
        // Observed engine behaviour: the default provider resource of dynamic providers
        // (pulumi:providers:pulumi-nodejs) records the whole stack config as its inputs and outputs, so the
        // connection secrets set in config are in state, encrypted, as secrets of that resource; nowhere else.
        const revealed = JSON.parse(await pulumi(["stack", "export", "--show-secrets", "--stack", stack]));
        const holders = resourcesContaining(revealed, connectionSecrets());
        expect(holders.map((r) => r.type)).toEqual(["pulumi:providers:pulumi-nodejs"]);
        for (const part of [holders[0].resource.inputs, holders[0].resource.outputs]) {
            for (const key of ["cloudelements:userSecret", "cloudelements:organizationSecret"]) {
                expect(part?.[key]).toEqual({ [secretSig]: secretMarker, plaintext: expect.any(String) });
            }
        }
        const [plainProvider] = JSON.parse(exported).deployment.resources.filter(
            (r: StateResource) => r.type === "pulumi:providers:pulumi-nodejs",
        );
        expect(plainProvider.inputs["cloudelements:userSecret"]).toEqual({
            [secretSig]: secretMarker,
            ciphertext: expect.any(String),
        });
    }

    // Destroying dev touches only dev's instance; prod's stack still has nothing to do.
    let mark = await ctx.log.mark();
    await pulumi(["destroy", "--yes", "--skip-preview", "--stack", "dev"]);
    expect(describeRequests((await ctx.log.since(mark)).filter((r) => r.method !== "GET"))).toEqual([
        `DELETE /instances/${dev.id} 200`,
    ]);
    expect((await ctx.control.instances()).map((i) => i.id)).toEqual([prod.id]);
    mark = await ctx.log.mark();
    const preview = await pulumi(["preview", "--stack", "prod"]);
    expect(preview).toContain("2 unchanged");
    expect(await ctx.log.since(mark)).toEqual([]);

    await pulumi(["destroy", "--yes", "--skip-preview", "--stack", "prod"]);
    expect(await ctx.control.instances()).toEqual([]);
    await pulumi(["stack", "rm", "--yes", "dev"]);
    await pulumi(["stack", "rm", "--yes", "prod"]);
    expect(findSecrets(printed, allSecrets(tokens))).toEqual([]);
});

test("credentials only in environment variables: CLI env and Automation API envVars both work", async () => {
    const [a] = ctx.accounts.freshdesk;
    const stackName = "envonly";
    await pulumi(["stack", "init", stackName]);
    await configure(
        stackName,
        { subdomain: a.subdomain, name: "helpdesk-envonly", tags: '["env:envonly"]' },
        {
            apiKey: a.apiKeys[1],
        },
    );
    const configFile = fs.readFileSync(path.join(dir, `Pulumi.${stackName}.yaml`), "utf8");
    expect(configFile).not.toContain("cloudelements:");

    // Neither config nor environment: a clear error naming both ways, and no call.
    let mark = await ctx.log.mark();
    const missing = await cli(ctx, dir, ["up", "--yes", "--skip-preview", "--stack", stackName], fastTs);
    printed += missing.stdout + missing.stderr;
    expect(missing.code).not.toBe(0);
    const message = missing.stdout + missing.stderr;
    expect(message).toContain("cloudelements:userSecret");
    expect(message).toContain("CLOUD_ELEMENTS_USER_SECRET");
    expect(await ctx.log.since(mark)).toEqual([]);
    expect(await instancesTagged(ctx.control, "env:envonly")).toEqual([]);

    // Through the Automation API: the workspace's envVars reach the provider.
    const stack = await programStack({
        backend: ctx.backend,
        workDir: dir,
        stackName,
        env: { ...fastTs, ...ctx.connectionEnv() },
    });
    let output = "";
    const up = await stack.up({ onOutput: (o) => (output += o) });
    printed += output;
    // The failed up above already recorded the stack resource itself.
    expect(up.summary.resourceChanges).toEqual({ same: 1, create: 1 });
    const id = up.outputs.instanceId.value;
    const instance = (await instanceById(ctx.control, id))!;
    expect(instance.tags).toContain("env:envonly");
    expect(instance.apiKeyFingerprint).toBe(fingerprint(a.apiKeys[1]));
    const token = up.outputs.token.value;
    expect(fingerprint(token)).toBe(instance.tokenFingerprint);

    // Through the plain CLI: the process environment reaches refresh and destroy.
    mark = await ctx.log.mark();
    await pulumi(["refresh", "--yes", "--skip-preview", "--stack", stackName], ctx.connectionEnv());
    expect(describeRequests(await ctx.log.since(mark))).toEqual([`GET /instances/${id} 200`]);
    const exported = await pulumi(["stack", "export", "--stack", stackName]);
    expect(findSecrets(exported, allSecrets({ token }))).toEqual([]);
    const shown = await pulumi(["stack", "export", "--show-secrets", "--stack", stackName]);
    // Taken from the environment, the connection secrets are nowhere in state, not even encrypted.
    expect(findSecrets(shown, connectionSecrets())).toEqual([]);

    await pulumi(["destroy", "--yes", "--skip-preview", "--stack", stackName], ctx.connectionEnv());
    expect(await instanceById(ctx.control, id)).toBeUndefined();
    await pulumi(["stack", "rm", "--yes", stackName]);
    expect(findSecrets(printed, allSecrets({ token }))).toEqual([]);
});
