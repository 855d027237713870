#!/usr/bin/env node
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { CloudElementsClient } from "../provider/api/client";
import { readConfiguredConnection, resolveConnection } from "../provider/api/connection";
import { CloudElementsError } from "../provider/api/errors";
import { packageName, readPackageVersion } from "../provider/api/package-info";
import type { ApiInstance } from "../provider/api/wire";
import { deleteDuplicates, findVerifiedInstances, instanceToKeep } from "../provider/lifecycle/lookup";
/**
 * `cloudelements-freshdesk-recover` (in this repository: `npm run recover -- ...`): recovers a stack whose
 * `pulumi up` was interrupted (SIGKILL, crash, lost machine) while it was creating `FreshdeskInstance` resources, so
 * that every instance ends up managed exactly once and the next `pulumi up` creates only what is truly missing.
 *
 * What an interrupted create leaves behind: a pending operation of type `creating` in the stack's state, whose
 * inputs hold the `createMarker` the provider tags the new instance with (`pulumi-marker:<marker>`), and, on the
 * file backend, the stack's lock. Whether the instance exists is unknown to Pulumi. The command runs in phases,
 * each a function below:
 *
 * 1. {@link checkNothingRunning}: no orphaned dynamic-provider process of the interrupted run is alive (they outlive
 *    a killed CLI and finish their in-flight creates).
 * 2. {@link readPendingCreates}: `pulumi stack export`, the pending creates of {@link freshdeskType}.
 * 3. {@link lookUpPendingCreates}: each marker looked up on Cloud Elements (`GET /instances?tags[]=pulumi-marker:<m>`)
 *    with the stack's connection (config `cloudelements:*`, else the `CLOUD_ELEMENTS_*` environment variables, as
 *    the provider), keeping only instances the provider's lookup verifies (exact marker tag, the element's key).
 * 4. {@link removeDuplicates}: extra instances with the same marker can only be duplicates of that one create;
 *    {@link instanceToKeep} decides which one is the resource.
 * 5. {@link recordInState}: every found instance becomes its resource (a state edit through `pulumi stack import`).
 *    `pulumi refresh --import-pending-creates <urn> <id>` is meant to do this, but the Pulumi v3.276 engine drops the
 *    pending create instead (see docs/reliability.md). A stale lock (its process gone) is removed first.
 * 6. {@link clearPendingCreates}: `pulumi refresh --clear-pending-creates --yes` reads every recorded instance
 *    (outputs, token) and drops the pending creates that never produced an instance.
 * 7. {@link verifyRecovered}: a second export proves the result instead of trusting it.
 *
 * Exit codes: 0 recovered (or nothing to do), 1 failed, 2 refused (something still running, a lock held by a live
 * process, pending creates of other resource types or without marker, an instance that cannot be verified):
 * nothing was changed.
 */
import { markerTag } from "../provider/model/tags";
import {
    createMarkerOf,
    type Deployment,
    freshdeskType,
    type PendingOperation,
    parseDeployment,
    type StateResource,
    type UntypedDeployment,
} from "./deployment";
import { commandArgs, commandLine, hasProcFs, isAlive, listPids, parentPid, workingDirectory } from "./proc-tree";

export { freshdeskType };

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

/** The `--help` text: every option, the environment the command reads, its exit codes. */
export const usage = `usage: cloudelements-freshdesk-recover --stack <name> [--cwd <program dir>] [--dry-run]
                                       [--clear-other-pending-creates]
       (in the pulumi-cloudelements-freshdesk repository: npm run recover -- --stack <name> ...)

Recovers a stack whose \`pulumi up\` was killed while it was creating FreshdeskInstance resources: looks each
interrupted create's marker tag up on Cloud Elements, records every instance that exists as its resource, deletes
same-marker duplicates, removes a stale lock and the pending creates that never produced an instance, and checks
the result. Then run \`pulumi up\`: it creates only what never existed.

Options:
  -s, --stack <name>    the stack to recover (required)
  -C, --cwd <dir>       the Pulumi program directory (the one with Pulumi.yaml); default: the current directory
                        (relative paths are taken from where you typed the command)
      --dry-run         only look up and print the plan: no state edit, no delete, no lock removed
      --clear-other-pending-creates
                        also drop pending creates of other resource types, which this command cannot look up;
                        only when you know they were never created
  -h, --help            this text

Environment (the same as for \`pulumi\` on that stack; \`pulumi\` must be on PATH):
  PULUMI_BACKEND_URL or PULUMI_ACCESS_TOKEN, PULUMI_HOME, PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE.
  The Cloud Elements connection comes from the stack config (cloudelements:baseUrl, cloudelements:userSecret,
  cloudelements:organizationSecret), else from CLOUD_ELEMENTS_BASE_URL, CLOUD_ELEMENTS_USER_SECRET and
  CLOUD_ELEMENTS_ORGANIZATION_SECRET.
  \`npm run recover\` in the repository defaults all of them to the demo of \`npm start\` (.pulumi-state,
  .pulumi-home, passphrase local-demo-passphrase) unless you set them.

Before running it, stop the interrupted run's leftover provider process once it is idle
(pgrep -af cmd/dynamic-provider; kill <pid>): recover refuses to run while one is alive.

Exit codes: 0 recovered (or nothing to do), 1 failed, 2 refused (nothing was changed).
Details: docs/reliability.md (shipped with the package).`;

