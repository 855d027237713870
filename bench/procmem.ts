/**
 * Peak memory and CPU of the provider process, read from /proc while an operation runs (Linux only).
 *
 * For dynamic resources the engine starts `sh pulumi-resource-pulumi-nodejs <addr>`, which runs
 * `node <...>/@pulumi/pulumi/cmd/dynamic-provider/index.js <addr>`; for the plugin, its launcher execs
 * `node <plugin>/bin/provider/hosts/plugin/main.js <addr>` (see paths.ts for the matchers). Other engineers may run the
 * same kind of process on this machine at the same time, so only descendants of this process are considered, never
 * a match by command line across the whole machine.
 *
 * The kernel keeps the high-water mark of the resident set (`VmHWM` in /proc/<pid>/status), so sampling it gives the
 * real peak as long as one sample lands after the peak and before the process exits; sampling `VmRSS` alone would miss
 * short spikes between samples. Both are recorded.
 */
import { commandArgs, descendantsOf, readMemory, readStat } from "../cli/proc-tree";

/** What the sampler saw of one provider process. */
export interface ProcessPeak {
    pid: number;
    /** Highest `VmHWM` read (kB): the kernel's own peak of the resident set. */
    hwmKb: number;
    /** Highest `VmRSS` read (kB). */
    rssKb: number;
    /** How many samples were taken of this process. */
    samples: number;
    /** CPU time (user + system) at the last sample, ms: a lower bound, short by at most one sample interval. */
    cpuMs: number;
    /** When it was first and last seen alive, ms after the sampler started. */
    firstSeenMs: number;
    lastSeenMs: number;
}

/** The peaks seen during one operation. */
export interface MemorySample {
    /** Provider processes seen (normally one per CLI command). */
    processes: ProcessPeak[];
    /** Highest peak over all provider processes (kB), or undefined when none was seen. */
    peakKb?: number;
}

/**
 * Samples the provider processes (those whose argv `isProvider` accepts) below `root` (default: this process) every
 * `intervalMs` until
 * {@link ProviderMemorySampler.stop}. The process tree is rescanned at every tick (a few small /proc reads: the bench
 * process has a handful of descendants), so a provider started late in the operation is still found.
 */
export class ProviderMemorySampler {
    private readonly peaks = new Map<number, ProcessPeak>();
    private timer: NodeJS.Timeout | undefined;
    private readonly startedAt = performance.now();

    constructor(
        private readonly isProvider: (argv: readonly string[]) => boolean,
        private readonly root: number = process.pid,
        private readonly intervalMs = 50,
    ) {}

    /** Starts sampling. */
    start(): void {
        this.tick();
        this.timer = setInterval(() => this.tick(), this.intervalMs);
        this.timer.unref();
    }

    /** Stops sampling and returns what was seen. */
    stop(): MemorySample {
        if (this.timer) {
            clearInterval(this.timer);
            this.timer = undefined;
        }
        this.tick();
        const processes = [...this.peaks.values()];
        const peakKb = processes.length > 0 ? Math.max(...processes.map((p) => p.hwmKb)) : undefined;
        return { processes, peakKb };
    }

    private tick(): void {
        if (process.platform !== "linux") {
            return;
        }
        for (const pid of descendantsOf(this.root)) {
            if (!this.peaks.has(pid)) {
                // No negative cache: a child forked but not yet exec'd still shows its parent's command line.
                if (!this.isProvider(commandArgs(pid) ?? [])) {
                    continue;
                }
                const now = performance.now() - this.startedAt;
                this.peaks.set(pid, {
                    pid,
                    hwmKb: 0,
                    rssKb: 0,
                    cpuMs: 0,
                    samples: 0,
                    firstSeenMs: now,
                    lastSeenMs: now,
                });
            }
            const memory = readMemory(pid);
            const peak = this.peaks.get(pid)!;
            if (memory) {
                peak.lastSeenMs = performance.now() - this.startedAt;
                peak.hwmKb = Math.max(peak.hwmKb, memory.hwmKb);
                peak.rssKb = Math.max(peak.rssKb, memory.rssKb);
                peak.samples++;
            }
            const stat = readStat(pid);
            if (stat) {
                peak.cpuMs = Math.max(peak.cpuMs, stat.cpuMs);
            }
        }
    }
}
