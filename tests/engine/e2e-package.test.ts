/**
 * The package as a user gets it, following the README's install section: a fresh `git clone` of this repository's
 * committed HEAD, `npm ci` and `npm pack` there (which must build the package itself: `prepare`), then the tarball
 * installed into an empty project outside the repository next to `@pulumi/pulumi`. Checks what the tarball ships
 * (bins and the documents their help texts name, LICENSE, CHANGELOG, source maps whose sources are shipped, the stub
 * contract's file and exports), then writes the README's usage snippet as the program, runs the README's config
 * commands and `pulumi up` through the real CLI against the emulator, checks the instance and that the token is a
 * secret, and destroys it.
 *
 * Uncommitted changes are not in the clone: commit before running this suite. npm runs with the shared cache and
 * `--prefer-offline`, so only what the cache lacks is downloaded.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCommandOk } from "../helpers/commands";
import { repoRoot } from "../helpers/pulumi";
import { accountFor, cli, findSecrets, fingerprint, instancesTagged, packageName, useE2E } from "../helpers/stacks";

jest.setTimeout(600_000);

const npmFlags = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];
/** The subdomain the README's snippet names. */
const readmeSubdomain = "acme";
/** The tag the README's snippet puts on its instance. */
const readmeTag = "team-support";

const rootManifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");

const ctx = useE2E({ label: "package", extraSubdomains: [readmeSubdomain] });
let scratch: string;
let printed = "";

beforeAll(() => {
    scratch = ctx.trackDir(fs.mkdtempSync(path.join(os.tmpdir(), "cef-package-")));
});

/** The first fenced block of `language` after `heading` in the README. */
function readmeBlock(heading: string, language: string): string {
    const section = readme.slice(readme.indexOf(heading));
    const match = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\``, "m").exec(section);
    if (!match) {
        throw new Error(`no ${language} block after ${heading} in README.md`);
    }
    return match[1];
}