function log(line: string): void {
    process.stdout.write(`recover: ${line}\n`);
}

/** Parses the command line (see {@link usage}); relative `--cwd` paths resolve against `baseDir`. */
export function parseRecoverArgs(argv: readonly string[], baseDir: string): RecoverOptions {
    let values: {
        stack?: string;
        cwd?: string;
        "dry-run"?: boolean;
        "clear-other-pending-creates"?: boolean;
        help?: boolean;
    };
    try {
        ({ values } = parseArgs({
            args: [...argv],
            strict: true,
            allowPositionals: false,
            options: {
                stack: { type: "string", short: "s" },
                cwd: { type: "string", short: "C" },
                "dry-run": { type: "boolean" },
                "clear-other-pending-creates": { type: "boolean" },
                help: { type: "boolean", short: "h" },
            },
        }));
    } catch (err) {
        // node:util's messages name the argument ("Unknown option '--x'", "Option '--stack' argument missing").
        throw new Refusal(`${err instanceof Error ? err.message : String(err)} (see --help)`);
    }
    if (values.help) {
        throw new Help(usage);
    }
    if (!values.stack) {
        throw new Refusal("--stack is required (see --help)");
    }
    if (values.cwd === "") {
        throw new Refusal("--cwd needs a directory");
    }
    return {
        stack: values.stack,
        cwd: path.resolve(baseDir, values.cwd ?? "."),
        dryRun: values["dry-run"] ?? false,
        clearOthers: values["clear-other-pending-creates"] ?? false,
    };
}

// --- pulumi ------------------------------------------------------------------------------------------------------

