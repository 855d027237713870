/**
 * Helpers of the reliability suites (`tests/engine/reliability-*.test.ts`): an emulator with an access log, the
 * reconciliation of a stack's state with the emulator's instances (orphans, duplicates, dangling resources), a
 * transcript of everything a suite captured (for the secret sweep), the summary table every reliability file prints
 * and persists, and process helpers to interrupt a running CLI (SIGINT, SIGKILL) and clean up what it leaves.
 *
 * Builds on `stacks.ts` (credentials, request-log cursor, public API client, secret matching); nothing here
 * asserts, tests decide what is expected.
 */
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { type EmulatedInstance, type EmulatorControl, type RequestLogEntry, startEmulator } from "../../emulator";
import { isAlive } from "../../provider/proc-tree";
import { cliEnv, createBackend, pulumiBinDir, repoRoot, runPulumi, type TestBackend } from "./pulumi";
import {
    CloudElementsApi,
    type E2EContext,
    emulatorAccounts,
    findSecrets,
    freshdeskResources,
    makeTestAccounts,
    RequestLog,
    secretsOfAccounts,
} from "./stacks";

/** Project config that shortens the provider's retry budget and timeout (`cloudelements:maxRetries`/`timeoutMs`). */
export interface ClientTuning {
    readonly maxRetries?: number;
    readonly timeoutMs?: number;
}

/** One reliability test file's world: an emulator (with access log), a backend and fresh credentials. */
export interface ReliabilityContext
    extends Pick<E2EContext, "backend" | "accounts" | "origin" | "baseUrl" | "control" | "log" | "api"> {
    readonly label: string;
    /** Lines of the emulator's access log so far. */
    accessLog(): readonly string[];
    /** Stack config pointing the provider at the emulator (secrets marked secret), plus client tuning. */
    connectionConfig(tuning?: ClientTuning): ConfigMap;
    /** Environment variables pointing a process (the recovery command) at the emulator. */
    connectionEnv(): Record<string, string>;
    /** Every credential this file knows, by name (user/org secrets, valid and invalid API keys). */
    knownSecrets(): Record<string, string>;
    /** Environment of a CLI run against this backend, with the toolchain's `pulumi` first on PATH. */
    cliEnv(extra?: Record<string, string>): NodeJS.ProcessEnv;
    /**
     * Registers an inline program's stack: its workspace folder (a temp folder the Automation API creates, holding
     * `Pulumi.<stack>.yaml`) is deleted by {@link close}. Returns the stack.
     */
    track(stack: Stack): Stack;
    /** Registers a copied program folder (see `workProgram`) for deletion by {@link close}. Returns it. */
    trackDir(dir: string): string;
    /** Stops the emulator, deletes the backend and the tracked workspaces. */
    close(): Promise<void>;
}

/**
 * Starts the emulator (fresh random credentials, Freshdesk key check on, access log captured) and a file backend.
 * Same shape as `startE2E` in stacks.ts, which offers no access log.
 */
