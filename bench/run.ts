/**
 * `npm run bench`: our dynamic resource, our provider plugin and a documentation-style dynamic provider against the
 * engine's floor, through the real Pulumi CLI (Automation API, `file://` backend in a temp folder, passphrase
 * secrets) and the Cloud Elements emulator in a child process. Writes the raw
 * measurements and the summary as JSON, and a markdown report next to it (also printed to stdout). Progress goes to
 * stderr. See docs/benchmark.md.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { devAccounts } from "../emulator/accounts";
import { stubProvider } from "../provider/hosts/dynamic/stub";
import { buildPlugin, pluginBinary } from "../scripts/plugin-build";
import { createBackend, timedPulumiCommand } from "./cli";
import { type EmulatorProcess, startEmulatorProcess } from "./emulator-process";
import { matchFloorProviderSize, serializedProviderBytes } from "./floor";
import { type BenchOptions, parseOptions, UsageError, usage } from "./options";
import type { PathName } from "./paths";
import { type RunInfo, renderMarkdown, summarize, writeDocs } from "./report";
import { type BenchContext, type OpName, operations, Unit, type UnitResult } from "./scenario";
import { measureStartup, type StartupSummary } from "./startup";

const repoRoot = path.resolve(__dirname, "..", "..");

function log(message: string): void {
    process.stderr.write(`[bench] ${message}\n`);
}

const secs = (ms: number | undefined) => (ms === undefined ? "–" : `${(ms / 1000).toFixed(2)}s`);

/**
 * A rough duration estimate for a quiet 2-core machine, from the medians of earlier runs there: about 1.3 s per CLI
 * command at N=1, 3.3 s at N=50 (the engine's checkpoint writes make the per-instance cost grow with N, hence the
 * quadratic term; N=200 is an extrapolation, measured only on a busy machine), 0.4 s for the Automation API's
 * follow-up command, 2 s of stack setup per stack, and a minute of start-up, plugin staging and warm-up.
 */
export function estimateSeconds(
    opts: Pick<BenchOptions, "sizes" | "latencies" | "paths" | "runs" | "floorPerLatency">,
): number {
    const perOp = (n: number) => 1.3 + 0.03 * n + 0.0002 * n * n + 0.4;
    const setup = (n: number) => 2 + 0.02 * n;
    let perRun = 0;
    for (const n of opts.sizes) {
        const units = opts.paths.length * opts.latencies.length + (opts.floorPerLatency ? opts.latencies.length : 1);
        perRun += units * (operations.length * perOp(n) + setup(n));
        for (const latency of opts.latencies) {
            perRun += (opts.paths.length * 4 * latency) / 1000; // four operations make calls, each batch in parallel
        }
    }
    return 60 + perRun * opts.runs;
}

function gitCommit(): string | undefined {
    try {
        const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot, encoding: "utf8" }).trim();
        const dirty = execFileSync("git", ["status", "--porcelain", "--", "provider", "bench"], {
            cwd: repoRoot,
            encoding: "utf8",
        }).trim();
        return dirty ? `${head} (provider/ or bench/ modified)` : head;
    } catch {
        return undefined;
    }
}

function requireBuilt(): void {
    const missing = ["bin/emulator/cli.js", "bin/provider/implementation.js", "bin/bench/run.js"].filter(
        (file) => !fs.existsSync(path.join(repoRoot, file)),
    );
    if (missing.length > 0) {
        throw new Error(`${missing.join(", ")} missing: run \`npm run build\` first`);
    }
    // `npm run bench` does not compile: measuring yesterday's provider by mistake is easy.
    const stale: string[] = [];
    for (const dir of ["provider", "emulator", "bench"]) {
        for (const file of fs.readdirSync(path.join(repoRoot, dir)).filter((f) => /^[^.]+\.ts$/.test(f))) {
            const built = path.join(repoRoot, "bin", dir, file.replace(/\.ts$/, ".js"));
            if (
                !fs.existsSync(built) ||
                fs.statSync(built).mtimeMs < fs.statSync(path.join(repoRoot, dir, file)).mtimeMs
            ) {
                stale.push(`${dir}/${file}`);
            }
        }
    }
    if (stale.length > 0) {
        log(`warning: bin/ is older than ${stale.join(", ")}: run \`npm run build\` to measure the current code`);
    }
}

/** Whether every compiled provider file (what the plugin ships of ours) has the same content in the staged plugin. */
function stagedPluginIsCurrent(folder: string): boolean {
    const compiled = path.join(repoRoot, "bin", "provider");
    if (!fs.existsSync(path.join(folder, pluginBinary))) {
        return false;
    }
    for (const entry of fs.readdirSync(compiled, { withFileTypes: true, recursive: true })) {
        if (!entry.isFile() || /\.(d\.ts|map)$/.test(entry.name)) {
            continue;
        }
        const file = path.join(entry.parentPath, entry.name);
        const staged = path.join(folder, "bin", "provider", path.relative(compiled, file));
        if (!fs.existsSync(staged) || !fs.readFileSync(staged).equals(fs.readFileSync(file))) {
            return false;
        }
    }
    return true;
}