interface CliOutput {
    code: number;
    stdout: string;
    stderr: string;
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

async function exportDeployment(opts: RecoverOptions): Promise<UntypedDeployment> {
    return parseDeployment(await pulumiOk(["stack", "export", "--stack", opts.stack], opts.cwd, "pulumi stack export"));
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

// --- processes ---------------------------------------------------------------------------------------------------

/**
 * Dynamic-provider processes running in the program directory whose parent is not a `pulumi` process: leftovers of
 * a killed CLI. They keep their gRPC server (and their in-flight creates) alive forever. Linux only; elsewhere none
 * are reported.
 */
export function leftoverProviders(programDir: string): { pid: number; cmdline: string }[] {
    if (!hasProcFs()) {
        return [];
    }
    const found: { pid: number; cmdline: string }[] = [];
    const target = fs.realpathSync(programDir);
    for (const pid of listPids()) {
        const cmdline = commandLine(pid);
        if (!cmdline?.includes("@pulumi/pulumi/cmd/dynamic-provider") || workingDirectory(pid) !== target) {
            continue;
        }
        const ppid = parentPid(pid);
        const parent = ppid === undefined ? undefined : commandArgs(ppid);
        if (!parent || !/(^|\/)pulumi$/.test(parent[0] ?? "")) {
            found.push({ pid, cmdline });
        }
    }
    return found;
}

// --- the keep rule ---------------------------------------------------------------------------------------------

/**
 * Which of several instances carrying one create's marker is the resource; the others are duplicates. The same rule
 * as the provider's create (`provider/lifecycle/lookup.ts`): without an answered POST to go by (an interrupted create has
 * none), the lowest id.
 */
export { instanceToKeep };

// --- phases ------------------------------------------------------------------------------------------------------

/** Phase 1: refuses when the directory is not a program, or a provider process of the interrupted run lives on. */
export function checkNothingRunning(opts: RecoverOptions): void {
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
}

/** A pending create of a `FreshdeskInstance`, with the marker its instance carries. */
export interface PendingCreate {
    readonly op: PendingOperation;
    readonly marker: string;
}

/** What {@link readPendingCreates} found. */
export interface PendingCreates {
    readonly exported: UntypedDeployment;
    /** Number of pending operations of every kind. */
    readonly pendingCount: number;
    readonly creates: readonly PendingCreate[];
}

/**
 * Phase 2: the stack's pending creates of `FreshdeskInstance`. Refuses on pending creates of other types (unless
 * `clearOthers`) and on ones without a marker (state of an older provider): they cannot be looked up.
 */
export async function readPendingCreates(opts: RecoverOptions): Promise<PendingCreates> {
    const exported = await exportDeployment(opts);
    const pending = exported.deployment.pending_operations ?? [];
    const creates = pending.filter((op) => op.type === "creating");
    const ours = creates.filter((op) => op.resource.type === freshdeskType);
    const others = creates.filter((op) => op.resource.type !== freshdeskType);
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
    const unmarked = ours.filter((op) => createMarkerOf(op.resource) === undefined);
    if (unmarked.length > 0) {
        throw new Refusal(
            `pending creates without a createMarker (state written by an older provider):\n` +
                unmarked.map((op) => `  ${op.resource.urn}`).join("\n"),
        );
    }
    return {
        exported,
        pendingCount: pending.length,
        creates: ours.map((op) => ({ op, marker: createMarkerOf(op.resource)! })),
    };
}

/** What to do about one pending create: the instance to record (if any) and the duplicates to delete. */
export interface RecoveryPlan {
    readonly create: PendingCreate;
    readonly keep?: { readonly id: number };
    readonly duplicates: readonly { readonly id: number }[];
}

/**
 * The instances carrying the pending create's marker, verified by the provider's own lookup. An entry that cannot be
 * verified is a {@link Refusal}: nothing is recorded or deleted on a guess.
 */
async function verifiedCarriers(client: CloudElementsClient, create: PendingCreate): Promise<ApiInstance[]> {
    const urn = create.op.resource.urn;
    try {
        return await findVerifiedInstances(client, { marker: create.marker }, [], urn);
    } catch (err) {
        if (CloudElementsError.isInstance(err) && err.kind === "response") {
            throw new Refusal(err.message);
        }
        throw err;
    }
}

/**
 * Phase 3: looks every pending create's marker up (GET only) and plans what to keep. Instances the stack already
 * manages are left out: after a replacement the old instance carries the same marker.
 */
export async function lookUpPendingCreates(
    client: CloudElementsClient,
    creates: readonly PendingCreate[],
    deployment: Deployment,
): Promise<RecoveryPlan[]> {
    const managedIds = new Set(
        (deployment.resources ?? []).filter((r) => r.type === freshdeskType && r.id).map((r) => String(r.id)),
    );
    const plans: RecoveryPlan[] = [];
    for (const create of creates) {
        const unmanaged = (await verifiedCarriers(client, create)).filter((i) => !managedIds.has(String(i.id)));
        const keep = instanceToKeep(unmanaged);
        const urn = create.op.resource.urn;
        if (keep === undefined) {
            log(`${urn}: no instance tagged ${markerTag(create.marker)}: the create never happened; clearing`);
        } else {
            log(`${urn}: instance ${keep.id} carries ${markerTag(create.marker)}; recording it as the resource`);
        }
        plans.push({ create, keep, duplicates: unmanaged.filter((i) => i !== keep).sort((a, b) => a.id - b.id) });
    }
    return plans;
}

/** Phase 4: deletes the duplicates of every plan with the provider's rule (only logs them on a dry run). */
export async function removeDuplicates(
    client: CloudElementsClient,
    plans: readonly RecoveryPlan[],
    dryRun: boolean,
): Promise<void> {
    for (const plan of plans) {
        for (const duplicate of plan.duplicates) {
            log(
                `${plan.create.op.resource.urn}: instance ${duplicate.id} carries the same marker: a duplicate; ` +
                    (dryRun ? "would delete it" : "deleting it"),
            );
        }
        if (!dryRun && plan.keep !== undefined) {
            await deleteDuplicates(client, plan.duplicates, plan.keep);
        }
    }
}

/**
 * Phase 5: records each kept instance as its resource and drops its pending create, through `pulumi stack import`
 * of the edited export (the stack's stale lock removed first when needed).
 */
export async function recordInState(
    exported: UntypedDeployment,
    plans: readonly RecoveryPlan[],
    opts: RecoverOptions,
): Promise<void> {
    const adopted = plans.filter((p) => p.keep !== undefined);
    if (adopted.length === 0) {
        return;
    }
    const deployment = exported.deployment;
    const adoptedOps = new Set(adopted.map((p) => p.create.op));
    deployment.pending_operations = (deployment.pending_operations ?? []).filter((op) => !adoptedOps.has(op));
    const resources: StateResource[] = deployment.resources ?? [];
    for (const { create, keep } of adopted) {
        const { resource } = create.op;
        // A replacement's new instance: the old resource with the same URN becomes the one to delete.
        for (const old of resources) {
            if (old.urn === resource.urn && !old.delete) {
                old.delete = true;
            }
        }
        // The pending create's resource, completed with its id. Outputs start as the inputs (they hold
        // `__provider`, which `read` needs); the refresh of phase 6 replaces them with what the instance shows.
        resources.push({ ...resource, id: String(keep!.id), outputs: { ...resource.inputs } });
    }
    deployment.resources = resources;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cef-recover-"));
    const file = path.join(dir, `${opts.stack.replace(/[^\w.-]+/g, "_")}.json`);
    // The export holds encrypted secrets only, but it is still the stack's state: readable by this user alone.
    fs.writeFileSync(file, JSON.stringify(exported), { mode: 0o600 });
    try {
        await withStaleLockRemoved(
            ["stack", "import", "--file", file, "--stack", opts.stack],
            opts,
            "pulumi stack import",
        );
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    log(`recorded ${adopted.length} instance(s) in the state`);
}

/** Phase 6: `pulumi refresh --clear-pending-creates`: reads the recorded instances, drops the remaining creates. */
export async function clearPendingCreates(opts: RecoverOptions): Promise<void> {
    await withStaleLockRemoved(
        ["refresh", "--yes", "--skip-preview", "--clear-pending-creates", "--stack", opts.stack],
        opts,
        "pulumi refresh --clear-pending-creates",
    );
}

/** Phase 7: every adopted instance is a live resource now, and no create is pending. */
export async function verifyRecovered(opts: RecoverOptions, outcomes: readonly PendingCreateOutcome[]): Promise<void> {
    const after = (await exportDeployment(opts)).deployment;
    const live = new Map((after.resources ?? []).filter((r) => !r.delete).map((r) => [r.urn, String(r.id)]));
    const missing = outcomes.filter((o) => o.action === "adopted" && live.get(o.urn) !== o.id);
    const stillPending = (after.pending_operations ?? []).filter((op) => op.type === "creating");
    if (missing.length > 0 || stillPending.length > 0) {
        throw new Error(
            `after the refresh, ${missing.length} recorded instance(s) are not in the state and ` +
                `${stillPending.length} pending create(s) remain: ` +
                [...missing.map((m) => m.urn), ...stillPending.map((op) => op.resource.urn)].join(", "),
        );
    }
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

function outcomesOf(plans: readonly RecoveryPlan[], dryRun: boolean): PendingCreateOutcome[] {
    return plans.map(({ create, keep, duplicates }) => ({
        urn: create.op.resource.urn,
        marker: create.marker,
        action: keep === undefined ? "cleared" : "adopted",
        ...(keep === undefined ? {} : { id: String(keep.id) }),
        duplicatesDeleted: dryRun ? [] : duplicates.map((d) => String(d.id)),
    }));
}

/** Recovers the stack; returns what happened to each pending create of a `FreshdeskInstance`. */
export async function recover(opts: RecoverOptions): Promise<PendingCreateOutcome[]> {
    checkNothingRunning(opts);
    const { exported, pendingCount, creates } = await readPendingCreates(opts);
    if (pendingCount === 0) {
        log(
            "nothing to recover. If commands fail with 'the stack is currently locked' and no pulumi process is " +
                `running for it, remove the stale lock with: pulumi cancel --yes --stack ${opts.stack}`,
        );
        return [];
    }

    const client = new CloudElementsClient(
        await connectionOf(opts),
        `${packageName}/${readPackageVersion(__dirname)} (recover)`,
    );
    let plans: RecoveryPlan[];
    try {
        plans = await lookUpPendingCreates(client, creates, exported.deployment);
        await removeDuplicates(client, plans, opts.dryRun);
    } finally {
        client.close();
    }
    const outcomes = outcomesOf(plans, opts.dryRun);
    if (opts.dryRun) {
        log("dry run: nothing changed");
        return outcomes;
    }

    await recordInState(exported, plans, opts);
    await clearPendingCreates(opts);
    await verifyRecovered(opts, outcomes);
    const adopted = outcomes.filter((o) => o.action === "adopted").length;
    const cleared = outcomes.length - adopted;
    log(
        `done: ${adopted} instance(s) recorded, ${cleared} pending create(s) cleared (never created), ` +
            `${outcomes.reduce((n, o) => n + o.duplicatesDeleted.length, 0)} duplicate(s) deleted. ` +
            `Run pulumi up: it creates only the ${cleared} missing instance(s).`,
    );
    return outcomes;
}

async function main(): Promise<void> {
    // npm runs scripts in the package root; relative paths are meant from where the user typed the command.
    const baseDir = process.env.INIT_CWD ?? process.cwd();
    try {
        const opts = parseRecoverArgs(process.argv.slice(2), baseDir);
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
