/**
 * Helpers of the plugin suites (`tests/engine/plugin-*.test.ts`): where the built `pulumi-resource-cloudelements`
 * is (`npm test` builds it with `npm run plugin:build` before jest), Pulumi YAML program folders that use it, and
 * installing its archive into a backend's PULUMI_HOME as a user would. Nothing here asserts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { repoRoot, runPulumi, type TestBackend, workFolder } from "./pulumi";

/** The resource type token the plugin serves (also the `type` of its resources in state). */
export const pluginType = "cloudelements:index:FreshdeskInstance";

/** The staged plugin folder (`plugins.providers[].path`). */
export const pluginFolder = path.join(repoRoot, ".plugin", "pulumi-resource-cloudelements");

/** The package version, which is the plugin version. */
export const pluginVersion: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version;

/** The plugin archive for `pulumi plugin install ... --file`. */
export const pluginArchive = path.join(repoRoot, ".plugin", `pulumi-resource-cloudelements-v${pluginVersion}.tar.gz`);

/** Throws (failing the suite) when the plugin was not built. */
export function requirePluginBuilt(): void {
    for (const file of [path.join(pluginFolder, "pulumi-resource-cloudelements"), pluginArchive]) {
        if (!fs.existsSync(file)) {
            throw new Error(`${file} is missing: run the tests through npm test (it runs npm run plugin:build)`);
        }
    }
}

/** Options of {@link yamlProject}. */
export interface YamlProjectOptions {
    /** Project name. */
    readonly name: string;
    /** The `resources:` section (YAML text, indented by two spaces per level, starting at column 2). */
    readonly resources: string;
    /** The `outputs:` section, same form. */
    readonly outputs?: string;
    /** The `config:` section, same form. Default: `apiKey` as a secret string. */
    readonly config?: string;
    /** Declare the plugin with `plugins.providers[].path` (default); false: use the installed plugin. */
    readonly pluginPath?: boolean;
}

/** The text of a Pulumi YAML project. */
export function yamlProjectText(opts: YamlProjectOptions): string {
    const lines = [`name: ${opts.name}`, "runtime: yaml"];
    if (opts.pluginPath ?? true) {
        lines.push("plugins:", "  providers:", "    - name: cloudelements", `      path: ${pluginFolder}`);
    }
    lines.push("config:", opts.config ?? "  apiKey:\n    type: string\n    secret: true");
    lines.push("resources:", opts.resources);
    if (opts.outputs) {
        lines.push("outputs:", opts.outputs);
    }
    return `${lines.join("\n")}\n`;
}

/** A new Pulumi YAML project folder under tests/.work; returns it. */
export function yamlProject(label: string, opts: YamlProjectOptions): string {
    const dir = workFolder(label);
    writeYamlProject(dir, opts);
    return dir;
}

/** Rewrites a project's Pulumi.yaml (a user editing the program). */
export function writeYamlProject(dir: string, opts: YamlProjectOptions): void {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yamlProjectText(opts));
}

/** `pulumi plugin install resource cloudelements <version> --file <archive>` into the backend's PULUMI_HOME. */
export async function installPlugin(backend: TestBackend, cwd: string): Promise<void> {
    const result = await runPulumi(
        ["plugin", "install", "resource", "cloudelements", pluginVersion, "--file", pluginArchive],
        { cwd, backend },
    );
    if (result.code !== 0) {
        throw new Error(`pulumi plugin install failed:\n${result.stdout}${result.stderr}`);
    }
}
