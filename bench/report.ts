/**
 * Turns the raw measurements into medians, ratios to the floor, growth with N, target verdicts and a markdown
 * report.
 */
import { writeMarkedBlock } from "../scripts/markers";
import { benchPaths, measuredPaths, type PathName } from "./paths";
import { type OpMeasurement, type OpName, operations, type UnitResult } from "./scenario";
import type { StartupSummary } from "./startup";
import { median, range } from "./stats";

/** The performance targets, which apply to `FreshdeskInstance` (the `dynamic` path). */
export const targets = {
    /** The path the targets are checked on. */
    path: "dynamic" as PathName,
    /** At 0 ms latency, time at most this ratio of the floor. */
    maxRatioAtZeroLatency: 1.15,
    /** At this latency and N, `up` within the floor plus {@link maxUpDeltaMs}. */
    parallelLatencyMs: 100,
    parallelN: 50,
    maxUpDeltaMs: 1000,
    /** Serialized `__provider` per instance below this many bytes. */
    maxProviderBytes: 2048,
} as const;

/** Verdict of one target on one figure. */
export type Verdict = "met" | "missed";

/** Medians of one path (or the floor) for one operation at one latency and N. */
export interface PathOpSummary {
    path: PathName;
    /** Median CLI wall time, ms, and every run's value. */
    ms?: number;
    runsMs: (number | undefined)[];
    /** ms / the floor's ms, and ms − the floor's ms (undefined for the floor itself). */
    ratio?: number;
    deltaMs?: number;
    /** Median CPU time of the CLI's process tree, ms, and its ratio to the floor's. */
    cpuMs?: number;
    cpuRatio?: number;
    /** Median CPU time of the provider process alone, ms. */
    processCpuMs?: number;
    /** Median Automation API wall time (the CLI command plus the API's follow-up commands), ms. */
    automationMs?: number;
    /** Median API calls per instance, every run's value, and whether every run made exactly the minimum. */
    apiCallsPerInstance?: number;
    apiCallsPerInstanceRuns: (number | undefined)[];
    callsVerdict?: Verdict;
    /** Calls by route, summed over runs, divided by runs (per operation, not per instance). */
    apiCallsByRoute?: Record<string, number>;
    /** Median peak RSS of the provider process, MB. */
    peakMb?: number;
    /** The time target that applies to this row (dynamic path only), and its verdict. */
    timeTarget?: { description: string; verdict: Verdict };
}

/** One operation at one latency and N, for every path. */
export interface OpSummary {
    latencyMs: number;
    n: number;
    op: OpName;
    label: string;
    /** The fewest API calls per instance the operation needs. */
    minCallsPerInstance: number;
    floor: PathOpSummary;
    /** The measured paths that ran, in report order. */
    paths: PathOpSummary[];
    /** Runs whose change counts were not what the operation should produce, or that failed. */
    anomalies: string[];
}

/** State after the create, for one path at one N. */
export interface PathStateSummary {
    path: PathName;
    /** (export bytes at N − export bytes at N=0) / N, median over runs. */
    stateBytesPerInstance?: number;
    /** Mean size of one instance's entry in the deployment, bytes. */
    entryBytes?: number;
    /** Size of one serialized `__provider` and how many copies each resource stores (none for the plugin). */
    providerBytes?: number;
    providerCopies?: number;
    providerSecret?: boolean;
    providerBytesVerdict?: Verdict;
}

/** One row of the state table. */
export interface StateSummary {
    n: number;
    paths: PathStateSummary[];
}

/** How one path's time grows from the second-largest N to the largest, for one operation and latency. */
export interface GrowthSummary {
    latencyMs: number;
    op: OpName;
    label: string;
    path: PathName;
    fromN: number;
    toN: number;
    fromMs?: number;
    toMs?: number;
    /** toMs / fromMs. */
    growth?: number;
    /** (toMs − fromMs) / (toN − fromN): what each added instance costs, ms. */
    msPerAddedInstance?: number;
}

/** Everything the report shows. */
export interface Summary {
    /** The measured paths that ran, in report order. */
    paths: PathName[];
    ops: OpSummary[];
    state: StateSummary[];
    growth: GrowthSummary[];
    baselineExportBytes?: number;
    targetLines: string[];
}

const maxOf = (values: (number | undefined)[]) => range(values)?.[1];
const mb = (kb: number | undefined) => (kb === undefined ? undefined : kb / 1024);