/** Splits a command line into words; single-quoted words keep their spaces. */
function words(line: string): string[] {
    return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** `npm pack --json` output: lifecycle banners may come first. */
function parsePackJson(stdout: string): { filename: string; files: { path: string }[] } {
    const start = stdout.search(/^\[/m);
    if (start < 0) {
        throw new Error(`npm pack printed no JSON:\n${stdout}`);
    }
    return JSON.parse(stdout.slice(start))[0];
}

test("a packed fresh clone installs into an empty project and deploys the README's program", async () => {
    // 1. A fresh clone, built and packed as the README says.
    const clone = path.join(scratch, "clone");
    await runCommandOk("git", ["clone", "--quiet", repoRoot, clone], { cwd: scratch });
    expect(fs.existsSync(path.join(clone, "bin"))).toBe(false);
    // The README runs `npm ci` (which builds too) before `npm pack`; without its scripts here, so that the build in
    // the tarball is provably the one `npm pack` made, and the test pays for one build instead of two.
    await runCommandOk("npm", ["ci", "--ignore-scripts", ...npmFlags], { cwd: clone });
    expect(fs.existsSync(path.join(clone, "bin"))).toBe(false);
    const packed = parsePackJson(await runCommandOk("npm", ["pack", "--json", ...npmFlags], { cwd: clone }));
    expect(packed.filename).toBe(`${packageName}-${rootManifest.version}.tgz`);
    const shipped = packed.files.map((f) => f.path);
    for (const file of [
        "bin/provider/index.js",
        "bin/provider/index.d.ts",
        "bin/provider/implementation.js",
        "bin/emulator/cli.js",
        "bin/cli/recover.js",
        "docs/emulator.md",
        "docs/reliability.md",
        "LICENSE",
        "CHANGELOG.md",
        "README.md",
        "package.json",
    ]) {
        expect(shipped).toContain(file);
    }
    expect(shipped.filter((f) => /^(tests|bench|scripts|examples|tools|bin\/bench)\//.test(f))).toEqual([]);
    // A reader of the installed README can follow its links to the documents.
    const linkedDocs = [...readme.matchAll(/\]\((docs\/[\w.-]+\.md)(?:#[\w-]*)?\)/g)].map((m) => m[1]);
    expect(linkedDocs.length).toBeGreaterThan(0);
    expect(linkedDocs.filter((doc) => !shipped.includes(doc))).toEqual([]);

    // 2. An empty project outside the repository, as `pulumi new typescript` would set it up.
    const project = path.join(scratch, "project");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "readme-program", private: true }));
    fs.writeFileSync(
        path.join(project, "Pulumi.yaml"),
        "name: readme-program\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
    );
    fs.writeFileSync(
        path.join(project, "tsconfig.json"),
        JSON.stringify({
            compilerOptions: { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node" },
            files: ["index.ts"],
        }),
    );
    const dev = rootManifest.devDependencies;
    await runCommandOk(
        "npm",
        [
            "install",
            ...npmFlags,
            path.join(clone, packed.filename),
            `@pulumi/pulumi@${dev["@pulumi/pulumi"]}`,
            `typescript@${dev.typescript}`,
            `@types/node@${dev["@types/node"]}`,
        ],
        { cwd: project },
    );
    const installed = path.join(project, "node_modules", packageName);
    expect(fs.lstatSync(installed).isSymbolicLink()).toBe(false);

    // 3. What the installed package holds.
    expect(fs.readFileSync(path.join(installed, "LICENSE"), "utf8")).toMatch(/Apache License\s+Version 2\.0/);
    expect(fs.readFileSync(path.join(installed, "CHANGELOG.md"), "utf8")).toContain("bin/provider/implementation.js");
    const manifest = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"));
    expect(manifest.repository.url).toMatch(/github\.com\/.+\/pulumi-cloudelements-freshdesk\.git$/);
    expect(manifest.homepage).toMatch(/^https:\/\/github\.com\//);
    expect(manifest.bugs.url).toMatch(/\/issues$/);
    const files = filesUnder(installed);
    // Every source map's sources are shipped.
    const maps = files.filter((f) => f.endsWith(".js.map"));
    expect(maps.length).toBeGreaterThan(0);
    const missingSources = maps.flatMap((map) => {
        const { sources } = JSON.parse(fs.readFileSync(path.join(installed, map), "utf8")) as { sources: string[] };
        return sources
            .map((source) => path.relative(installed, path.resolve(installed, path.dirname(map), source)))
            .filter((source) => !files.includes(source))
            .map((source) => `${map} -> ${source}`);
    });
    expect(missingSources).toEqual([]);
    // The stub contract: the file the serialized provider requires, with its exported methods.
    const exported = await runCommandOk(
        process.execPath,
        ["-p", `Object.keys(require("${packageName}/bin/provider/implementation.js")).sort().join(",")`],
        { cwd: project },
    );
    expect(exported.trim().split(",")).toEqual(
        expect.arrayContaining(["check", "configure", "create", "delete", "diff", "read", "update"]),
    );
    // The bins run, and the documents their help texts name are in the package.
    const bin = (name: string) => path.join(project, "node_modules", ".bin", name);
    const emulatorHelp = await runCommandOk(bin("cloud-elements-emulator"), ["--help"], { cwd: project });
    const recoverHelp = await runCommandOk(bin("cloudelements-freshdesk-recover"), ["--help"], { cwd: project });
    for (const help of [emulatorHelp, recoverHelp]) {
        const documents = [...help.matchAll(/\b(docs\/[\w.-]+\.md)\b/g)].map((m) => m[1]);
        expect(documents.length).toBeGreaterThan(0);
        for (const document of documents) {
            expect(files).toContain(document);
        }
    }
    expect(recoverHelp).toMatch(/--stack[\s\S]*--cwd[\s\S]*--dry-run[\s\S]*--clear-other-pending-creates/);

    // 4. The README's program and commands, through the real CLI, against the emulator.
    fs.writeFileSync(path.join(project, "index.ts"), readmeBlock("## Using it in your stack", "ts"));
    const commands = readmeBlock("## Using it in your stack", "bash")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith("pulumi "));
    expect(commands.at(-1)).toBe("pulumi up");
    const apiKey = accountFor(ctx.accounts, readmeSubdomain).apiKeys[0];
    const values: Record<string, string> = {
        "https://api.cloud-elements.com/elements/api-v2": ctx.baseUrl,
        "<user secret>": ctx.accounts.userSecret,
        "<organization secret>": ctx.accounts.organizationSecret,
        "<freshdesk API key>": apiKey,
    };
    const run = async (args: string[]) => {
        const result = await cli(ctx, project, args);
        if (!args.includes("--show-secrets")) {
            printed += result.stdout + result.stderr;
        }
        if (result.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")}: ${result.stdout}\n${result.stderr}`);
        }
        return result.stdout;
    };
    await run(["stack", "init", "dev"]);
    for (const command of commands) {
        const args = words(command)
            .slice(1)
            .map((word) => values[word] ?? word);
        expect(args.filter((word) => word.startsWith("<"))).toEqual([]);
        await run(args[0] === "up" ? [...args, "--yes", "--skip-preview"] : args);
    }

    const [instance, ...others] = await instancesTagged(ctx.control, readmeTag);
    expect(others).toEqual([]);
    expect(instance).toMatchObject({ name: "helpdesk-dev", apiKeyFingerprint: fingerprint(apiKey) });
    expect(instance.configuration.subdomain).toBe(readmeSubdomain);
    expect(JSON.parse(await run(["stack", "output", "--json"]))).toEqual({
        instanceId: instance.id,
        token: "[secret]",
    });
    const token = (await run(["stack", "output", "token", "--show-secrets"])).trim();
    expect(fingerprint(token)).toBe(instance.tokenFingerprint);
    expect(findSecrets(await run(["stack", "export"]), { ...ctx.knownSecrets(), token })).toEqual([]);

    await run(["destroy", "--yes", "--skip-preview"]);
    expect(await instancesTagged(ctx.control, readmeTag)).toEqual([]);
    await run(["stack", "rm", "--yes", "dev"]);
    expect(findSecrets(printed, { ...ctx.knownSecrets(), token })).toEqual([]);
});