/**
 * Stages the plugin as `npm run plugin:build` does (`.plugin/pulumi-resource-cloudelements`: the launcher, the
 * compiled provider and its run-time `node_modules`, the folder `plugins.providers[].path` names), from this
 * checkout's compiled code, so the plugin measured is the code measured on the other paths. A staged plugin holding
 * the same compiled code is used as it is (staging copies node_modules and packs an archive: up to a minute on a busy
 * machine).
 */
function stagePlugin(): { dir?: string; missing?: string } {
    try {
        const folder = path.join(repoRoot, ".plugin", pluginBinary);
        if (stagedPluginIsCurrent(folder)) {
            log(`plugin: using ${folder} (staged from the same compiled code)`);
            return { dir: folder };
        }
        const started = performance.now();
        buildPlugin(repoRoot);
        log(`plugin staged in ${folder} in ${secs(performance.now() - started)}`);
        return { dir: folder };
    } catch (e) {
        return { missing: `the plugin could not be staged: ${e instanceof Error ? e.message : e}` };
    }
}

/** The units of one run and N, in the order their operations interleave. */
function unitsFor(ctx: BenchContext, opts: BenchOptions, paths: PathName[], n: number, run: number): Unit[] {
    const units: Unit[] = [];
    const measured = (latency: number) => paths.map((path) => new Unit(ctx, path, n, latency, run));
    if (opts.floorPerLatency) {
        for (const latency of opts.latencies) {
            units.push(...measured(latency), new Unit(ctx, "floor", n, latency, run));
        }
    } else {
        // The floor makes no API call, so one floor serves every latency; it sits between the measured stacks.
        const all = opts.latencies.flatMap(measured);
        const middle = Math.ceil(all.length / 2);
        units.push(...all.slice(0, middle), new Unit(ctx, "floor", n, undefined, run), ...all.slice(middle));
    }
    // Alternate the order from run to run so that a warm-up or drift effect does not always favour one side.
    return run % 2 === 0 ? units.reverse() : units;
}

async function runGroup(ctx: BenchContext, units: Unit[], header: string, only?: readonly OpName[]): Promise<void> {
    await ctx.emulator.control.reset({ instances: true, requests: true });
    for (const unit of units) {
        await unit.init();
    }
    for (const spec of operations.filter((o) => !only || only.includes(o.name))) {
        const parts: string[] = [];
        for (const unit of units) {
            const m = await unit.runOp(spec.name);
            if (!m) {
                parts.push(`${unit.label} skipped`);
                continue;
            }
            const calls = unit.path === "floor" ? "" : ` ${m.apiCalls} calls`;
            const mem = m.providerPeakKb ? ` ${Math.round(m.providerPeakKb / 1024)}MB` : "";
            const flag = m.error ? " FAILED" : m.unexpectedChanges ? " (unexpected changes)" : "";
            parts.push(`${unit.label} ${secs(m.cliMs)}${calls}${mem}${flag}`);
            if (spec.name === "create" && !m.error) {
                await unit.measureState();
            }
        }
        log(`${header} ${spec.label}: ${parts.join(" | ")}`);
    }
    for (const unit of units) {
        if (unit.result.error) {
            log(`${header} ${unit.label}: ${unit.result.error.split("\n").slice(-5).join("\n    ")}`);
        }
        await unit.dispose();
    }
}

