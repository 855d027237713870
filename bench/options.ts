/** Command-line options of `npm run bench`. */
import * as path from "node:path";

/** What one benchmark run covers. */
export interface BenchOptions {
    /** JSON output path; the markdown table goes next to it with a `.md` extension. */
    out: string;
    /** Runs per configuration; the report shows medians. */
    runs: number;
    /** Instance counts N. */
    sizes: number[];
    /** Emulator latencies added to every API call, in ms. */
    latencies: number[];
    /** Whether the floor is run next to every provider configuration (true) or once per run and N (false). */
    floorPerLatency: boolean;
    /** `--parallel` passed to the CLI; undefined = the CLI default (unbounded). */
    parallel?: number;
    /** Print the CLI output of every operation to stderr. */
    verbose: boolean;
    /** Keep the temporary backend folder. */
    keep: boolean;
}

/** A bad command line: reported with its message and the usage, without a stack trace. */
export class UsageError extends Error {
    override name = "UsageError";
}

/** The usage text. */
export const usage = `Usage: npm run bench -- [options]

  --out <file>           JSON results (default bench/results/bench-<time>.json); the table goes to <file>.md
  --runs <n>             runs per configuration, medians reported (default 3)
  --sizes <a,b,...>      instance counts N (default 1,10,50)
  --latencies <a,b,...>  emulator latency per API call in ms (default 0,100)
  --quick                --runs 1 --sizes 1,10 (a look in a few minutes; explicit options still win)
  --floor-per-latency    run the floor next to every latency too (default: once per run and N, since the floor
                         makes no API call; the floor runs are still interleaved with the provider runs)
  --parallel <n>         pass --parallel to every CLI operation (default: the CLI's own, unbounded)
  --verbose              stream the CLI output of every operation to stderr
  --keep                 keep the temporary backend folder
  --help                 this text`;

function parseList(flag: string, value: string | undefined): number[] {
    if (value === undefined || value === "") {
        throw new UsageError(`${flag} needs a value`);
    }
    const list = value.split(",").map((part) => Number(part.trim()));
    if (list.some((n) => !Number.isInteger(n) || n < 0)) {
        throw new UsageError(`${flag} takes comma-separated non-negative integers, got "${value}"`);
    }
    return list;
}

function parseCount(flag: string, value: string | undefined): number {
    const [n] = parseList(flag, value);
    if (!(n >= 1)) {
        throw new UsageError(`${flag} must be at least 1`);
    }
    return n;
}

/** Parses argv (without node and the script); returns undefined for `--help`. Throws on a bad option. */
export function parseOptions(argv: string[], repoRoot: string, now = new Date()): BenchOptions | undefined {
    const given: Partial<BenchOptions> = {};
    let quick = false;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        const [flag, inline] = arg.includes("=")
            ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
            : [arg];
        const value = () => inline ?? argv[++i];
        switch (flag) {
            case "--out":
                given.out = value();
                if (!given.out) {
                    throw new UsageError("--out needs a file");
                }
                break;
            case "--runs":
                given.runs = parseCount(flag, value());
                break;
            case "--sizes":
                given.sizes = parseList(flag, value()).filter((n) => n > 0);
                if (given.sizes.length === 0) {
                    throw new UsageError("--sizes needs at least one N above 0");
                }
                break;
            case "--latencies":
                given.latencies = parseList(flag, value());
                break;
            case "--parallel":
                given.parallel = parseCount(flag, value());
                break;
            case "--quick":
                quick = true;
                break;
            case "--floor-per-latency":
                given.floorPerLatency = true;
                break;
            case "--verbose":
                given.verbose = true;
                break;
            case "--keep":
                given.keep = true;
                break;
            case "--help":
            case "-h":
                return undefined;
            default:
                throw new UsageError(`unknown option ${arg}`);
        }
    }
    const stamp = now.toISOString().replace(/[:.]/g, "-");
    return {
        out: path.resolve(given.out ?? path.join(repoRoot, "bench", "results", `bench-${stamp}.json`)),
        runs: given.runs ?? (quick ? 1 : 3),
        sizes: given.sizes ?? (quick ? [1, 10] : [1, 10, 50]),
        latencies: given.latencies ?? [0, 100],
        floorPerLatency: given.floorPerLatency ?? false,
        parallel: given.parallel,
        verbose: given.verbose ?? false,
        keep: given.keep ?? false,
    };
}
