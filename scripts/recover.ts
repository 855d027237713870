#!/usr/bin/env node
/**
 * `npm run recover -- --stack <name> [--cwd <program dir>] [--dry-run]`: recovers a stack whose `pulumi up` was
 * interrupted (SIGKILL, crash, lost machine) while it was creating `FreshdeskInstance` resources, so that every
 * instance ends up managed exactly once and the next `pulumi up` creates only what is truly missing.
 *
 * What an interrupted create leaves behind: a pending operation of type `creating` in the stack's state, whose
 * inputs hold the `createMarker` the provider tags the new instance with (`pulumi-marker:<marker>`), and, on the
 * file backend, the stack's lock. Whether the instance exists is unknown to Pulumi, so:
 *
 * 1. Checks that nothing from the interrupted run is still working: an orphaned dynamic-provider process (they
 *    outlive a killed CLI and finish their in-flight creates) or a live process holding the stack's lock.
 * 2. Reads `pulumi stack export` and finds the pending creates of `pulumi-nodejs:dynamic/cloudelements:FreshdeskInstance`.
 * 3. Looks each marker up on Cloud Elements (`GET /instances?tags[]=pulumi-marker:<marker>`) with the stack's
 *    connection (config `cloudelements:*`, else the `CLOUD_ELEMENTS_*` environment variables, as the provider).
 * 4. Removes a stale lock (`pulumi cancel`) when its process is gone.
 * 5. Records every found instance as the resource (a state edit through `pulumi stack import`: the pending create's
 *    resource, with the found id). `pulumi refresh --import-pending-creates <urn> <id>` is meant to do exactly this,
 *    but the Pulumi v3.276 engine drops the pending create instead of importing it (see docs/reliability.md), so
 *    this command edits the state itself. Extra instances carrying the same marker can only be duplicates of that
 *    one create (the provider's own policy): they are deleted.
 * 6. Runs `pulumi refresh --clear-pending-creates --yes`: reads every recorded instance (outputs, token), drops the
 *    pending creates that never produced an instance and clears the other pending operations.
 *
 * Exit codes: 0 recovered (or nothing to do), 1 failed, 2 refused (something still running, a lock held by a live
 * process, pending creates of other resource types or without marker): nothing was changed.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CloudElementsClient } from "../provider/client";
import { readConfiguredConnection, resolveConnection } from "../provider/connection";
import { markerTag } from "../provider/mapping";
import { packageName, readPackageVersion } from "../provider/package-info";
import { type ApiInstance, freshdeskInstanceType } from "../provider/types";

/** Type token of the resources this command recovers. */
export const freshdeskType = freshdeskInstanceType;

/** Parsed command line. */
export interface RecoverOptions {
    readonly stack: string;
    /** The program directory (holds Pulumi.yaml). */
    readonly cwd: string;
    /** Look up and report, change nothing. */
    readonly dryRun: boolean;
    /** Also clear pending creates of other resource types (they are not looked up). */
    readonly clearOthers: boolean;
}

/** What happened to one pending create. */
export interface PendingCreateOutcome {
    readonly urn: string;
    readonly marker?: string;
    /** `adopted`: the instance exists and is now the resource; `cleared`: no instance carries the marker. */
    readonly action: "adopted" | "cleared";
    readonly id?: string;
    /** Ids of same-marker duplicates that were deleted. */
    readonly duplicatesDeleted: string[];
}

/** Thrown to stop without changing anything; exit code 2. */
export class Refusal extends Error {}

/** `--help`: prints the usage; exit code 0. */
class Help extends Error {}

interface CliOutput {
    code: number;
    stdout: string;
    stderr: string;
}

function log(line: string): void {
    process.stdout.write(`recover: ${line}\n`);
}

/** Runs `pulumi` (from PATH) in `cwd`; never throws on a non-zero exit. */
function pulumi(args: string[], cwd: string): Promise<CliOutput> {
    return new Promise((resolve) => {
        execFile(
            "pulumi",
            [...args, "--non-interactive"],
            { cwd, env: process.env, maxBuffer: 256 * 1024 * 1024 },
            (error, stdout, stderr) => {
                const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
                resolve({ code, stdout: String(stdout), stderr: String(stderr) });
            },
        );
    });
}

async function pulumiOk(args: string[], cwd: string, what: string): Promise<string> {
    const result = await pulumi(args, cwd);
    if (result.code !== 0) {
        throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
    }
    return result.stdout;
}

