/**
 * Turns the raw measurements into medians, ratios to the floor, target verdicts and a markdown report.
 */
import { type OpMeasurement, type OpName, operations, type UnitResult } from "./scenario";
import type { StartupSummary } from "./startup";
import { median, range } from "./stats";

/** The targets of issue 7. */
export const targets = {
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

/** One row of the time table: an operation at one latency and N. */
export interface OpSummary {
    latencyMs: number;
    n: number;
    op: OpName;
    label: string;
    /** Median CLI wall time of the provider runs, ms, and every run's value. */
    providerMs?: number;
    providerRunsMs: (number | undefined)[];
    /** Median CLI wall time of the floor runs, ms, and every run's value. */
    floorMs?: number;
    floorRunsMs: (number | undefined)[];
    /** providerMs / floorMs. */
    ratio?: number;
    /** providerMs - floorMs, ms. */
    deltaMs?: number;
    /** Median CPU time of the CLI's process tree, ms, and the provider's over the floor's. */
    providerCpuMs?: number;
    floorCpuMs?: number;
    cpuRatio?: number;
    /** Median CPU time of the dynamic-provider process alone, ms. */
    providerProcessCpuMs?: number;
    floorProcessCpuMs?: number;
    /** Median Automation API wall times (the CLI command plus the API's follow-up commands), ms. */
    providerAutomationMs?: number;
    floorAutomationMs?: number;
    /** The time target that applies to this row, if any, and its verdict. */
    timeTarget?: { description: string; verdict: Verdict };
    /** Median API calls per instance, the minimum, and whether every run made exactly the minimum. */
    apiCallsPerInstance?: number;
    apiCallsPerInstanceRuns: (number | undefined)[];
    minCallsPerInstance: number;
    callsVerdict?: Verdict;
    /** Calls by route, summed over runs, divided by runs (per operation, not per instance). */
    apiCallsByRoute?: Record<string, number>;
    /** Median peak RSS of the dynamic-provider process, MB. */
    providerPeakMb?: number;
    floorPeakMb?: number;
    /** Runs whose change counts were not what the operation should produce, or that failed. */
    anomalies: string[];
}

/** One row of the state table. */
export interface StateSummary {
    n: number;
    /** (export bytes at N - export bytes at N=0) / N, medians over runs. */
    providerStateBytesPerInstance?: number;
    floorStateBytesPerInstance?: number;
    /** Mean size of one resource entry in the deployment, bytes. */
    providerEntryBytes?: number;
    floorEntryBytes?: number;
    /** Size of one serialized `__provider` and how many copies each resource stores. */
    providerProviderBytes?: number;
    floorProviderBytes?: number;
    providerCopies?: number;
    providerSecret?: boolean;
    providerBytesVerdict?: Verdict;
}

/** Everything the report shows. */
export interface Summary {
    ops: OpSummary[];
    state: StateSummary[];
    baselineExportBytes?: number;
    targetLines: string[];
}

const maxOf = (values: (number | undefined)[]) => range(values)?.[1];
const mb = (kb: number | undefined) => (kb === undefined ? undefined : kb / 1024);

function floorUnitsFor(units: UnitResult[], latencyMs: number, n: number): UnitResult[] {
    const exact = units.filter((u) => u.kind === "floor" && u.n === n && u.latencyMs === latencyMs);
    return exact.length > 0 ? exact : units.filter((u) => u.kind === "floor" && u.n === n && u.latencyMs === undefined);
}

/** Builds the summary from every unit's raw results. */
export function summarize(
    units: UnitResult[],
    opts: { sizes: number[]; latencies: number[] },
    baselineExportBytes?: number,
): Summary {
    const ops: OpSummary[] = [];
    for (const latencyMs of opts.latencies) {
        for (const n of opts.sizes) {
            const providers = units.filter((u) => u.kind === "provider" && u.n === n && u.latencyMs === latencyMs);
            const floors = floorUnitsFor(units, latencyMs, n);
            for (const spec of operations) {
                const pick = (list: UnitResult[]) => list.map((u) => u.ops.find((o) => o.op === spec.name));
                const p = pick(providers);
                const f = pick(floors);
                // The CLI command's own time; the Automation API call's if the command could not be timed.
                const wall = (m: OpMeasurement | undefined) => (m?.error ? undefined : (m?.cliMs ?? m?.automationMs));
                const providerRunsMs = p.map(wall);
                const floorRunsMs = f.map(wall);
                const providerMs = median(providerRunsMs);
                const floorMs = median(floorRunsMs);
                const providerCpuMs = median(p.map((m) => (m?.error ? undefined : m?.cliCpuMs)));
                const floorCpuMs = median(f.map((m) => (m?.error ? undefined : m?.cliCpuMs)));
                const row: OpSummary = {
                    latencyMs,
                    n,
                    op: spec.name,
                    label: spec.label,
                    providerMs,
                    providerRunsMs,
                    floorMs,
                    floorRunsMs,
                    ratio: providerMs !== undefined && floorMs ? providerMs / floorMs : undefined,
                    deltaMs: providerMs !== undefined && floorMs !== undefined ? providerMs - floorMs : undefined,
                    providerCpuMs,
                    floorCpuMs,
                    cpuRatio: providerCpuMs !== undefined && floorCpuMs ? providerCpuMs / floorCpuMs : undefined,
                    providerProcessCpuMs: median(p.map((m) => (m?.error ? undefined : m?.providerCpuMs))),
                    floorProcessCpuMs: median(f.map((m) => (m?.error ? undefined : m?.providerCpuMs))),
                    providerAutomationMs: median(p.map((m) => (m?.error ? undefined : m?.automationMs))),
                    floorAutomationMs: median(f.map((m) => (m?.error ? undefined : m?.automationMs))),
                    apiCallsPerInstanceRuns: p.map((m) => (m?.apiCalls === undefined ? undefined : m.apiCalls / n)),
                    minCallsPerInstance: spec.minCallsPerInstance,
                    providerPeakMb: mb(median(p.map((m) => m?.providerPeakKb))),
                    floorPeakMb: mb(median(f.map((m) => m?.providerPeakKb))),
                    anomalies: [],
                };
                row.apiCallsPerInstance = median(row.apiCallsPerInstanceRuns);
                const measuredCalls = row.apiCallsPerInstanceRuns.filter((c): c is number => c !== undefined);
                if (measuredCalls.length > 0) {
                    row.callsVerdict = measuredCalls.every((c) => c === spec.minCallsPerInstance) ? "met" : "missed";
                }
                const measuredProvider = p.filter((m) => m && !m.error);
                if (measuredProvider.length > 0) {
                    const byRoute: Record<string, number> = {};
                    for (const m of measuredProvider) {
                        for (const [key, count] of Object.entries(m!.apiCallsByRoute ?? {})) {
                            byRoute[key] = (byRoute[key] ?? 0) + count / measuredProvider.length;
                        }
                    }
                    row.apiCallsByRoute = byRoute;
                }
                for (const [who, list, unitList] of [
                    ["provider", p, providers],
                    ["floor", f, floors],
                ] as const) {
                    list.forEach((m, i) => {
                        const run = unitList[i].run;
                        if (!m) {
                            row.anomalies.push(`${who} run ${run}: not run (${unitList[i].error ?? "skipped"})`);
                        } else if (m.error) {
                            row.anomalies.push(`${who} run ${run}: failed: ${m.error.split("\n").slice(-3).join(" ")}`);
                        } else if (m.unexpectedChanges) {
                            row.anomalies.push(`${who} run ${run}: ${m.unexpectedChanges}`);
                        }
                        if (who === "floor" && m?.apiCalls) {
                            row.anomalies.push(`floor run ${run}: ${m.apiCalls} API calls (the floor must make none)`);
                        }
                    });
                }
                if (row.ratio !== undefined && latencyMs === 0) {
                    row.timeTarget = {
                        description: `≤ ${targets.maxRatioAtZeroLatency}×`,
                        verdict: row.ratio <= targets.maxRatioAtZeroLatency ? "met" : "missed",
                    };
                }
                if (
                    row.deltaMs !== undefined &&
                    latencyMs === targets.parallelLatencyMs &&
                    n === targets.parallelN &&
                    (spec.name === "create" || spec.name === "update")
                ) {
                    row.timeTarget = {
                        description: `≤ floor + ${targets.maxUpDeltaMs / 1000} s`,
                        verdict: row.deltaMs <= targets.maxUpDeltaMs ? "met" : "missed",
                    };
                }
                ops.push(row);
            }
        }
    }

    const state: StateSummary[] = [];
    for (const n of opts.sizes) {
        const of = (kind: "provider" | "floor") => units.filter((u) => u.kind === kind && u.n === n && u.state);
        const perInstance = (list: UnitResult[]) =>
            baselineExportBytes === undefined
                ? undefined
                : median(list.map((u) => (u.state!.exportBytes - baselineExportBytes) / n));
        const providers = of("provider");
        const floors = of("floor");
        const row: StateSummary = {
            n,
            providerStateBytesPerInstance: perInstance(providers),
            floorStateBytesPerInstance: perInstance(floors),
            providerEntryBytes: median(providers.map((u) => u.state!.entryBytesMean)),
            floorEntryBytes: median(floors.map((u) => u.state!.entryBytesMean)),
            providerProviderBytes: median(providers.map((u) => u.state!.providerBytes)),
            floorProviderBytes: median(floors.map((u) => u.state!.providerBytes)),
            providerCopies: providers[0]?.state?.providerCopies,
            providerSecret: providers.some((u) => u.state!.providerSecret),
        };
        if (row.providerProviderBytes !== undefined) {
            row.providerBytesVerdict = row.providerProviderBytes < targets.maxProviderBytes ? "met" : "missed";
        }
        state.push(row);
    }

    return { ops, state, baselineExportBytes, targetLines: targetLines(ops, state) };
}

const s = (ms: number | undefined) => (ms === undefined ? "–" : (ms / 1000).toFixed(2));
const signed = (ms: number | undefined) =>
    ms === undefined ? "–" : `${ms >= 0 ? "+" : "−"}${(Math.abs(ms) / 1000).toFixed(2)}`;
const num = (v: number | undefined, digits = 0) => (v === undefined ? "–" : v.toFixed(digits));
const verdictText = (v: Verdict | undefined) => (v === undefined ? "–" : v === "met" ? "met" : "**MISSED**");

function targetLines(ops: OpSummary[], state: StateSummary[]): string[] {
    const lines: string[] = [];
    const zero = ops.filter((r) => r.latencyMs === 0 && r.ratio !== undefined);
    if (zero.length > 0) {
        const missed = zero.filter((r) => r.timeTarget?.verdict === "missed");
        const worst = zero.reduce((a, b) => (b.ratio! > a.ratio! ? b : a));
        lines.push(
            `Overhead over the floor at 0 ms latency ≤ ${Math.round((targets.maxRatioAtZeroLatency - 1) * 100)}%: ` +
                `${missed.length === 0 ? "met" : "**MISSED**"} (met in ${zero.length - missed.length} of ` +
                `${zero.length} rows; worst: ${worst.label}, N=${worst.n}, ${worst.ratio!.toFixed(2)}×)` +
                (missed.length > 0
                    ? `; missed: ${missed.map((r) => `${r.label} N=${r.n} ${r.ratio!.toFixed(2)}×`).join(", ")}`
                    : ""),
        );
    } else {
        lines.push("Overhead over the floor at 0 ms latency: not measured (needs --latencies 0).");
    }
    const parallel = ops.filter((r) => r.timeTarget && r.latencyMs === targets.parallelLatencyMs);
    if (parallel.length > 0) {
        lines.push(
            `\`up\` at ${targets.parallelLatencyMs} ms latency and N=${targets.parallelN} within the floor + ` +
                `${targets.maxUpDeltaMs / 1000} s: ` +
                parallel
                    .map((r) => `${r.label} ${signed(r.deltaMs)} s ${verdictText(r.timeTarget!.verdict)}`)
                    .join("; "),
        );
    } else {
        lines.push(
            `\`up\` at ${targets.parallelLatencyMs} ms latency and N=${targets.parallelN}: not measured ` +
                `(needs --latencies ${targets.parallelLatencyMs} --sizes ${targets.parallelN}).`,
        );
    }
    const calls = ops.filter((r) => r.callsVerdict !== undefined);
    if (calls.length > 0) {
        const missed = calls.filter((r) => r.callsVerdict === "missed");
        lines.push(
            `API calls exactly the minimum: ${missed.length === 0 ? "met" : "**MISSED**"} (met in ` +
                `${calls.length - missed.length} of ${calls.length} rows)` +
                (missed.length > 0
                    ? `; over: ${missed
                          .map(
                              (r) =>
                                  `${r.label} at ${r.latencyMs} ms, N=${r.n}: up to ${num(maxOf(r.apiCallsPerInstanceRuns), 2)}` +
                                  `/instance (min ${r.minCallsPerInstance})`,
                          )
                          .join(", ")}`
                    : ""),
        );
    }
    const sized = state.filter((r) => r.providerBytesVerdict !== undefined);
    if (sized.length > 0) {
        const largest = Math.max(...sized.map((r) => r.providerProviderBytes!));
        lines.push(
            `\`__provider\` under ${targets.maxProviderBytes / 1024} KB per instance: ` +
                `${largest < targets.maxProviderBytes ? "met" : "**MISSED**"} (${largest} B, stored ` +
                `${sized[0].providerCopies ?? "?"}× per resource${sized.some((r) => r.providerSecret) ? ", as a secret" : ""})`,
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
    loadStart: number[];
    loadEnd: number[];
    runs: number;
    sizes: number[];
    latencies: number[];
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
    out.push(
        `Benchmark ${info.date}${info.commit ? ` at ${info.commit}` : ""}: pulumi ${info.pulumi ?? "?"}, ` +
            `node ${info.node}, ${info.cpus} CPUs, load ${load(info.loadStart)} → ${load(info.loadEnd)}; ` +
            `${info.runs} run(s), N ∈ {${info.sizes.join(", ")}}, latency ∈ {${info.latencies.join(", ")}} ms, ` +
            `parallel ${info.parallel ?? "default"}; ${Math.round(info.elapsedSeconds)} s in all` +
            `${info.estimatedSeconds ? ` (estimated ${Math.round(info.estimatedSeconds)} s)` : ""}.`,
        "",
        "Times are medians of the `pulumi` command's wall time (s); ratio and Δ compare the provider with the no-op floor " +
            "of the same N. CPU ratio compares the CPU time of the command's process tree (engine + dynamic provider), " +
            "which other load on the machine disturbs far less. API calls are per instance (minimum in parentheses). " +
            "RSS is the dynamic-provider process's peak.",
        "",
        "| latency | N | operation | provider s | floor s | ratio | Δ s | time target | CPU ratio | API calls / instance | provider RSS MB | floor RSS MB |",
        "|---:|---:|---|---:|---:|---:|---:|---|---:|---|---:|---:|",
    );
    for (const r of summary.ops) {
        const calls =
            r.apiCallsPerInstance === undefined
                ? "–"
                : `${num(r.apiCallsPerInstance, 2)} (${r.minCallsPerInstance})` +
                  (r.callsVerdict === "missed" ? ` **over** (max ${num(maxOf(r.apiCallsPerInstanceRuns), 2)})` : "");
        const time = r.timeTarget ? `${r.timeTarget.description} ${verdictText(r.timeTarget.verdict)}` : "–";
        out.push(
            `| ${r.latencyMs} ms | ${r.n} | ${r.label} | ${s(r.providerMs)} | ${s(r.floorMs)} | ` +
                `${r.ratio === undefined ? "–" : `${r.ratio.toFixed(2)}×`} | ${signed(r.deltaMs)} | ${time} | ` +
                `${r.cpuRatio === undefined ? "–" : `${r.cpuRatio.toFixed(2)}×`} | ${calls} | ` +
                `${num(r.providerPeakMb)} | ${num(r.floorPeakMb)} |`,
        );
    }
    out.push(
        "",
        `Stack state after the create (compact \`stack export\` JSON; N=0 baseline ${summary.baselineExportBytes ?? "not measured"} B):`,
        "",
        "| N | provider state B / instance | floor state B / instance | provider resource entry B | `__provider` B (copies per resource) | floor `__provider` B | target < 2 KB |",
        "|---:|---:|---:|---:|---:|---:|---|",
    );
    for (const r of summary.state) {
        out.push(
            `| ${r.n} | ${num(r.providerStateBytesPerInstance)} | ${num(r.floorStateBytesPerInstance)} | ` +
                `${num(r.providerEntryBytes)} | ${num(r.providerProviderBytes)} (×${r.providerCopies ?? "?"}${r.providerSecret ? ", secret" : ""}) | ` +
                `${num(r.floorProviderBytes)} | ${verdictText(r.providerBytesVerdict)} |`,
        );
    }
    out.push("", "Targets:", "", ...summary.targetLines.map((l) => `- ${l}`));
    const routes = summary.ops.filter((r) => r.apiCallsByRoute && Object.keys(r.apiCallsByRoute).length > 0);
    if (routes.length > 0) {
        out.push("", "API calls by route (per operation, mean over runs):", "");
        const seen = new Set<string>();
        for (const r of routes) {
            const text = Object.entries(r.apiCallsByRoute!)
                .map(([k, v]) => `${k} ×${Number.isInteger(v) ? v : v.toFixed(1)}`)
                .join(", ");
            const key = `${r.op} ${r.n} ${text}`;
            if (!seen.has(key)) {
                seen.add(key);
                out.push(`- N=${r.n}, ${r.label}: ${text}`);
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
        .map((r) => ({ r, p: range(r.providerRunsMs), f: range(r.floorRunsMs) }))
        .filter(({ p, f }) => p && f && (p[1] - p[0] > 0 || f[1] - f[0] > 0));
    if (spread.length > 0 && info.runs > 1) {
        const widest = spread.reduce((a, b) => ((b.p![1] - b.p![0]) / b.p![0] > (a.p![1] - a.p![0]) / a.p![0] ? b : a));
        out.push(
            "",
            `Noise: the widest provider spread was ${widest.r.label} at ${widest.r.latencyMs} ms, N=${widest.r.n}: ` +
                `${s(widest.p![0])}–${s(widest.p![1])} s (every run's values are in the JSON).`,
        );
    }
    return `${out.join("\n")}\n`;
}
