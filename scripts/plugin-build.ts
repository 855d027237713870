/**
 * `npm run plugin:build`: builds the self-contained `pulumi-resource-cloudelements` plugin from the compiled sources
 * (run `tsc -p tsconfig.build.json` first; the npm script does).
 *
 * 1. Generates the package schema from the TSDoc'd declarations (`plugin-schema.ts`) into
 *    `bin/provider/hosts/plugin/schema.json`, next to the compiled plugin.
 * 2. Stages `.plugin/pulumi-resource-cloudelements/`: the launcher `pulumi-resource-cloudelements` (checks for
 *    Node.js >= 22), `package.json`, the compiled provider JavaScript and its run-time `node_modules`
 *    (`@pulumi/pulumi`, `axios`, `axios-retry` and everything they require), copied from this checkout's
 *    `node_modules` so the plugin runs exactly the versions the tests ran; no network. That folder is what
 *    `plugins.providers[].path` in a `Pulumi.yaml` can name.
 * 3. Packs it as `.plugin/pulumi-resource-cloudelements-v<version>.tar.gz` for
 *    `pulumi plugin install resource cloudelements <version> --file <tarball>`.
 *
 * `.plugin/` is git-ignored. Prints the archive size and the time taken.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { packageName, readPackageVersion } from "../provider/api/package-info";
import { pluginPackage } from "../provider/hosts/plugin/provider";
import { generateSchema, repoRootFrom } from "./plugin-schema";

/** The plugin's executable name, as the engine looks it up. */
export const pluginBinary = `pulumi-resource-${pluginPackage}`;

/** Packages the plugin needs at run time (their own dependencies follow). */
const runtimeRoots = ["@pulumi/pulumi", "axios", "axios-retry"];

const launcher = `#!/bin/sh
# ${pluginBinary}: the Pulumi resource provider plugin of package "${pluginPackage}" (${packageName}).
# The engine starts it with its address as argument; it needs Node.js >= 22 on PATH.
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || {
    echo "${pluginBinary}: Node.js >= 22 is required on PATH (node was not found)" >&2; exit 1; }
if [ "$major" -lt 22 ]; then
    echo "${pluginBinary}: Node.js >= 22 is required, found $(node --version)" >&2; exit 1
fi
exec node "$dir/bin/provider/hosts/plugin/main.js" "$@"
`;

/** Finds where `name` resolves from `fromDir` (Node's node_modules walk), or undefined. */
function resolvePackageDir(name: string, fromDir: string, stopAt: string): string | undefined {
    for (let dir = fromDir; ; dir = path.dirname(dir)) {
        const candidate = path.join(dir, "node_modules", name);
        if (fs.existsSync(path.join(candidate, "package.json"))) {
            return candidate;
        }
        if (dir === stopAt || path.dirname(dir) === dir) {
            return undefined;
        }
    }
}

/** Every package directory the run-time roots need, by Node's resolution from `root`. */
export function runtimeClosure(root: string): string[] {
    const seen = new Set<string>();
    const queue: [string, string][] = runtimeRoots.map((name) => [name, root]);
    while (queue.length > 0) {
        const [name, from] = queue.shift()!;
        const dir = resolvePackageDir(name, from, root);
        if (dir === undefined) {
            throw new Error(`${name} is not installed (needed from ${from}): run npm ci`);
        }
        if (seen.has(dir)) {
            continue;
        }
        seen.add(dir);
        const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
        for (const dep of Object.keys(manifest.dependencies ?? {})) {
            queue.push([dep, dir]);
        }
        for (const dep of Object.keys(manifest.optionalDependencies ?? {})) {
            if (resolvePackageDir(dep, dir, root) !== undefined) {
                queue.push([dep, dir]);
            }
        }
    }
    return [...seen].sort();
}

function copyTree(from: string, to: string, skip: (rel: string) => boolean, rel = ""): void {
    fs.mkdirSync(to, { recursive: true });
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
        const relPath = rel === "" ? entry.name : `${rel}/${entry.name}`;
        if (skip(relPath)) {
            continue;
        }
        const src = path.join(from, entry.name);
        const dst = path.join(to, entry.name);
        if (entry.isDirectory()) {
            copyTree(src, dst, skip, relPath);
        } else if (entry.isSymbolicLink()) {
            fs.symlinkSync(fs.readlinkSync(src), dst);
        } else {
            fs.copyFileSync(src, dst);
        }
    }
}

/** Builds the schema, the staged plugin folder and the archive; returns their paths. */
export function buildPlugin(root: string): { schema: string; folder: string; archive: string; version: string } {
    const version = readPackageVersion(root);
    const compiled = path.join(root, "bin", "provider");
    if (!fs.existsSync(path.join(compiled, "hosts", "plugin", "main.js"))) {
        throw new Error(`${compiled}/hosts/plugin/main.js is missing: run npx tsc -p tsconfig.build.json`);
    }
    const schemaFile = path.join(compiled, "hosts", "plugin", "schema.json");
    const schema = generateSchema(path.join(root, "provider", "hosts", "dynamic", "resource.ts"), version);
    fs.writeFileSync(schemaFile, `${JSON.stringify(schema, null, 2)}\n`);

    const out = path.join(root, ".plugin");
    const folder = path.join(out, pluginBinary);
    fs.rmSync(folder, { recursive: true, force: true });
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, pluginBinary), launcher, { mode: 0o755 });
    const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
    fs.writeFileSync(
        path.join(folder, "package.json"),
        `${JSON.stringify(
            {
                name: packageName,
                version,
                description: `The ${pluginPackage} Pulumi resource provider plugin (${pluginBinary}).`,
                license: manifest.license,
                private: true,
                engines: manifest.engines,
            },
            null,
            2,
        )}\n`,
    );
    // Only JavaScript and the schema: no declarations or source maps (they would only make the archive bigger).
    copyTree(compiled, path.join(folder, "bin", "provider"), (rel) => /\.(d\.ts|map)$/.test(rel));
    const modules = path.join(root, "node_modules");
    for (const dir of runtimeClosure(root)) {
        const rel = path.relative(modules, dir);
        copyTree(dir, path.join(folder, "node_modules", rel), (r) => r === "node_modules" || /\.(map|md)$/.test(r));
    }
    const archive = path.join(out, `${pluginBinary}-v${version}.tar.gz`);
    fs.rmSync(archive, { force: true });
    execFileSync("tar", ["-czf", archive, "-C", folder, "."]);
    return { schema: schemaFile, folder, archive, version };
}

if (require.main === module) {
    const started = Date.now();
    const root = repoRootFrom(__dirname);
    const built = buildPlugin(root);
    const mb = (fs.statSync(built.archive).size / 1024 / 1024).toFixed(1);
    const rel = (p: string) => path.relative(process.cwd(), p);
    console.log(`[plugin] ${pluginBinary} v${built.version} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    console.log(`[plugin] schema:  ${rel(built.schema)}`);
    console.log(`[plugin] folder:  ${rel(built.folder)}   (plugins.providers[].path in Pulumi.yaml)`);
    console.log(`[plugin] archive: ${rel(built.archive)} (${mb} MB)`);
    console.log(
        `[plugin] install: pulumi plugin install resource ${pluginPackage} ${built.version} --file ${rel(built.archive)}`,
    );
}