function floorUnitsFor(units: UnitResult[], latencyMs: number, n: number): UnitResult[] {
    const exact = units.filter((u) => u.path === "floor" && u.n === n && u.latencyMs === latencyMs);
    return exact.length > 0 ? exact : units.filter((u) => u.path === "floor" && u.n === n && u.latencyMs === undefined);
}

/** The medians of one path's units for one operation. */
function summarizePath(
    path: PathName,
    list: UnitResult[],
    spec: (typeof operations)[number],
    n: number,
): { row: PathOpSummary; measurements: (OpMeasurement | undefined)[] } {
    const m = list.map((u) => u.ops.find((o) => o.op === spec.name));
    const ok = (x: OpMeasurement | undefined) => (x?.error ? undefined : x);
    // The CLI command's own time; the Automation API call's if the command could not be timed.
    const runsMs = m.map((x) => (ok(x) ? (x?.cliMs ?? x?.automationMs) : undefined));
    const row: PathOpSummary = {
        path,
        ms: median(runsMs),
        runsMs,
        cpuMs: median(m.map((x) => ok(x)?.cliCpuMs)),
        processCpuMs: median(m.map((x) => ok(x)?.providerCpuMs)),
        automationMs: median(m.map((x) => ok(x)?.automationMs)),
        apiCallsPerInstanceRuns: m.map((x) => (x?.apiCalls === undefined ? undefined : x.apiCalls / n)),
        peakMb: mb(median(m.map((x) => x?.providerPeakKb))),
    };
    if (benchPaths[path].callsApi) {
        row.apiCallsPerInstance = median(row.apiCallsPerInstanceRuns);
        const measured = row.apiCallsPerInstanceRuns.filter((c): c is number => c !== undefined);
        if (measured.length > 0) {
            row.callsVerdict = measured.every((c) => c === spec.minCallsPerInstance) ? "met" : "missed";
        }
        const good = m.filter((x) => x && !x.error);
        if (good.length > 0) {
            const byRoute: Record<string, number> = {};
            for (const x of good) {
                for (const [key, count] of Object.entries(x!.apiCallsByRoute ?? {})) {
                    byRoute[key] = (byRoute[key] ?? 0) + count / good.length;
                }
            }
            row.apiCallsByRoute = byRoute;
        }
    }
    return { row, measurements: m };
}

