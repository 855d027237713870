/**
 * End to end through the plain CLI, as a user runs it: a failure is said once. With the API unreachable, `refresh`
 * and `destroy` used to print `HttpError: X: HttpError: X` and a stack trace (the dynamic-provider runtime's
 * `console.error`) before the engine printed X again. Now the CLI output holds the message exactly once, without a
 * stack trace, and the message names the base URL it tried and where that came from (stack config
 * `cloudelements:baseUrl`, which wins, or the environment variable `CLOUD_ELEMENTS_BASE_URL`).
 */
import * as path from "node:path";
import { type CliResult, configSetAllArgs, repoRoot } from "../helpers/pulumi";
import {
    cli,
    describeRequests,
    findSecrets,
    freshdeskResources,
    instanceById,
    useE2E,
    workProgram,
} from "../helpers/stacks";

jest.setTimeout(300_000);

const fixture = path.join(repoRoot, "tests", "fixtures", "freshdesk");
const fastTs = { PULUMI_NODEJS_TRANSPILE_ONLY: "true" };
// Nothing listens on port 9 of the loopback interface: every connection is refused at once.
const unreachable = "http://127.0.0.1:9";
const unreachableBase = `${unreachable}/elements/api-v2`;

const ctx = useE2E({ label: "errors" });
let dir: string;
const transcript: string[] = [];

beforeAll(() => {
    dir = ctx.trackDir(workProgram(fixture, "errors", "copy"));
});

async function run(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const result = await cli(ctx, dir, args, { ...fastTs, ...env });
    // The command line is not recorded: `config set --secret` carries secrets on purpose.
    transcript.push(`${result.stdout}\n${result.stderr}`);
    return result;
}

