/**
 * Helpers for tests that drive the real Pulumi CLI: an isolated `file://` backend and PULUMI_HOME per
 * test file, stacks through the Automation API (inline programs or program directories), and plain CLI
 * runs with captured output. A missing CLI is a failure, never a skip.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    type ConfigMap,
    type DestroyOptions,
    LocalWorkspace,
    type LocalWorkspaceOptions,
    type PulumiCommand,
    type PulumiFn,
    type RefreshOptions,
    type Stack,
    StackAlreadyExistsError,
    type UpOptions,
} from "@pulumi/pulumi/automation";
import {
    createOfflineBackend,
    type OfflineBackend,
    offlineCliEnv,
    type ToolchainOptions,
    toolchainBinDir,
    toolchainCommand,
} from "../../scripts/offline-pulumi";

/** The repository root. */
export const repoRoot = path.resolve(__dirname, "..", "..");

/** The passphrase every test stack is encrypted with. */
export const testPassphrase = "engine-test-passphrase";

/** What the tests need of the toolchain, and how to get it. */
const toolchain: ToolchainOptions = {
    need: ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"],
    hint:
        "the Pulumi CLI is missing: run the tests through `npm test` (it runs scripts/toolchain.sh, which builds or " +
        "finds the CLI and sets PULUMI_CLI_BIN).",
};

/**
 * The folder holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`,
 * as provisioned by scripts/toolchain.sh. Throws (failing the test) when it is missing.
 */
export function pulumiBinDir(): string {
    return toolchainBinDir(toolchain);
}

let commandPromise: Promise<PulumiCommand> | undefined;

/** The Automation API handle on the toolchain's CLI. */
export function pulumiCommand(): Promise<PulumiCommand> {
    commandPromise ??= toolchainCommand(toolchain);
    return commandPromise;
}

/** An isolated backend: its own state folder, PULUMI_HOME and offline settings. */
export type TestBackend = OfflineBackend;

/** Creates an isolated file backend in a temp folder. */
export function createBackend(label = "engine"): TestBackend {
    return createOfflineBackend(`cef-${label}`, testPassphrase);
}

/** Environment of a CLI run against `backend`, with the toolchain's `pulumi` first on PATH. */
export function cliEnv(backend: TestBackend, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
    return offlineCliEnv(backend, pulumiBinDir(), extra);
}

function workspaceOptions(backend: TestBackend, command: PulumiCommand, extraEnv: Record<string, string> = {}) {
    return {
        pulumiCommand: command,
        pulumiHome: backend.home,
        envVars: { ...backend.env, ...extraEnv },
    } satisfies LocalWorkspaceOptions;
}

/**
 * A stack of an inline program. The engine starts the dynamic-provider plugin in the workspace's folder, which
 * must resolve `@pulumi/pulumi` and this package, so the workspace lives under the repository (tests/.work), not
 * in the Automation API's default temp folder.
 */
export async function inlineStack(opts: {
    backend: TestBackend;
    projectName: string;
    stackName: string;
    program: PulumiFn;
    env?: Record<string, string>;
}): Promise<Stack> {
    const command = await pulumiCommand();
    const args = { projectName: opts.projectName, stackName: opts.stackName, program: opts.program };
    const options = {
        ...workspaceOptions(opts.backend, command, opts.env),
        workDir: workFolder(`inline-${opts.projectName}`),
        projectSettings: {
            name: opts.projectName,
            runtime: "nodejs" as const,
            backend: { url: opts.backend.backendUrl },
        },
    };
    return createOrSelect(
        () => LocalWorkspace.createStack(args, options),
        () => LocalWorkspace.selectStack(args, options),
    );
}

/**
 * What `LocalWorkspace.createOrSelectStack` does, in the other order: it runs `pulumi stack select` and, for a new
 * stack, `pulumi stack init` after it fails; the tests mostly make new stacks, which this creates with one CLI run.
 */