/** Builds the summary from every unit's raw results. */
export function summarize(
    units: UnitResult[],
    opts: { sizes: number[]; latencies: number[] },
    baselineExportBytes?: number,
): Summary {
    const paths = measuredPaths.filter((p) => units.some((u) => u.path === p));
    const ops: OpSummary[] = [];
    for (const latencyMs of opts.latencies) {
        for (const n of opts.sizes) {
            const floors = floorUnitsFor(units, latencyMs, n);
            for (const spec of operations) {
                const floor = summarizePath("floor", floors, spec, n);
                const row: OpSummary = {
                    latencyMs,
                    n,
                    op: spec.name,
                    label: spec.label,
                    minCallsPerInstance: spec.minCallsPerInstance,
                    floor: floor.row,
                    paths: [],
                    anomalies: [],
                };
                const noteAnomalies = (path: PathName, list: UnitResult[], m: (OpMeasurement | undefined)[]) => {
                    m.forEach((x, i) => {
                        const run = list[i].run;
                        if (!x) {
                            row.anomalies.push(`${path} run ${run}: not run (${list[i].error ?? "skipped"})`);
                        } else if (x.error) {
                            row.anomalies.push(
                                `${path} run ${run}: failed: ${x.error.split("\n").slice(-3).join(" ")}`,
                            );
                        } else if (x.unexpectedChanges) {
                            row.anomalies.push(`${path} run ${run}: ${x.unexpectedChanges}`);
                        }
                        if (path === "floor" && x?.apiCalls) {
                            row.anomalies.push(`floor run ${run}: ${x.apiCalls} API calls (the floor must make none)`);
                        }
                    });
                };
                noteAnomalies("floor", floors, floor.measurements);
                for (const path of paths) {
                    const list = units.filter((u) => u.path === path && u.n === n && u.latencyMs === latencyMs);
                    const { row: p, measurements } = summarizePath(path, list, spec, n);
                    const floorMs = floor.row.ms;
                    if (p.ms !== undefined && floorMs) {
                        p.ratio = p.ms / floorMs;
                        p.deltaMs = p.ms - floorMs;
                    }
                    if (p.cpuMs !== undefined && floor.row.cpuMs) {
                        p.cpuRatio = p.cpuMs / floor.row.cpuMs;
                    }
                    if (path === targets.path) {
                        if (p.ratio !== undefined && latencyMs === 0) {
                            p.timeTarget = {
                                description: `≤ ${targets.maxRatioAtZeroLatency}×`,
                                verdict: p.ratio <= targets.maxRatioAtZeroLatency ? "met" : "missed",
                            };
                        }
                        if (
                            p.deltaMs !== undefined &&
                            latencyMs === targets.parallelLatencyMs &&
                            n === targets.parallelN &&
                            (spec.name === "create" || spec.name === "update")
                        ) {
                            p.timeTarget = {
                                description: `≤ floor + ${targets.maxUpDeltaMs / 1000} s`,
                                verdict: p.deltaMs <= targets.maxUpDeltaMs ? "met" : "missed",
                            };
                        }
                    }
                    row.paths.push(p);
                    noteAnomalies(path, list, measurements);
                }
                ops.push(row);
            }
        }
    }

    const state: StateSummary[] = opts.sizes.map((n) => ({
        n,
        paths: [...paths, "floor" as const].map((path) => {
            const list = units.filter((u) => u.path === path && u.n === n && u.state);
            const row: PathStateSummary = {
                path,
                stateBytesPerInstance:
                    baselineExportBytes === undefined
                        ? undefined
                        : median(list.map((u) => (u.state!.exportBytes - baselineExportBytes) / n)),
                entryBytes: median(list.map((u) => u.state!.entryBytesMean)),
                providerBytes: median(list.map((u) => u.state!.providerBytes)),
                providerCopies: list.find((u) => u.state?.providerCopies !== undefined)?.state?.providerCopies,
                providerSecret: list.some((u) => u.state!.providerSecret),
            };
            if (path === targets.path && row.providerBytes !== undefined) {
                row.providerBytesVerdict = row.providerBytes < targets.maxProviderBytes ? "met" : "missed";
            }
            return row;
        }),
    }));

    const growth: GrowthSummary[] = [];
    const sizes = [...new Set(opts.sizes)].sort((a, b) => a - b);
    if (sizes.length >= 2) {
        const [fromN, toN] = sizes.slice(-2);
        for (const latencyMs of opts.latencies) {
            for (const spec of operations) {
                const at = (n: number) => ops.find((r) => r.latencyMs === latencyMs && r.n === n && r.op === spec.name);
                const from = at(fromN);
                const to = at(toN);
                for (const path of [...paths, "floor" as const]) {
                    const pick = (r: OpSummary | undefined) =>
                        path === "floor" ? r?.floor.ms : r?.paths.find((p) => p.path === path)?.ms;
                    const fromMs = pick(from);
                    const toMs = pick(to);
                    growth.push({
                        latencyMs,
                        op: spec.name,
                        label: spec.label,
                        path,
                        fromN,
                        toN,
                        fromMs,
                        toMs,
                        growth: fromMs && toMs !== undefined ? toMs / fromMs : undefined,
                        msPerAddedInstance:
                            fromMs !== undefined && toMs !== undefined ? (toMs - fromMs) / (toN - fromN) : undefined,
                    });
                }
            }
        }
    }

    return { paths, ops, state, growth, baselineExportBytes, targetLines: targetLines(ops, state) };
}

const s = (ms: number | undefined) => (ms === undefined ? "–" : (ms / 1000).toFixed(2));
const signed = (ms: number | undefined) =>
    ms === undefined ? "–" : `${ms >= 0 ? "+" : "−"}${(Math.abs(ms) / 1000).toFixed(2)}`;
const num = (v: number | undefined, digits = 0) => (v === undefined ? "–" : v.toFixed(digits));
const times = (v: number | undefined) => (v === undefined ? "–" : `${v.toFixed(2)}×`);
const verdictText = (v: Verdict | undefined) => (v === undefined ? "–" : v === "met" ? "met" : "**MISSED**");