/** Parses `--stack`, `--cwd`, `--dry-run`, `--clear-other-pending-creates`. */
export function parseArgs(argv: readonly string[], baseDir: string): RecoverOptions {
    let stack: string | undefined;
    let cwd = ".";
    let dryRun = false;
    let clearOthers = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] = arg.includes("=")
            ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
            : [arg];
        const value = () => {
            const v = inline ?? argv[++i];
            if (v === undefined || v === "") {
                throw new Refusal(`${flag} needs a value`);
            }
            return v;
        };
        switch (flag) {
            case "--stack":
            case "-s":
                stack = value();
                break;
            case "--cwd":
            case "-C":
                cwd = value();
                break;
            case "--dry-run":
                dryRun = true;
                break;
            case "--clear-other-pending-creates":
                clearOthers = true;
                break;
            case "--help":
            case "-h":
                throw new Help(usage);
            default:
                throw new Refusal(`unknown argument ${arg}\n${usage}`);
        }
    }
    if (!stack) {
        throw new Refusal(`--stack is required\n${usage}`);
    }
    return { stack, cwd: path.resolve(baseDir, cwd), dryRun, clearOthers };
}

const usage =
    "usage: npm run recover -- --stack <name> [--cwd <program dir>] [--dry-run] [--clear-other-pending-creates]";

/** The process's parent pid and command line (Linux /proc); undefined elsewhere or when gone. */
function procInfo(pid: number): { ppid: number; cmdline: string; cwd?: string } | undefined {
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
        let cwd: string | undefined;
        try {
            cwd = fs.readlinkSync(`/proc/${pid}/cwd`);
        } catch {
            // Another user's process.
        }
        return { ppid, cmdline, cwd };
    } catch {
        return undefined;
    }
}

/**
 * Dynamic-provider processes running in the program directory whose parent is not a `pulumi` process: leftovers of
 * a killed CLI. They keep their gRPC server (and their in-flight creates) alive forever. Linux only; elsewhere none
 * are reported.
 */
export function leftoverProviders(programDir: string): { pid: number; cmdline: string }[] {
    if (!fs.existsSync("/proc/self/stat")) {
        return [];
    }
    const found: { pid: number; cmdline: string }[] = [];
    const target = fs.realpathSync(programDir);
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        const pid = Number(entry);
        const info = procInfo(pid);
        if (!info?.cmdline.includes("@pulumi/pulumi/cmd/dynamic-provider") || info.cwd !== target) {
            continue;
        }
        const parent = procInfo(info.ppid);
        if (!parent || !/(^|\/)pulumi(\s|$)/.test(parent.cmdline.split(" ")[0] ?? "")) {
            found.push({ pid, cmdline: info.cmdline });
        }
    }
    return found;
}

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err: any) {
        return err?.code === "EPERM";
    }
}

/**
 * Runs a state-changing pulumi command. When it fails because the stack is locked, and every lock was taken on this
 * host by a process that no longer exists (a killed CLI), removes the locks with `pulumi cancel` and retries once.
 */
async function withStaleLockRemoved(args: string[], opts: RecoverOptions, what: string): Promise<string> {
    let result = await pulumi(args, opts.cwd);
    const text = `${result.stdout}${result.stderr}`;
    if (result.code !== 0 && text.includes("the stack is currently locked")) {
        const holders = [...text.matchAll(/created by (\S+)@(\S+) \(pid (\d+)\)/g)].map((m) => ({
            host: m[2],
            pid: Number(m[3]),
        }));
        const live = holders.filter((h) => h.host !== os.hostname() || isAlive(h.pid));
        if (holders.length === 0 || live.length > 0) {
            throw new Refusal(
                `the stack is locked by a process that may still be running (${live
                    .map((h) => `pid ${h.pid} on ${h.host}`)
                    .join(", ")}): wait for it to finish, or stop it, then run recover again`,
            );
        }
        log(`removing the stale lock of the interrupted run (pid ${holders.map((h) => h.pid).join(", ")}, gone)`);
        await pulumiOk(["cancel", "--yes", "--stack", opts.stack], opts.cwd, "pulumi cancel");
        result = await pulumi(args, opts.cwd);
    }
    if (result.code !== 0) {
        throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
    }
    return result.stdout;
}