export async function startReliability(label: string): Promise<ReliabilityContext> {
    const accounts = makeTestAccounts(label);
    const access: string[] = [];
    const emulator = await startEmulator({
        port: 0,
        accounts: emulatorAccounts(accounts),
        validateFreshdeskCredentials: true,
        log: (line) => access.push(line),
    });
    const backend = createBackend(label);
    const api = new CloudElementsApi(emulator.baseUrl, accounts.userSecret, accounts.organizationSecret);
    const workspaces: string[] = [];
    const knownSecrets = () => secretsOfAccounts(accounts);
    return {
        label,
        backend,
        accounts,
        origin: emulator.origin,
        baseUrl: emulator.baseUrl,
        control: emulator.control,
        log: new RequestLog(emulator.control),
        api,
        accessLog: () => access,
        connectionConfig: (tuning = {}) => ({
            "cloudelements:baseUrl": { value: emulator.baseUrl },
            "cloudelements:userSecret": { value: accounts.userSecret, secret: true },
            "cloudelements:organizationSecret": { value: accounts.organizationSecret, secret: true },
            ...(tuning.maxRetries !== undefined
                ? { "cloudelements:maxRetries": { value: String(tuning.maxRetries) } }
                : {}),
            ...(tuning.timeoutMs !== undefined
                ? { "cloudelements:timeoutMs": { value: String(tuning.timeoutMs) } }
                : {}),
        }),
        connectionEnv: () => ({
            CLOUD_ELEMENTS_BASE_URL: emulator.baseUrl,
            CLOUD_ELEMENTS_USER_SECRET: accounts.userSecret,
            CLOUD_ELEMENTS_ORGANIZATION_SECRET: accounts.organizationSecret,
        }),
        knownSecrets,
        cliEnv: (extra = {}) => cliEnv(backend, extra),
        track: (stack) => {
            const dir = stack.workspace.workDir;
            if (path.basename(dir).startsWith("automation-")) {
                workspaces.push(dir);
            }
            return stack;
        },
        trackDir: (dir) => {
            workspaces.push(dir);
            return dir;
        },
        close: async () => {
            await emulator.close();
            backend.cleanup();
            for (const dir of workspaces) {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}

// --- reconciliation -----------------------------------------------------------------------------------------------

/** How a stack's state compares with the emulator's instances carrying the stack's tag. */
export interface Reconciliation {
    /** Instance ids of the `FreshdeskInstance` resources in state, sorted. */
    readonly stateIds: string[];
    /** Ids of the emulator's instances that carry the tag, sorted. */
    readonly emulatorIds: string[];
    /** Instances that exist but that no resource in state manages. */
    readonly orphans: EmulatedInstance[];
    /** Extra instances for one resource: instances sharing a name (names are unique per stack here), plus resources sharing an id. */
    readonly duplicates: number;
    /** Resources in state whose instance does not exist. */
    readonly dangling: string[];
    /** Pending operations left in state. */
    readonly pendingOperations: number;
}

/** Whether state and the emulator agree exactly: no orphan, no duplicate, nothing dangling, nothing pending. */
export function isClean(r: Reconciliation): boolean {
    return r.orphans.length === 0 && r.duplicates === 0 && r.dangling.length === 0 && r.pendingOperations === 0;
}

/**
 * Compares the state's `FreshdeskInstance` resources with the emulator's instances tagged `tag` (every reliability
 * stack tags what it creates, so stacks sharing an emulator stay apart).
 */
export async function reconcile(
    control: EmulatorControl,
    exported: { deployment: any },
    tag: string,
    type?: string,
): Promise<Reconciliation> {
    const resources = freshdeskResources(exported, type);
    const stateIds = resources.map((r) => String(r.id)).sort(byNumber);
    const instances = (await control.instances()).filter((i) => i.tags.includes(tag));
    const emulatorIds = instances.map((i) => String(i.id)).sort(byNumber);
    const inState = new Set(stateIds);
    const inEmulator = new Set(emulatorIds);
    const byName = new Map<string, number>();
    for (const instance of instances) {
        byName.set(instance.name, (byName.get(instance.name) ?? 0) + 1);
    }
    const duplicateInstances = [...byName.values()].reduce((sum, n) => sum + (n - 1), 0);
    const duplicateIds = stateIds.length - inState.size;
    return {
        stateIds,
        emulatorIds,
        orphans: instances.filter((i) => !inState.has(String(i.id))),
        duplicates: duplicateInstances + duplicateIds,
        dangling: stateIds.filter((id) => !inEmulator.has(id)),
        pendingOperations: (exported.deployment?.pending_operations ?? []).length,
    };
}

function byNumber(a: string, b: string): number {
    return Number(a) - Number(b);
}

/** Requests of a log slice that a fault shaped (their `fault` field), e.g. to prove a case really hit its fault. */
export function faulted(entries: readonly RequestLogEntry[], kind?: string): RequestLogEntry[] {
    return entries.filter((e) => e.fault !== undefined && (kind === undefined || e.fault.split(",").includes(kind)));
}

// --- CLI results through the Automation API ---------------------------------------------------------------------

/** The outcome of an Automation API operation, failures included, with everything the CLI printed. */
export interface OpResult {
    readonly ok: boolean;
    /** stdout and stderr as printed (for a failure, the CommandError's message, which holds both). */
    readonly output: string;
    readonly seconds: number;
}

/** Runs `op` and never throws: a failed command becomes `{ok: false, output}`. */
export async function attempt(
    op: (collect: { onOutput: (s: string) => void; onError: (s: string) => void }) => Promise<unknown>,
): Promise<OpResult> {
    const chunks: string[] = [];
    const collect = { onOutput: (s: string) => chunks.push(s), onError: (s: string) => chunks.push(s) };
    const t0 = Date.now();
    try {
        await op(collect);
        return { ok: true, output: chunks.join(""), seconds: (Date.now() - t0) / 1000 };
    } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        return { ok: false, output: `${chunks.join("")}\n${message}`, seconds: (Date.now() - t0) / 1000 };
    }
}

/**
 * The stack's state as `pulumi stack export` prints it (secrets encrypted; `stack.exportStack()` of the Automation
 * API passes `--show-secrets`, so it is not what a user or a CI log sees), also recorded in the transcript (as
 * `label`) when one is given.
 */
export async function exportState(
    stack: Stack,
    backend: TestBackend,
    transcript?: Transcript,
    label = "export",
): Promise<{ deployment: any }> {
    const result = await runPulumi(["stack", "export", "--stack", stack.name], {
        cwd: stack.workspace.workDir,
        backend,
    });
    if (result.code !== 0) {
        throw new Error(`pulumi stack export failed:\n${result.stdout}${result.stderr}`);
    }
    transcript?.add(label, result.stdout);
    return JSON.parse(result.stdout) as { deployment: any };
}

// --- transcript and secret sweep --------------------------------------------------------------------------------

/** Everything a test file captured, by source, for the secret sweep. */
export class Transcript {
    private readonly parts: { source: string; text: string }[] = [];

    /** Records one captured text. */
    add(source: string, text: string): void {
        this.parts.push({ source, text });
    }

    /** How many texts were recorded. */
    get size(): number {
        return this.parts.length;
    }

    /** Total characters recorded. */
    get chars(): number {
        return this.parts.reduce((n, p) => n + p.text.length, 0);
    }

    /** The recorded texts. */
    sources(): readonly { source: string; text: string }[] {
        return this.parts;
    }

    /**
     * Where each secret occurs (plain form): the source and the surrounding text with the secret replaced by
     * `<name>`, so a failure can show the leak without printing the secret.
     */
    leakContexts(secrets: Record<string, string>, width = 160): string[] {
        const contexts: string[] = [];
        for (const part of this.parts) {
            for (const [name, value] of Object.entries(secrets)) {
                if (value.length === 0) continue;
                let at = part.text.indexOf(value);
                let shown = 0;
                while (at >= 0 && shown < 3) {
                    const around = part.text.slice(Math.max(0, at - width), at + value.length + width);
                    contexts.push(`${part.source}: …${around.split(value).join(`<${name}>`)}…`);
                    at = part.text.indexOf(value, at + value.length);
                    shown++;
                }
            }
        }
        return contexts;
    }

    /** Which secrets occur in which recorded text (`findSecrets` also matches JSON-escaped and base64 forms). */
    findSecrets(secrets: Record<string, string>): { source: string; secret: string }[] {
        const found: { source: string; secret: string }[] = [];
        for (const part of this.parts) {
            for (const secret of findSecrets(part.text, secrets)) {
                found.push({ source: part.source, secret });
            }
        }
        return found;
    }
}

/**
 * The element tokens of the emulator's instances tagged `tag`, read once through the public API (the control API
 * only shows fingerprints), by `token(<id>)`: secrets to sweep for.
 */
export async function tokensOf(ctx: ReliabilityContext, tag: string): Promise<Record<string, string>> {
    const tokens: Record<string, string> = {};
    for (const instance of (await ctx.control.instances()).filter((i) => i.tags.includes(tag))) {
        const token = (await ctx.api.getInstance(instance.id)).token;
        if (typeof token === "string") {
            tokens[`token(${instance.id})`] = token;
        }
    }
    return tokens;
}

/** Adds the emulator's request log and access log to the transcript (call once, at the end of a file). */
export async function captureEmulatorLogs(ctx: ReliabilityContext, transcript: Transcript): Promise<void> {
    transcript.add("emulator request log", JSON.stringify(await ctx.log.all()));
    transcript.add("emulator access log", ctx.accessLog().join("\n"));
}

// --- summary table ----------------------------------------------------------------------------------------------

/** One row of the reliability summary. */
export interface SummaryRow {
    area: string;
    cases: number;
    faultsInjected: number;
    faultsSurvived: number;
    badInputsTried: number;
    badInputsRejected: number;
    orphaned: number;
    duplicated: number;
    secretsFound: number;
    seconds: number;
}

const columns: [keyof SummaryRow, string][] = [
    ["area", "area"],
    ["cases", "cases"],
    ["faultsInjected", "faults injected"],
    ["faultsSurvived", "faults survived"],
    ["badInputsTried", "bad inputs tried"],
    ["badInputsRejected", "rejected cleanly"],
    ["orphaned", "orphaned"],
    ["duplicated", "duplicated"],
    ["secretsFound", "secrets in output"],
    ["seconds", "seconds"],
];

/** The file where every reliability test file merges its rows (latest run of each file wins). */
export const summaryFile = path.join(repoRoot, "tests", ".work", "reliability-summary.json");

/** Formats rows as a Markdown table (the form docs/reliability.md uses). */
export function formatTable(rows: readonly SummaryRow[]): string {
    const header = `| ${columns.map(([, title]) => title).join(" | ")} |`;
    const rule = `|${columns.map(([key]) => (key === "area" ? "---" : "---:")).join("|")}|`;
    const body = rows.map(
        (row) => `| ${columns.map(([key]) => (key === "seconds" ? Math.round(row.seconds) : row[key])).join(" | ")} |`,
    );
    return [header, rule, ...body].join("\n");
}

/** Sums rows into a total row. */
export function totalRow(rows: readonly SummaryRow[], area = "total"): SummaryRow {
    const total = emptyRow(area);
    for (const row of rows) {
        for (const [key] of columns) {
            if (key !== "area") {
                (total[key] as number) += row[key] as number;
            }
        }
    }
    return total;
}

function emptyRow(area: string): SummaryRow {
    return {
        area,
        cases: 0,
        faultsInjected: 0,
        faultsSurvived: 0,
        badInputsTried: 0,
        badInputsRejected: 0,
        orphaned: 0,
        duplicated: 0,
        secretsFound: 0,
        seconds: 0,
    };
}

/** The rows one test file reports; {@link Summary.publish} prints them and merges them into {@link summaryFile}. */
export class Summary {
    private readonly rows = new Map<string, SummaryRow>();

    /** @param file The test file's short name, e.g. `reliability-faults`. */
    constructor(readonly file: string) {}

    /** The row of `area`, created empty on first use. */
    row(area: string): SummaryRow {
        let row = this.rows.get(area);
        if (!row) {
            row = emptyRow(area);
            this.rows.set(area, row);
        }
        return row;
    }

    /** All rows, in creation order. */
    all(): SummaryRow[] {
        return [...this.rows.values()];
    }

    /**
     * Prints this file's table and the merged table of every reliability file's latest run to stdout, and
     * persists this file's rows. Returns the printed text.
     */
    publish(): string {
        const rows = this.all();
        let merged: Record<string, { finishedAt: string; rows: SummaryRow[] }> = {};
        try {
            merged = JSON.parse(fs.readFileSync(summaryFile, "utf8"));
        } catch {
            // First file of the first run.
        }
        merged[this.file] = { finishedAt: new Date().toISOString(), rows };
        fs.mkdirSync(path.dirname(summaryFile), { recursive: true });
        fs.writeFileSync(summaryFile, `${JSON.stringify(merged, null, 2)}\n`);
        const allRows = Object.keys(merged)
            .sort()
            .flatMap((file) => merged[file].rows);
        const text =
            `\nReliability summary: ${this.file}\n${formatTable([...rows, totalRow(rows)])}\n` +
            `\nReliability summary: all reliability files (latest run of each, ${summaryFile})\n` +
            `${formatTable([...allRows, totalRow(allRows)])}\n`;
        process.stdout.write(text);
        return text;
    }
}

// --- processes ----------------------------------------------------------------------------------------------------

/** A `pulumi` CLI process started by a test, with its output as it arrives. */
export interface RunningCli {
    readonly child: ChildProcess;
    readonly pid: number;
    /** stdout and stderr so far, interleaved as they arrived. */
    output(): string;
    /** Resolves when `predicate(output)` holds; rejects after `timeoutMs` or when the process exits first. */
    waitFor(predicate: (output: string) => boolean, timeoutMs: number): Promise<void>;
    /** Resolves with the exit code (null when killed) and the signal. */
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `pulumi <args> --non-interactive` in `cwd`, as a user would in a terminal-less CI job. */
export function startCli(args: string[], cwd: string, env: NodeJS.ProcessEnv): RunningCli {
    const child = spawn(path.join(pulumiBinDir(), "pulumi"), [...args, "--non-interactive"], {
        cwd,
        env,
        stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    const listeners = new Set<() => void>();
    const onData = (chunk: Buffer) => {
        text += chunk.toString("utf8");
        for (const listener of listeners) listener();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.on("exit", (code, signal) => {
            for (const listener of listeners) listener();
            resolve({ code, signal });
        });
    });
    let done = false;
    exited.then(() => {
        done = true;
    });
    if (child.pid === undefined) {
        throw new Error("pulumi did not start");
    }
    return {
        child,
        pid: child.pid,
        output: () => text,
        exited,
        waitFor: (predicate, timeoutMs) =>
            new Promise<void>((resolve, reject) => {
                const check = () => {
                    if (predicate(text)) {
                        cleanup();
                        resolve();
                    } else if (done) {
                        cleanup();
                        reject(new Error(`pulumi exited before the awaited output appeared:\n${text}`));
                    }
                };
                const timer = setTimeout(() => {
                    cleanup();
                    reject(new Error(`timed out after ${timeoutMs} ms waiting for pulumi output:\n${text}`));
                }, timeoutMs);
                const cleanup = () => {
                    clearTimeout(timer);
                    listeners.delete(check);
                };
                listeners.add(check);
                check();
            }),
    };
}

// The process table is read by provider/proc-tree.ts (shared with `recover` and the benchmark); re-exported here so
// that the reliability suites import every process helper from one place.
export { commandLine, descendantsOf as descendants, isAlive, parentPid } from "../../provider/proc-tree";

/** Sends SIGKILL to each listed process that is still alive (only processes the test started, by pid). */
export function killAll(pids: readonly number[]): number[] {
    const killed: number[] = [];
    for (const pid of pids) {
        if (isAlive(pid)) {
            try {
                process.kill(pid, "SIGKILL");
                killed.push(pid);
            } catch {
                // Exited in between.
            }
        }
    }
    return killed;
}

/** `until` lives with the emulator helpers (the emulator suites use it too); re-exported for the reliability suites. */
export { until } from "./emulator";