function targetLines(ops: OpSummary[], state: StateSummary[]): string[] {
    const lines: string[] = [];
    const rows = ops.flatMap((r) => r.paths.filter((p) => p.path === targets.path).map((p) => ({ r, p })));
    const zero = rows.filter(({ r, p }) => r.latencyMs === 0 && p.ratio !== undefined);
    if (zero.length > 0) {
        const missed = zero.filter(({ p }) => p.timeTarget?.verdict === "missed");
        const worst = zero.reduce((a, b) => (b.p.ratio! > a.p.ratio! ? b : a));
        lines.push(
            `Overhead over the floor at 0 ms latency ≤ ${Math.round((targets.maxRatioAtZeroLatency - 1) * 100)}%: ` +
                `${missed.length === 0 ? "met" : "**MISSED**"} (met in ${zero.length - missed.length} of ` +
                `${zero.length} rows; worst: ${worst.r.label}, N=${worst.r.n}, ${worst.p.ratio!.toFixed(2)}×)` +
                (missed.length > 0
                    ? `; missed: ${missed.map(({ r, p }) => `${r.label} N=${r.n} ${p.ratio!.toFixed(2)}×`).join(", ")}`
                    : ""),
        );
    } else {
        lines.push("Overhead over the floor at 0 ms latency: not measured (needs --latencies 0).");
    }
    const parallel = rows.filter(({ r, p }) => p.timeTarget && r.latencyMs === targets.parallelLatencyMs);
    if (parallel.length > 0) {
        lines.push(
            `\`up\` at ${targets.parallelLatencyMs} ms latency and N=${targets.parallelN} within the floor + ` +
                `${targets.maxUpDeltaMs / 1000} s: ` +
                parallel
                    .map(({ r, p }) => `${r.label} ${signed(p.deltaMs)} s ${verdictText(p.timeTarget!.verdict)}`)
                    .join("; "),
        );
    } else {
        lines.push(
            `\`up\` at ${targets.parallelLatencyMs} ms latency and N=${targets.parallelN}: not measured ` +
                `(needs --latencies ${targets.parallelLatencyMs} --sizes ${targets.parallelN}).`,
        );
    }
    const calls = rows.filter(({ p }) => p.callsVerdict !== undefined);
    if (calls.length > 0) {
        const missed = calls.filter(({ p }) => p.callsVerdict === "missed");
        lines.push(
            `API calls exactly the minimum: ${missed.length === 0 ? "met" : "**MISSED**"} (met in ` +
                `${calls.length - missed.length} of ${calls.length} rows)` +
                (missed.length > 0
                    ? `; over: ${missed
                          .map(
                              ({ r, p }) =>
                                  `${r.label} at ${r.latencyMs} ms, N=${r.n}: up to ${num(maxOf(p.apiCallsPerInstanceRuns), 2)}` +
                                  `/instance (min ${r.minCallsPerInstance})`,
                          )
                          .join(", ")}`
                    : ""),
        );
    }
    const sized = state.flatMap((r) =>
        r.paths.filter((p) => p.path === targets.path && p.providerBytesVerdict !== undefined),
    );
    if (sized.length > 0) {
        const largest = Math.max(...sized.map((p) => p.providerBytes!));
        lines.push(
            `\`__provider\` under ${targets.maxProviderBytes / 1024} KB per instance: ` +
                `${largest < targets.maxProviderBytes ? "met" : "**MISSED**"} (${largest} B, stored ` +
                `${sized[0].providerCopies ?? "?"}× per resource${sized.some((p) => p.providerSecret) ? ", as a secret" : ""})`,
        );
    }
    return lines;
}

/** Facts about the run printed above the tables. */
export interface RunInfo {
    date: string;
    commit?: string;
    node: string;
    pulumi?: string;
    cpus: number;
    /** The command that ran the benchmark, e.g. `npm run bench -- --runs 1`. */
    command?: string;
    /** `os.loadavg()` when the run started and when it ended. */
    loadStart: number[];
    loadEnd: number[];
    runs: number;
    sizes: number[];
    latencies: number[];
    /** The measured paths asked for, and why any of them did not run. */
    paths: PathName[];
    missingPaths?: Partial<Record<PathName, string>>;
    floorPerLatency: boolean;
    parallel?: number;
    elapsedSeconds: number;
    /** What `estimateSeconds` (run.ts) predicted for this configuration. */
    estimatedSeconds?: number;
    startup?: StartupSummary;
}

