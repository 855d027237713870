/**
 * Peak memory of the dynamic-provider process, read from /proc while an operation runs (Linux only).
 *
 * The engine starts the provider as `sh pulumi-resource-pulumi-nodejs <addr>`, which runs
 * `node <...>/@pulumi/pulumi/cmd/dynamic-provider/index.js <addr>`. Other engineers may run the same kind of process
 * on this machine at the same time, so only descendants of this process are considered, never a match by command line
 * across the whole machine.
 *
 * The kernel keeps the high-water mark of the resident set (`VmHWM` in /proc/<pid>/status), so sampling it gives the
 * real peak as long as one sample lands after the peak and before the process exits; sampling `VmRSS` alone would miss
 * short spikes between samples. Both are recorded.
 */
import * as fs from "node:fs";

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

function readText(file: string): string | undefined {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined; // the process exited between listing and reading
    }
}

function childrenOf(pid: number): number[] {
    const tasks = (() => {
        try {
            return fs.readdirSync(`/proc/${pid}/task`);
        } catch {
            return [];
        }
    })();
    const out: number[] = [];
    for (const tid of tasks) {
        const text = readText(`/proc/${pid}/task/${tid}/children`);
        if (text === undefined) {
            continue;
        }
        for (const part of text.split(" ")) {
            const child = Number(part);
            if (child > 0) {
                out.push(child);
            }
        }
    }
    return out;
}

let childrenFileWorks: boolean | undefined;

/** Every descendant of `root`, found through /proc/<pid>/task/<tid>/children, or a full /proc scan as a fallback. */
export function descendantsOf(root: number): number[] {
    if (childrenFileWorks === undefined) {
        childrenFileWorks = fs.existsSync(`/proc/${root}/task/${root}/children`);
    }
    if (childrenFileWorks) {
        const out: number[] = [];
        const queue = [root];
        while (queue.length > 0) {
            for (const child of childrenOf(queue.shift()!)) {
                out.push(child);
                queue.push(child);
            }
        }
        return out;
    }
    const parents = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc")) {
        const pid = Number(entry);
        if (!(pid > 0)) {
            continue;
        }
        const stat = readText(`/proc/${pid}/stat`);
        // The command name in parentheses may contain spaces: the fields after the last ")" are fixed.
        const fields = stat?.slice(stat.lastIndexOf(")") + 2).split(" ");
        if (fields) {
            parents.set(pid, Number(fields[1]));
        }
    }
    const out: number[] = [];
    const wanted = new Set([root]);
    let grew = true;
    while (grew) {
        grew = false;
        for (const [pid, parent] of parents) {
            if (wanted.has(parent) && !wanted.has(pid)) {
                wanted.add(pid);
                out.push(pid);
                grew = true;
            }
        }
    }
    return out;
}

/** Whether `pid` is a Node.js dynamic-provider process (not the shim's `node -e require.resolve(...)`). */
export function isDynamicProviderProcess(pid: number): boolean {
    const cmdline = readText(`/proc/${pid}/cmdline`);
    if (!cmdline) {
        return false;
    }
    const argv = cmdline.split("\0").filter((a) => a !== "");
    return argv.length >= 2 && /node/.test(argv[0]) && /cmd[/\\]dynamic-provider([/\\]index\.js)?$/.test(argv[1]);
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux this runs on). */
const ticksPerSecond = 100;

/**
 * CPU times of `pid` from /proc/<pid>/stat, ms: its own (user + system) and that of its children it has waited for
 * (cutime + cstime, which include their own waited-for children).
 */
export function readCpuMs(pid: number | "self"): { selfMs: number; childrenMs: number } | undefined {
    const stat = readText(`/proc/${pid}/stat`);
    if (!stat) {
        return undefined;
    }
    // Fields after the command name (which may contain spaces): state is field 3, utime field 14.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const tick = (i: number) => (Number(fields[i - 3]) * 1000) / ticksPerSecond;
    return { selfMs: tick(14) + tick(15), childrenMs: tick(16) + tick(17) };
}

function readStatusKb(pid: number): { hwm: number; rss: number } | undefined {
    const status = readText(`/proc/${pid}/status`);
    if (!status) {
        return undefined;
    }
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status);
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
    if (!hwm || !rss) {
        return undefined; // a zombie has no memory lines
    }
    return { hwm: Number(hwm[1]), rss: Number(rss[1]) };
}

/**
 * Samples the dynamic-provider processes below `root` (default: this process) every `intervalMs` until
 * {@link ProviderMemorySampler.stop}. The process tree is rescanned at every tick (a few small /proc reads: the bench
 * process has a handful of descendants), so a provider started late in the operation is still found.
 */
export class ProviderMemorySampler {
    private readonly peaks = new Map<number, ProcessPeak>();
    private timer: NodeJS.Timeout | undefined;
    private readonly startedAt = performance.now();

    constructor(
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
                if (!isDynamicProviderProcess(pid)) {
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
            const kb = readStatusKb(pid);
            const peak = this.peaks.get(pid)!;
            if (kb) {
                peak.lastSeenMs = performance.now() - this.startedAt;
                peak.hwmKb = Math.max(peak.hwmKb, kb.hwm);
                peak.rssKb = Math.max(peak.rssKb, kb.rss);
                peak.samples++;
            }
            const cpu = readCpuMs(pid);
            if (cpu) {
                peak.cpuMs = Math.max(peak.cpuMs, cpu.selfMs);
            }
        }
    }
}
