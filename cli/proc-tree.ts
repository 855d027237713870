/**
 * The Linux process table (`/proc`), read in one place: a process's parent, command line, working directory,
 * liveness, CPU time and memory, and the descendants of a process. Used by `recover` (orphaned dynamic-provider
 * processes of a killed CLI), by the benchmark (the dynamic-provider process's peak memory and CPU) and by the
 * reliability tests (the process tree of an interrupted CLI).
 *
 * Every reader returns `undefined` (or an empty list) for a process that is gone (processes exit between listing and
 * reading) and off Linux, never throws. Nothing here signals or changes a process.
 */
import * as fs from "node:fs";

/** Clock ticks per second of the times in `/proc/<pid>/stat` (USER_HZ: 100 on every Linux this runs on). */
const ticksPerSecond = 100;

/** A process id, or `"self"` for the calling process. */
export type Pid = number | "self";

/** What `/proc/<pid>/stat` says about a process. */
export interface ProcessStat {
    /** Parent process id. */
    readonly ppid: number;
    /** State letter (`R`, `S`, `Z` for a zombie, ...). */
    readonly state: string;
    /** CPU time of the process itself (user + system), ms. */
    readonly cpuMs: number;
    /**
     * CPU time of the children it has waited for (cutime + cstime, which include their own waited-for children), ms.
     * A command's whole process tree shows here once the command has exited and been reaped.
     */
    readonly childrenCpuMs: number;
}

/** Peak and current resident set of a process, kB. */
export interface ProcessMemory {
    /** `VmHWM`: the kernel's high-water mark of the resident set, so a spike between two reads still counts. */
    readonly hwmKb: number;
    /** `VmRSS`: the resident set now. */
    readonly rssKb: number;
}

/** Whether this system has a Linux `/proc`. */
export function hasProcFs(): boolean {
    return fs.existsSync("/proc/self/stat");
}

function readProcFile(pid: Pid, file: string): string | undefined {
    try {
        return fs.readFileSync(`/proc/${pid}/${file}`, "utf8");
    } catch {
        return undefined; // gone (or never there)
    }
}

/** `/proc/<pid>/stat` of a live or zombie process, or undefined when it is gone. */
export function readStat(pid: Pid): ProcessStat | undefined {
    const stat = readProcFile(pid, "stat");
    if (!stat) {
        return undefined;
    }
    // Field 2, the command name in parentheses, may contain spaces and parentheses: the fields after the last ")"
    // are fixed. fields[0] is field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ms = (field: number) => (Number(fields[field - 3]) * 1000) / ticksPerSecond;
    return {
        state: fields[0],
        ppid: Number(fields[1]),
        cpuMs: ms(14) + ms(15),
        childrenCpuMs: ms(16) + ms(17),
    };
}

/** The parent pid of a process, or undefined when it is gone. */
export function parentPid(pid: number): number | undefined {
    return readStat(pid)?.ppid;
}

/** The argv of a process, or undefined when it is gone (a zombie or a kernel thread has an empty one). */
export function commandArgs(pid: number): string[] | undefined {
    const cmdline = readProcFile(pid, "cmdline");
    return cmdline === undefined ? undefined : cmdline.split("\0").filter((arg) => arg !== "");
}

/** The command line of a process, its arguments joined by spaces, or undefined when it is gone. */
export function commandLine(pid: number): string | undefined {
    return commandArgs(pid)?.join(" ");
}

/** The working directory of a process, or undefined when it is gone or belongs to another user. */
export function workingDirectory(pid: number): string | undefined {
    try {
        return fs.readlinkSync(`/proc/${pid}/cwd`);
    } catch {
        return undefined;
    }
}

/** Whether a process exists and is not a zombie. Without `/proc`, whether it can be signalled. */
export function isAlive(pid: number): boolean {
    if (!hasProcFs()) {
        try {
            process.kill(pid, 0);
            return true;
        } catch (err) {
            return (err as NodeJS.ErrnoException).code === "EPERM"; // exists, another user's
        }
    }
    const stat = readStat(pid);
    return stat !== undefined && stat.state !== "Z";
}

/** Every process id in `/proc` (empty off Linux). */
export function listPids(): number[] {
    try {
        return fs
            .readdirSync("/proc")
            .filter((entry) => /^\d+$/.test(entry))
            .map(Number);
    } catch {
        return [];
    }
}

/** The direct children of a process, from `/proc/<pid>/task/<tid>/children` (every thread's). */
function childrenFromTaskFiles(pid: number): number[] {
    let tasks: string[];
    try {
        tasks = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
        return [];
    }
    const out: number[] = [];
    for (const tid of tasks) {
        for (const part of (readProcFile(pid, `task/${tid}/children`) ?? "").split(" ")) {
            const child = Number(part);
            if (child > 0) {
                out.push(child);
            }
        }
    }
    return out;
}

let taskChildrenFiles: boolean | undefined;

/**
 * Every live descendant of `root` (children, grandchildren, ...), breadth first. Reads the kernel's per-thread
 * `children` lists (a few small reads, cheap enough to repeat every 50 ms), or parses every process's parent from a
 * full `/proc` scan on kernels built without them. Never matches processes by command line, so other people's
 * processes of the same kind on the machine are never included.
 */
export function descendantsOf(root: number): number[] {
    taskChildrenFiles ??= fs.existsSync(`/proc/self/task/${process.pid}/children`);
    let childrenOf: (pid: number) => number[] = childrenFromTaskFiles;
    if (!taskChildrenFiles) {
        const byParent = new Map<number, number[]>();
        for (const pid of listPids()) {
            const ppid = parentPid(pid);
            if (ppid !== undefined) {
                byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
            }
        }
        childrenOf = (pid) => byParent.get(pid) ?? [];
    }
    const out: number[] = [];
    const seen = new Set([root]);
    const queue = [root];
    while (queue.length > 0) {
        for (const child of childrenOf(queue.shift() as number)) {
            if (!seen.has(child)) {
                seen.add(child);
                out.push(child);
                queue.push(child);
            }
        }
    }
    return out;
}

/** The peak and current resident set of a process, or undefined when it is gone or a zombie (no memory lines). */
export function readMemory(pid: Pid): ProcessMemory | undefined {
    const status = readProcFile(pid, "status");
    const hwm = status && /^VmHWM:\s+(\d+) kB/m.exec(status);
    const rss = status && /^VmRSS:\s+(\d+) kB/m.exec(status);
    return hwm && rss ? { hwmKb: Number(hwm[1]), rssKb: Number(rss[1]) } : undefined;
}