/** The markdown report (what `npm run bench` prints and writes next to the JSON). */
export function renderMarkdown(summary: Summary, info: RunInfo): string {
    const out: string[] = [];
    const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(" ");
    const paths = summary.paths;
    out.push(
        `Benchmark ${info.date}${info.commit ? ` at ${info.commit}` : ""}` +
            `${info.command ? `, \`${info.command}\`` : ""}: pulumi ${info.pulumi ?? "?"}, ` +
            `node ${info.node}, ${info.cpus} CPUs, load ${load(info.loadStart)} → ${load(info.loadEnd)}; ` +
            `${info.runs} run(s), N ∈ {${info.sizes.join(", ")}}, latency ∈ {${info.latencies.join(", ")}} ms, ` +
            `parallel ${info.parallel ?? "default"}; ${Math.round(info.elapsedSeconds)} s in all` +
            `${info.estimatedSeconds ? ` (estimated ${Math.round(info.estimatedSeconds)} s)` : ""}.`,
        "",
        "Paths:",
        "",
        ...[...paths, "floor" as const].map((p) => `- **${p}**: ${benchPaths[p].title}`),
        ...Object.entries(info.missingPaths ?? {}).map(([p, why]) => `- **${p}**: not measured: ${why}`),
        "",
        "Times are medians of the `pulumi` command's wall time (s); × is the ratio to the no-op floor of the same N. " +
            "CPU × compares the CPU time of the command's process tree (engine + provider process), which other load " +
            "on the machine disturbs far less. API calls are per instance (minimum in parentheses). RSS is the peak " +
            "of the path's provider process (the dynamic-provider runtime, or the plugin).",
        "",
        `| latency | N | operation | floor s | ${paths.map((p) => `${p} s | ${p} ×`).join(" | ")} | ${targets.path} target |`,
        `|---:|---:|---|---:|${paths.map(() => "---:|---:|").join("")}---|`,
    );
    for (const r of summary.ops) {
        const target = r.paths.find((p) => p.path === targets.path)?.timeTarget;
        out.push(
            `| ${r.latencyMs} ms | ${r.n} | ${r.label} | ${s(r.floor.ms)} | ` +
                `${paths
                    .map((path) => {
                        const p = r.paths.find((x) => x.path === path);
                        return `${s(p?.ms)} | ${times(p?.ratio)}`;
                    })
                    .join(" | ")} | ` +
                `${target ? `${target.description} ${verdictText(target.verdict)}` : "–"} |`,
        );
    }
    out.push(
        "",
        "Per path: Δ to the floor, CPU, API calls and the provider process's memory.",
        "",
        "| latency | N | operation | path | Δ s | CPU s | CPU × | API calls / instance | provider RSS MB |",
        "|---:|---:|---|---|---:|---:|---:|---|---:|",
    );
    for (const r of summary.ops) {
        for (const p of [...r.paths, r.floor]) {
            const calls =
                p.apiCallsPerInstance === undefined
                    ? "–"
                    : `${num(p.apiCallsPerInstance, 2)} (${r.minCallsPerInstance})` +
                      (p.callsVerdict === "missed"
                          ? ` **over** (max ${num(maxOf(p.apiCallsPerInstanceRuns), 2)})`
                          : "");
            out.push(
                `| ${r.latencyMs} ms | ${r.n} | ${r.label} | ${p.path} | ${signed(p.deltaMs)} | ${s(p.cpuMs)} | ` +
                    `${times(p.cpuRatio)} | ${calls} | ${num(p.peakMb)} |`,
            );
        }
    }
    out.push(
        "",
        `Stack state after the create (compact \`stack export\` JSON; N=0 baseline ${summary.baselineExportBytes ?? "not measured"} B):`,
        "",
        "| N | path | state B / instance | resource entry B | `__provider` B (copies per resource) | target < 2 KB |",
        "|---:|---|---:|---:|---:|---|",
    );
    for (const r of summary.state) {
        for (const p of r.paths) {
            const provider =
                p.providerBytes === undefined
                    ? "none"
                    : `${num(p.providerBytes)} (×${p.providerCopies ?? "?"}${p.providerSecret ? ", secret" : ""})`;
            out.push(
                `| ${r.n} | ${p.path} | ${num(p.stateBytesPerInstance)} | ${num(p.entryBytes)} | ${provider} | ` +
                    `${verdictText(p.providerBytesVerdict)} |`,
            );
        }
    }
    if (summary.growth.length > 0) {
        const { fromN, toN } = summary.growth[0];
        out.push(
            "",
            `Growth from N=${fromN} to N=${toN} (the engine rewrites the whole checkpoint after every step that ` +
                "changes a resource, so the state per instance shows here): time at both sizes, their ratio, and what " +
                "each added instance costs.",
            "",
            `| latency | operation | path | N=${fromN} s | N=${toN} s | growth | ms / added instance |`,
            "|---:|---|---|---:|---:|---:|---:|",
            ...summary.growth.map(
                (g) =>
                    `| ${g.latencyMs} ms | ${g.label} | ${g.path} | ${s(g.fromMs)} | ${s(g.toMs)} | ${times(g.growth)} | ` +
                    `${num(g.msPerAddedInstance, 1)} |`,
            ),
        );
    }
    out.push("", `Targets (on the ${targets.path} path):`, "", ...summary.targetLines.map((l) => `- ${l}`));
    const routes = summary.ops.flatMap((r) =>
        r.paths.filter((p) => p.apiCallsByRoute && Object.keys(p.apiCallsByRoute).length > 0).map((p) => ({ r, p })),
    );
    if (routes.length > 0) {
        out.push("", "API calls by route (per operation, mean over runs):", "");
        const seen = new Set<string>();
        for (const { r, p } of routes) {
            const text = Object.entries(p.apiCallsByRoute!)
                .map(([k, v]) => `${k} ×${Number.isInteger(v) ? v : v.toFixed(1)}`)
                .join(", ");
            const key = `${p.path} ${r.op} ${r.n} ${text}`;
            if (!seen.has(key)) {
                seen.add(key);
                out.push(`- ${p.path}, N=${r.n}, ${r.label}: ${text}`);
            }
        }
    }
    if (info.startup) {
        const st = info.startup;
        const setup =
            st.firstCreateMs !== undefined && st.secondCreateMs !== undefined
                ? st.firstCreateMs - st.secondCreateMs
                : undefined;
        out.push(
            "",
            `Once per provider process (fresh Node process, median of ${st.samples}, 0 ms latency): loading ` +
                `\`@pulumi/pulumi\` ${num(st.pulumiMs)} ms (the floor pays it too), then our implementation ` +
                `${num(st.implementationMs)} ms, \`configure\` ${num(st.configureMs, 1)} ms; the first create ` +
                `${num(st.firstCreateMs)} ms against ${num(st.secondCreateMs)} ms for the second, so client setup and ` +
                `the first connection cost about ${num(setup)} ms.`,
        );
    }
    const anomalies = summary.ops.flatMap((r) =>
        r.anomalies.map((a) => `${r.latencyMs} ms, N=${r.n}, ${r.label}: ${a}`),
    );
    if (anomalies.length > 0) {
        out.push(
            "",
            "Anomalies (excluded from medians when the operation failed):",
            "",
            ...anomalies.map((a) => `- ${a}`),
        );
    }
    const spread = summary.ops
        .flatMap((r) => r.paths.map((p) => ({ r, p, range: range(p.runsMs) })))
        .filter((x) => x.range && x.range[1] - x.range[0] > 0);
    if (spread.length > 0 && info.runs > 1) {
        const width = (x: (typeof spread)[number]) => (x.range![1] - x.range![0]) / x.range![0];
        const widest = spread.reduce((a, b) => (width(b) > width(a) ? b : a));
        out.push(
            "",
            `Noise: the widest spread was ${widest.p.path}, ${widest.r.label} at ${widest.r.latencyMs} ms, ` +
                `N=${widest.r.n}: ${s(widest.range![0])}–${s(widest.range![1])} s (every run's values are in the JSON).`,
        );
    }
    return `${out.join("\n")}\n`;
}

/** The name of the generated block in docs/benchmark.md (`<!-- benchmark-report:start -->` ... `:end -->`). */
export const docsBlock = "benchmark-report";

/**
 * Writes `markdown` (from {@link renderMarkdown}: its first line names the command, date, commit, CLI version and the
 * machine's load at start and end) into the marked block of `docsFile`, replacing the figures of the previous run.
 */
export function writeDocs(docsFile: string, markdown: string): void {
    writeMarkedBlock(docsFile, docsBlock, markdown);
}