async function createOrSelect(create: () => Promise<Stack>, select: () => Promise<Stack>): Promise<Stack> {
    try {
        return await create();
    } catch (err) {
        if (err instanceof StackAlreadyExistsError) {
            return select();
        }
        throw err;
    }
}

/** A stack of a program directory (Pulumi.yaml + index.ts), run by the CLI and our language host. */
export async function programStack(opts: {
    backend: TestBackend;
    workDir: string;
    stackName: string;
    env?: Record<string, string>;
}): Promise<Stack> {
    const command = await pulumiCommand();
    const args = { workDir: opts.workDir, stackName: opts.stackName };
    const options = workspaceOptions(opts.backend, command, opts.env);
    return createOrSelect(
        () => LocalWorkspace.createStack(args, options),
        () => LocalWorkspace.selectStack(args, options),
    );
}

/** The Automation API operations {@link runStackCommand} runs, with their options. */
export interface StackCommands {
    up: UpOptions;
    refresh: RefreshOptions;
    destroy: DestroyOptions;
}

/**
 * `stack.up()`, `stack.refresh()` or `stack.destroy()` without the reads the Automation API makes after a successful
 * run (`pulumi stack output` twice for `outputs`, `pulumi stack history` for `summary`: three more CLI processes,
 * about a second of CPU), for a test that reads only what the command printed. Fails as the operation does.
 */
export async function runStackCommand<C extends keyof StackCommands>(
    stack: Stack,
    command: C,
    opts: StackCommands[C] = {},
): Promise<{ stdout: string; stderr: string }> {
    // The operations read back through these two methods of the stack object; this one run reads nothing back.
    const readBack = ["outputs", "info"] as const;
    for (const method of readBack) {
        Object.defineProperty(stack, method, { value: async () => undefined, configurable: true, writable: true });
    }
    try {
        const run = stack[command] as (opts: StackCommands[C]) => Promise<{ stdout: string; stderr: string }>;
        const { stdout, stderr } = await run.call(stack, opts);
        return { stdout, stderr };
    } finally {
        for (const method of readBack) {
            Reflect.deleteProperty(stack, method);
        }
    }
}

/** Output of one CLI run. */
export interface CliResult {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs the `pulumi` CLI directly, as a user would, with the backend's environment. Never throws on exit codes. */
export function runPulumi(
    args: string[],
    opts: { cwd: string; backend: TestBackend; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliResult> {
    const env = cliEnv(opts.backend, opts.env);
    return new Promise((resolve) => {
        execFile(
            path.join(pulumiBinDir(), "pulumi"),
            [...args, "--non-interactive"],
            { cwd: opts.cwd, env, timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) => {
                const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
                resolve({ code, stdout: String(stdout), stderr: String(stderr) });
            },
        );
    });
}

/**
 * The arguments of one `pulumi config set-all` setting every value of `config` (secret ones with `--secret`): one CLI
 * run instead of a `pulumi config set` per key. Add `--stack` as needed.
 */
export function configSetAllArgs(config: ConfigMap): string[] {
    return [
        "config",
        "set-all",
        ...Object.entries(config).flatMap(([key, { value, secret }]) => [
            secret ? "--secret" : "--plaintext",
            `${key}=${value}`,
        ]),
    ];
}

/**
 * Copies a program directory fixture to a temp folder inside the repository's `tests/.work` (so that
 * node resolution walks up to the repository's node_modules and to this package), returning its path.
 */
export function copyProgram(fixtureDir: string, label: string): string {
    const dir = workFolder(label);
    fs.cpSync(fixtureDir, dir, { recursive: true });
    return dir;
}

/** A new empty folder under tests/.work, where node resolution reaches the repository's node_modules. */
export function workFolder(label: string): string {
    const workRoot = path.join(repoRoot, "tests", ".work");
    fs.mkdirSync(workRoot, { recursive: true });
    return fs.mkdtempSync(path.join(workRoot, `${label}-`));
}