/** The stack's Cloud Elements connection, exactly as the provider resolves it (config first, then environment). */
async function connectionOf(opts: RecoverOptions) {
    const raw = await pulumiOk(
        ["config", "--json", "--show-secrets", "--stack", opts.stack],
        opts.cwd,
        "reading the stack config",
    );
    const config = JSON.parse(raw) as Record<string, { value?: string }>;
    return resolveConnection(readConfiguredConnection({ get: (key) => config[key]?.value }), process.env);
}

/** Recovers the stack; returns what happened to each pending create of a `FreshdeskInstance`. */
export async function recover(opts: RecoverOptions): Promise<PendingCreateOutcome[]> {
    if (!fs.existsSync(path.join(opts.cwd, "Pulumi.yaml")) && !fs.existsSync(path.join(opts.cwd, "Pulumi.yml"))) {
        throw new Refusal(`${opts.cwd} has no Pulumi.yaml: pass the program directory with --cwd`);
    }
    const leftovers = leftoverProviders(opts.cwd);
    if (leftovers.length > 0) {
        throw new Refusal(
            `${leftovers.length} dynamic-provider process(es) of an interrupted run are still running in ${opts.cwd} ` +
                `(pid ${leftovers.map((p) => p.pid).join(", ")}); they may still be creating instances. Wait until ` +
                `they are idle and stop them (kill ${leftovers.map((p) => p.pid).join(" ")}), then run recover again.`,
        );
    }

    const exported = JSON.parse(
        await pulumiOk(["stack", "export", "--stack", opts.stack], opts.cwd, "pulumi stack export"),
    ) as { version: number; deployment: any };
    const deployment = exported.deployment ?? {};
    const pending: any[] = deployment.pending_operations ?? [];
    const creates = pending.filter((op) => op.type === "creating");
    const ours = creates.filter((op) => op.resource?.type === freshdeskType);
    const others = creates.filter((op) => op.resource?.type !== freshdeskType);
    log(
        `stack ${opts.stack}: ${pending.length} pending operation(s), ${ours.length} interrupted FreshdeskInstance ` +
            `create(s)${others.length > 0 ? `, ${others.length} interrupted create(s) of other types` : ""}`,
    );
    if (others.length > 0 && !opts.clearOthers) {
        throw new Refusal(
            `pending creates of other resource types cannot be looked up by this command:\n` +
                others.map((op) => `  ${op.resource.urn}`).join("\n") +
                "\nresolve them first (pulumi refresh, interactively), or pass --clear-other-pending-creates if " +
                "you know they were not created",
        );
    }
    const unmarked = ours.filter((op) => typeof op.resource?.inputs?.createMarker !== "string");
    if (unmarked.length > 0) {
        throw new Refusal(
            `pending creates without a createMarker (state written by an older provider):\n` +
                unmarked.map((op) => `  ${op.resource.urn}`).join("\n"),
        );
    }
    if (pending.length === 0) {
        log(
            "nothing to recover. If commands fail with 'the stack is currently locked' and no pulumi process is " +
                `running for it, remove the stale lock with: pulumi cancel --yes --stack ${opts.stack}`,
        );
        return [];
    }

    const settings = await connectionOf(opts);
    const client = new CloudElementsClient(settings, `${packageName}/${readPackageVersion(__dirname)} (recover)`);
    const outcomes: PendingCreateOutcome[] = [];
    const adopted: { op: any; instance: ApiInstance }[] = [];
    const managedIds = new Set(
        (deployment.resources ?? []).filter((r: any) => r.type === freshdeskType).map((r: any) => String(r.id)),
    );
    try {
        for (const op of ours) {
            const marker: string = op.resource.inputs.createMarker;
            const found = [...(await client.findInstancesByTag(markerTag(marker)))].sort((a, b) => a.id - b.id);
            const unmanaged = found.filter((i) => !managedIds.has(String(i.id)));
            if (unmanaged.length === 0) {
                log(`${op.resource.urn}: no instance tagged ${markerTag(marker)}: the create never happened; clearing`);
                outcomes.push({ urn: op.resource.urn, marker, action: "cleared", duplicatesDeleted: [] });
                continue;
            }
            const [keep, ...extra] = unmanaged;
            log(`${op.resource.urn}: instance ${keep.id} carries ${markerTag(marker)}; recording it as the resource`);
            const duplicatesDeleted: string[] = [];
            for (const duplicate of extra) {
                log(`${op.resource.urn}: instance ${duplicate.id} carries the same marker: a duplicate; deleting it`);
                if (!opts.dryRun) {
                    await client.deleteInstance(duplicate.id);
                }
                duplicatesDeleted.push(String(duplicate.id));
            }
            adopted.push({ op, instance: keep });
            outcomes.push({ urn: op.resource.urn, marker, action: "adopted", id: String(keep.id), duplicatesDeleted });
        }
    } finally {
        client.close();
    }
    if (opts.dryRun) {
        log("dry run: nothing changed");
        return outcomes;
    }

    if (adopted.length > 0) {
        const adoptedOps = new Set(adopted.map((a) => a.op));
        deployment.pending_operations = pending.filter((op) => !adoptedOps.has(op));
        for (const { op, instance } of adopted) {
            // A replacement's new instance: the old resource with the same URN becomes the one to delete.
            for (const old of deployment.resources ?? []) {
                if (old.urn === op.resource.urn && !old.delete) {
                    old.delete = true;
                }
            }
            // The pending create's resource, completed with its id. Outputs start as the inputs (they hold
            // `__provider`, which `read` needs); the refresh below replaces them with what the instance shows.
            deployment.resources = [
                ...(deployment.resources ?? []),
                { ...op.resource, id: String(instance.id), outputs: { ...op.resource.inputs } },
            ];
        }
        const file = path.join(
            fs.mkdtempSync(path.join(os.tmpdir(), "cef-recover-")),
            `${opts.stack.replace(/[^\w.-]+/g, "_")}.json`,
        );
        fs.writeFileSync(file, JSON.stringify(exported), { mode: 0o600 });
        try {
            await withStaleLockRemoved(
                ["stack", "import", "--file", file, "--stack", opts.stack],
                opts,
                "pulumi stack import",
            );
        } finally {
            fs.rmSync(path.dirname(file), { recursive: true, force: true });
        }
        log(`recorded ${adopted.length} instance(s) in the state`);
    }
    await withStaleLockRemoved(
        ["refresh", "--yes", "--skip-preview", "--clear-pending-creates", "--stack", opts.stack],
        opts,
        "pulumi refresh --clear-pending-creates",
    );

    // Verify instead of trusting: every adopted instance is a resource now, and nothing is pending.
    const after = JSON.parse(
        await pulumiOk(["stack", "export", "--stack", opts.stack], opts.cwd, "pulumi stack export"),
    ).deployment;
    const live = new Map(
        (after.resources ?? []).filter((r: any) => !r.delete).map((r: any) => [r.urn as string, String(r.id)]),
    );
    const missing = outcomes.filter((o) => o.action === "adopted" && live.get(o.urn) !== o.id);
    const stillPending = (after.pending_operations ?? []).filter((op: any) => op.type === "creating");
    if (missing.length > 0 || stillPending.length > 0) {
        throw new Error(
            `after the refresh, ${missing.length} recorded instance(s) are not in the state and ` +
                `${stillPending.length} pending create(s) remain: ${[...missing.map((m) => m.urn), ...stillPending.map((op: any) => op.resource.urn)].join(", ")}`,
        );
    }
    const cleared = outcomes.filter((o) => o.action === "cleared").length;
    log(
        `done: ${adopted.length} instance(s) recorded, ${cleared} pending create(s) cleared (never created), ` +
            `${outcomes.reduce((n, o) => n + o.duplicatesDeleted.length, 0)} duplicate(s) deleted. ` +
            `Run pulumi up: it creates only the ${cleared} missing instance(s).`,
    );
    return outcomes;
}

async function main(): Promise<void> {
    // npm runs scripts in the package root; relative paths are meant from where the user typed the command.
    const baseDir = process.env.INIT_CWD ?? process.cwd();
    try {
        const opts = parseArgs(process.argv.slice(2), baseDir);
        const outcomes = await recover(opts);
        process.stdout.write(`${JSON.stringify({ outcomes })}\n`);
    } catch (err) {
        if (err instanceof Help) {
            process.stdout.write(`${err.message}\n`);
            return;
        }
        if (err instanceof Refusal) {
            process.stderr.write(`recover: ${err.message}\n`);
            process.exitCode = 2;
            return;
        }
        process.stderr.write(`recover: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 1;
    }
}

if (require.main === module) {
    void main();
}