async function main(): Promise<number> {
    const opts = parseOptions(process.argv.slice(2), repoRoot);
    if (!opts) {
        process.stdout.write(`${usage}\n`);
        return 0;
    }
    requireBuilt();
    const plugin = opts.paths.includes("plugin") ? stagePlugin() : {};
    if (plugin.missing && opts.pathsGiven) {
        throw new Error(`the plugin path cannot run: ${plugin.missing}`);
    }
    const paths = opts.paths.filter((path) => path !== "plugin" || plugin.dir);
    const missingPaths: RunInfo["missingPaths"] = plugin.missing ? { plugin: plugin.missing } : undefined;
    if (plugin.missing) {
        log(`warning: the plugin path is left out: ${plugin.missing}`);
    }
    const started = performance.now();
    const commit = gitCommit(); // before the run: the code measured, even if the tree changes meanwhile
    const loadStart = os.loadavg();
    log(
        `paths ${paths.join(",")} and the floor, runs ${opts.runs}, N ${opts.sizes.join(",")}, latencies ` +
            `${opts.latencies.join(",")} ms; ` +
            `estimated ${Math.round(estimateSeconds({ ...opts, paths }) / 60)} min on a quiet 2-core machine (load now ` +
            `${loadStart.map((l) => l.toFixed(1)).join(" ")})`,
    );
    if (os.loadavg()[0] > os.cpus().length * 0.75) {
        log("warning: the machine is busy; timings and ratios will be noisy");
    }

    const cli = await timedPulumiCommand();
    if (!cli.wrapped) {
        log("warning: could not time the CLI commands themselves; the report falls back to Automation API times");
    }
    const backend = createBackend();
    let emulator: EmulatorProcess | undefined;
    const units: UnitResult[] = [];
    let baselineExportBytes: number | undefined;
    const onSignal = () => {
        log(`interrupted; backend left in ${backend.dir}`);
        void emulator?.close().finally(() => process.exit(130));
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
        emulator = await startEmulatorProcess(repoRoot);
        log(`emulator (pid ${emulator.pid}) at ${emulator.baseUrl}; backend ${backend.backendUrl}`);
        const ctx: BenchContext = {
            repoRoot,
            backend,
            cli,
            emulator,
            projectName: "cef-bench",
            parallel: opts.parallel,
            verbose: opts.verbose,
            pluginDir: plugin.dir,
        };

        // The floor's `__provider` gets exactly the size of FreshdeskInstance's (see floor.ts).
        const providerBytes = await serializedProviderBytes(stubProvider);
        const floorBytes = await matchFloorProviderSize(providerBytes);
        log(
            `__provider: FreshdeskInstance ${providerBytes} B, floor ${floorBytes} B` +
                (floorBytes === providerBytes ? " (padded to match)" : " (the floor cannot be made smaller)"),
        );

        let startup: StartupSummary | undefined;
        try {
            startup = await measureStartup(5, {
                baseUrl: emulator.baseUrl,
                userSecret: devAccounts.organizations[0].users[0].userSecret,
                organizationSecret: devAccounts.organizations[0].organizationSecret,
                subdomain: devAccounts.freshdesk[0].subdomain,
                apiKey: devAccounts.freshdesk[0].apiKeys[0],
            });
            const ms = (v: number | undefined) => `${v?.toFixed(0)} ms`;
            log(
                `provider start-up (fresh process, medians): @pulumi/pulumi ${ms(startup.pulumiMs)}, implementation ` +
                    `${ms(startup.implementationMs)}, configure ${ms(startup.configureMs)}, first create ` +
                    `${ms(startup.firstCreateMs)}, second ${ms(startup.secondCreateMs)}`,
            );
        } catch (e) {
            log(`provider start-up measurement failed: ${e instanceof Error ? e.message : e}`);
        }

        // Warm-up (disk caches, the first start of the CLI and of each provider) and the N=0 state baseline; none
        // of it is in the results.
        const warmUp = [
            new Unit(ctx, "floor", 0, undefined, 0),
            ...paths.map((path) => new Unit(ctx, path, 1, 0, 0)),
            new Unit(ctx, "floor", 1, undefined, 0),
        ];
        await runGroup(ctx, warmUp, "warm-up", ["create", "destroy"]);
        baselineExportBytes = warmUp[0].result.state?.exportBytes;

        for (let run = 1; run <= opts.runs; run++) {
            for (const n of opts.sizes) {
                const group = unitsFor(ctx, opts, paths, n, run);
                await runGroup(ctx, group, `run ${run}/${opts.runs} N=${n}`);
                units.push(...group.map((u) => u.result));
            }
        }
        const elapsedSeconds = (performance.now() - started) / 1000;
        const summary = summarize(units, opts, baselineExportBytes);
        const info: RunInfo = {
            date: new Date().toISOString(),
            command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
            commit,
            node: process.versions.node,
            pulumi: cli.command.version?.toString(),
            cpus: os.cpus().length,
            loadStart,
            loadEnd: os.loadavg(),
            runs: opts.runs,
            sizes: opts.sizes,
            latencies: opts.latencies,
            paths,
            missingPaths,
            floorPerLatency: opts.floorPerLatency,
            parallel: opts.parallel,
            elapsedSeconds,
            estimatedSeconds: estimateSeconds({ ...opts, paths }),
            startup,
        };
        const markdown = renderMarkdown(summary, info);
        fs.mkdirSync(path.dirname(opts.out), { recursive: true });
        fs.writeFileSync(
            opts.out,
            `${JSON.stringify({ info, options: opts, summary, warmUp: warmUp.map((u) => u.result), units }, null, 2)}\n`,
        );
        const mdFile = `${opts.out.replace(/\.json$/i, "")}.md`;
        fs.writeFileSync(mdFile, markdown);
        process.stdout.write(markdown);
        if (opts.docs) {
            writeDocs(path.join(repoRoot, "docs", "benchmark.md"), markdown);
            log("wrote the report into docs/benchmark.md");
        }
        log(`wrote ${opts.out} and ${mdFile} in ${Math.round(elapsedSeconds)} s`);
        const failed = units.filter((u) => u.error);
        return failed.length > 0 ? 1 : 0;
    } finally {
        await emulator?.close();
        if (opts.keep) {
            log(`kept ${backend.dir}`);
        } else {
            backend.cleanup();
        }
    }
}

// Exit explicitly: the Automation API can leave gRPC handles open after the last operation.
main().then(
    (code) => process.exit(code),
    (e) => {
        if (e instanceof UsageError) {
            process.stderr.write(`${e.message}\n\n${usage}\n`);
            process.exit(2);
        }
        log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : e}`);
        process.exit(1);
    },
);
