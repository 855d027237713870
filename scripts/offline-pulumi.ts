/**
 * The Pulumi CLI that scripts/toolchain.sh provisions (`PULUMI_CLI_BIN`), and an offline `file://` backend in a new
 * temp folder: what the engine tests and the benchmark both run on. Nothing here reaches a network: the backend is a
 * folder, secrets use a passphrase, update checks and plugin downloads are off, and PULUMI_HOME is private to the
 * backend, so plugins installed there never leak into the user's `~/.pulumi`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";

/** How to find the toolchain's CLI, and what to tell the user when it is missing. */
export interface ToolchainOptions {
    /** Files that must be in the `bin` folder (default: `pulumi`). */
    readonly need?: readonly string[];
    /** How to get the toolchain: the end of the error message (e.g. "run the tests through `npm test`"). */
    readonly hint: string;
}

/**
 * The toolchain's `bin` folder (`PULUMI_CLI_BIN`, set by scripts/run.sh and scripts/test.sh). Throws an error
 * naming what is missing and the `hint` when it is not set, does not end in `/bin` (the Automation API wants the
 * folder above it) or lacks one of the needed files.
 */
export function toolchainBinDir(opts: ToolchainOptions): string {
    const dir = process.env.PULUMI_CLI_BIN;
    if (!dir) {
        throw new Error(`PULUMI_CLI_BIN is not set: ${opts.hint}`);
    }
    if (path.basename(dir) !== "bin") {
        throw new Error(`PULUMI_CLI_BIN must end in /bin, got ${dir}: ${opts.hint}`);
    }
    for (const file of opts.need ?? ["pulumi"]) {
        if (!fs.existsSync(path.join(dir, file))) {
            throw new Error(`${file} not found in ${dir} (PULUMI_CLI_BIN): ${opts.hint}`);
        }
    }
    return dir;
}

/** The Automation API's handle on the toolchain's CLI (never a `pulumi` found elsewhere on PATH). */
export function toolchainCommand(opts: ToolchainOptions): Promise<PulumiCommand> {
    return PulumiCommand.get({ root: path.dirname(toolchainBinDir(opts)) });
}

/** An isolated, offline backend: its own state folder and PULUMI_HOME. */
export interface OfflineBackend {
    /** Root temp folder of this backend. */
    readonly dir: string;
    /** `file://` URL of the state folder. */
    readonly backendUrl: string;
    /** The PULUMI_HOME used by every command (plugins installed with `pulumi plugin install` go here). */
    readonly home: string;
    /** Environment for every CLI command: backend, home, passphrase and the offline defaults. */
    readonly env: Record<string, string>;
    /** Deletes the folder. */
    cleanup(): void;
}

/** Creates an offline backend in a new temp folder `<tmp>/<prefix>-XXXXXX`, its stacks encrypted with `passphrase`. */
export function createOfflineBackend(prefix: string, passphrase: string): OfflineBackend {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    const state = path.join(dir, "state");
    const home = path.join(dir, "home");
    fs.mkdirSync(state, { recursive: true });
    fs.mkdirSync(home, { recursive: true });
    const backendUrl = `file://${state}`;
    return {
        dir,
        backendUrl,
        home,
        env: {
            PULUMI_BACKEND_URL: backendUrl,
            PULUMI_HOME: home,
            PULUMI_CONFIG_PASSPHRASE: passphrase,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
        },
        cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}

/**
 * The environment of a `pulumi` process run directly (not through the Automation API) against `backend`: this
 * process's environment, the backend's, `extra`, and the toolchain's `bin` first on PATH so that the CLI finds the
 * toolchain's plugins and language hosts.
 */
export function offlineCliEnv(
    backend: OfflineBackend,
    binDir: string,
    extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
    return {
        ...process.env,
        ...backend.env,
        ...extra,
        PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}`,
    };
}