async function pulumi(args: string[], env: Record<string, string> = {}): Promise<string> {
    const result = await run(args, env);
    if (result.code !== 0) {
        throw new Error(`pulumi ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    }
    return result.stdout;
}

function occurrences(text: string, needle: string): number {
    return text.split(needle).length - 1;
}

/** The CLI's `Diagnostics:` section: every diagnostic the engine received, each printed once. */
function diagnostics(output: string): string {
    const start = output.indexOf("\nDiagnostics:\n");
    expect(start).toBeGreaterThanOrEqual(0);
    const rest = output.slice(start);
    const end = rest.search(/\n(Outputs|Resources):\n/);
    return end < 0 ? rest : rest.slice(0, end);
}

/**
 * The failure is one diagnostic, with no stack trace and none of the runtime's `HttpError: X: HttpError: X` echo.
 * Outside the Diagnostics section the message shows only on the resource's own progress lines, where the
 * non-interactive display repeats the status of the step (`refreshing (0s) error: ...`, `**refreshing failed**
 * error: ...`); a terminal shows one line that updates.
 */
function expectSaidOnce(result: CliResult, message: string): void {
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code).not.toBe(0);
    expect(occurrences(diagnostics(output), message)).toBe(1);
    expect(diagnostics(output)).toMatch(/^ {2}pulumi-nodejs:dynamic\/cloudelements:FreshdeskInstance \(freshdesk\):$/m);
    const elsewhere = output
        .split("\n")
        .filter((line) => line.includes(message) && !line.startsWith(`    error: ${message}`));
    for (const line of elsewhere) {
        expect(line).toMatch(
            /^ {1,4}[~-]? +pulumi-nodejs:dynamic\/cloudelements:FreshdeskInstance freshdesk .*error: /,
        );
    }
    expect(output).not.toMatch(/HttpError|CloudElementsError/);
    expect(output).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(output).not.toContain("provider/api/client");
}

test("refresh and destroy against an unreachable API: each failure said once, naming the URL and its source", async () => {
    const [account] = ctx.accounts.freshdesk;
    await pulumi(["stack", "init", "dev"]);
    await pulumi(
        configSetAllArgs({
            ...ctx.connectionConfig(),
            // One retry keeps the test quick; the message is the same with the default.
            "cloudelements:maxRetries": { value: "1" },
            subdomain: { value: account.subdomain },
            apiKey: { value: account.apiKeys[0], secret: true },
            name: { value: "helpdesk-errors" },
        }),
    );
    await pulumi(["up", "--yes", "--skip-preview"]);
    const [resource] = freshdeskResources(JSON.parse(await pulumi(["stack", "export"])));
    const id = resource.id;

    // Stack config names the unreachable host; the environment variable would point at the emulator, and loses.
    // refresh and destroy run with the provider configuration recorded by the last up (the engine stores the
    // default provider's config in state), so an up records the new setting; it calls no API (nothing changed).
    await pulumi(["config", "set", "cloudelements:baseUrl", unreachable]);
    let mark = await ctx.log.mark();
    await pulumi(["up", "--yes", "--skip-preview"]);
    expect(await ctx.log.since(mark)).toEqual([]);
    mark = await ctx.log.mark();
    const refresh = await run(["refresh", "--yes", "--skip-preview"], { CLOUD_ELEMENTS_BASE_URL: ctx.baseUrl });
    expectSaidOnce(
        refresh,
        `reading instance ${id}: Cloud Elements GET /instances/${id} failed: no response (ECONNREFUSED): the request ` +
            `never reached Cloud Elements; base URL ${unreachableBase} from stack config cloudelements:baseUrl (it ` +
            "wins over the environment variable CLOUD_ELEMENTS_BASE_URL)",
    );
    expect(await ctx.log.since(mark)).toEqual([]);

    // Without stack config, the environment variable is used, and the message says so.
    await pulumi(["config", "rm", "cloudelements:baseUrl"]);
    mark = await ctx.log.mark();
    await pulumi(["up", "--yes", "--skip-preview"], { CLOUD_ELEMENTS_BASE_URL: ctx.baseUrl });
    expect(await ctx.log.since(mark)).toEqual([]);
    const destroy = await run(["destroy", "--yes", "--skip-preview"], { CLOUD_ELEMENTS_BASE_URL: unreachable });
    expectSaidOnce(
        destroy,
        `deleting instance ${id}: Cloud Elements DELETE /instances/${id} failed: no response (ECONNREFUSED): the ` +
            `request never reached Cloud Elements; base URL ${unreachableBase} from the environment variable ` +
            "CLOUD_ELEMENTS_BASE_URL (stack config cloudelements:baseUrl is not set; it would win)",
    );
    expect(await ctx.log.since(mark)).toEqual([]);
    // Nothing was lost: the instance and its state entry are both still there.
    expect(await instanceById(ctx.control, id)).toBeDefined();
    expect(freshdeskResources(JSON.parse(await pulumi(["stack", "export"])))).toHaveLength(1);

    // A configuration error is said once too, and never echoes the malformed value.
    const pasted = "sk_live_pasted_into_the_wrong_setting_0042";
    const bad = await run(["refresh", "--yes", "--skip-preview"], { CLOUD_ELEMENTS_BASE_URL: pasted });
    expectSaidOnce(
        bad,
        "Cloud Elements baseUrl is not a valid URL: expected https://<host> (e.g. https://api.cloud-elements.com), " +
            "optionally ending in /elements/api-v2; check the environment variable CLOUD_ELEMENTS_BASE_URL (stack " +
            "config cloudelements:baseUrl is not set; it would win).",
    );
    expect(`${bad.stdout}${bad.stderr}`).not.toContain(pasted);

    mark = await ctx.log.mark();
    await pulumi(["destroy", "--yes", "--skip-preview"], { CLOUD_ELEMENTS_BASE_URL: ctx.baseUrl });
    expect(describeRequests(await ctx.log.since(mark))).toEqual([`DELETE /instances/${id} 200`]);
    await pulumi(["stack", "rm", "--yes", "dev"]);
});

test("no secret appeared in any CLI output of this file", () => {
    expect(findSecrets(transcript.join("\n"), ctx.knownSecrets())).toEqual([]);
});
