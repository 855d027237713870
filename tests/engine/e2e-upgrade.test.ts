/**
 * End to end through the plain CLI: upgrading the installed package (its `node_modules` copy) changes nothing in
 * the cloud and needs no update: preview and up show no changes and make no API call. Refresh and destroy, which the
 * engine runs with the serialized provider stored in state, run the upgraded code anyway: the stored provider is a
 * stub that loads the installed implementation. The package announces its version in its User-Agent
 * (`pulumi-cloudelements-freshdesk/<version>`), which the emulator logs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { configSetAllArgs, repoRoot } from "../helpers/pulumi";
import {
    cli,
    describeRequests,
    freshdeskResources,
    instanceById,
    setCopiedPackageVersion,
    useE2E,
    userAgentVersion,
    workProgram,
} from "../helpers/stacks";

jest.setTimeout(300_000);

const fixture = path.join(repoRoot, "tests", "fixtures", "freshdesk");
const fastTs = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };
const currentVersion: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version;
const upgradedVersion = "99.1.0-e2e";

const ctx = useE2E({ label: "upgrade" });
let dir: string;

beforeAll(() => {
    dir = ctx.trackDir(workProgram(fixture, "upgrade", "copy"));
});

async function pulumi(args: string[]): Promise<string> {
    const result = await cli(ctx, dir, args, fastTs);
    if (result.code !== 0) {
        throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
}

test("a package upgrade alone calls no API; refresh and destroy run the upgraded code", async () => {
    const [a] = ctx.accounts.freshdesk;
    await pulumi(["stack", "init", "dev"]);
    await pulumi(
        configSetAllArgs({
            ...ctx.connectionConfig(),
            subdomain: { value: a.subdomain },
            apiKey: { value: a.apiKeys[0], secret: true },
            name: { value: "helpdesk-upgrade" },
        }),
    );

    let mark = await ctx.log.mark();
    await pulumi(["up", "--yes", "--skip-preview"]);
    const created = await ctx.log.since(mark);
    expect(created.length).toBeGreaterThan(0);
    expect(new Set(created.map((r) => userAgentVersion(r)))).toEqual(new Set([currentVersion]));
    const [resource] = freshdeskResources(JSON.parse(await pulumi(["stack", "export"])));
    const id = resource.id;
    const storedProvider = resource.outputs.__provider;

    setCopiedPackageVersion(dir, upgradedVersion);

    mark = await ctx.log.mark();
    const preview = await pulumi(["preview"]);
    expect(preview).toContain("2 unchanged");
    const up = await pulumi(["up", "--yes", "--skip-preview"]);
    expect(up).toContain("2 unchanged");
    expect(await ctx.log.since(mark)).toEqual([]);
    // The state still holds the provider serialized at create (a "same" step keeps the old outputs).
    const [unchanged] = freshdeskResources(JSON.parse(await pulumi(["stack", "export"])));
    expect(unchanged.outputs.__provider).toBe(storedProvider);

    mark = await ctx.log.mark();
    await pulumi(["refresh", "--yes", "--skip-preview"]);
    const refreshed = await ctx.log.since(mark);
    expect(describeRequests(refreshed)).toEqual([`GET /instances/${id} 200`]);
    expect(refreshed.map((r) => userAgentVersion(r))).toEqual([upgradedVersion]);

    mark = await ctx.log.mark();
    await pulumi(["destroy", "--yes", "--skip-preview"]);
    const destroyed = await ctx.log.since(mark);
    expect(describeRequests(destroyed.filter((r) => r.method !== "GET"))).toEqual([`DELETE /instances/${id} 200`]);
    expect(new Set(destroyed.map((r) => userAgentVersion(r)))).toEqual(new Set([upgradedVersion]));
    expect(await instanceById(ctx.control, id)).toBeUndefined();
    await pulumi(["stack", "rm", "--yes", "dev"]);
});
