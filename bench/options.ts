/** Command-line options of `npm run bench`. */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { measuredPaths, type PathName } from "./paths";

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
    /** The paths measured next to the floor, in report order. */
    paths: PathName[];
    /** Whether `paths` was given (a missing plugin is then an error rather than a note in the report). */
    pathsGiven: boolean;
    /** Whether the floor is run next to every provider configuration (true) or once per run and N (false). */
    floorPerLatency: boolean;
    /** `--parallel` passed to the CLI; undefined = the CLI default (unbounded). */
    parallel?: number;
    /** Print the CLI output of every operation to stderr. */
    verbose: boolean;
    /** Keep the temporary backend folder. */
    keep: boolean;
    /** Also write the report into docs/benchmark.md (between its markers). */
    docs: boolean;
}

/** A bad command line: reported with its message and the usage, without a stack trace. */
export class UsageError extends Error {
    override name = "UsageError";
}

/** The usage text. */
export const usage = `Usage: npm run bench -- [options]

  --out <file>           JSON results (default bench/results/bench-<time>.json); the table goes to <file>.md
  --runs <n>             runs per configuration, medians reported (default 3)
  --sizes <a,b,...>      instance counts N (default 1,10,50,200; the growth table compares the two largest)
  --latencies <a,b,...>  emulator latency per API call in ms (default 0,100)
  --paths <a,b,...>      what to measure next to the floor: dynamic, plugin, peer (default all three)
  --quick                --runs 1 --sizes 1,10 (a look in a few minutes; explicit options still win)
  --floor-per-latency    run the floor next to every latency too (default: once per run and N, since the floor
                         makes no API call; the floor runs are still interleaved with the provider runs)
  --parallel <n>         pass --parallel to every CLI operation (default: the CLI's own, unbounded)
  --verbose              stream the CLI output of every operation to stderr
  --keep                 keep the temporary backend folder
  --docs                 also write the report into docs/benchmark.md (its generated block), replacing the last one
  --help                 this text`;

function parseList(flag: string, value: string): number[] {
    const list = value.split(",").map((part) => Number(part.trim()));
    if (value === "" || list.some((n) => !Number.isInteger(n) || n < 0)) {
        throw new UsageError(`${flag} takes comma-separated non-negative integers, got "${value}"`);
    }
    return list;
}

function parseCount(flag: string, value: string): number {
    const [n] = parseList(flag, value);
    if (!(n >= 1)) {
        throw new UsageError(`${flag} must be at least 1`);
    }
    return n;
}

function parsePaths(value: string): PathName[] {
    const names = value.split(",").map((part) => part.trim());
    const unknown = names.filter((name) => !(measuredPaths as readonly string[]).includes(name));
    if (value === "" || unknown.length > 0) {
        throw new UsageError(`--paths takes a comma-separated list of ${measuredPaths.join(", ")}, got "${value}"`);
    }
    // Report order, whatever the order given.
    return measuredPaths.filter((path) => names.includes(path));
}

/** The options `parseArgs` knows; every value is checked and converted below. */
const optionSpecs = {
    out: { type: "string" },
    runs: { type: "string" },
    sizes: { type: "string" },
    latencies: { type: "string" },
    paths: { type: "string" },
    parallel: { type: "string" },
    quick: { type: "boolean" },
    "floor-per-latency": { type: "boolean" },
    verbose: { type: "boolean" },
    keep: { type: "boolean" },
    docs: { type: "boolean" },
    help: { type: "boolean", short: "h" },
} as const;

/** `node:util`'s parse errors as usage errors: a missing value said plainly, else the first line of its message. */
function usageErrorOf(e: unknown): UsageError {
    // Under some hosts (jest's vm) the message starts with the error's name and code: drop them.
    const message = (e instanceof Error ? e.message : String(e)).replace(/^\w*Error \[\w+\]: /, "");
    // "argument missing" (at the end) and "argument is ambiguous" (followed by another option) both mean no value.
    const missing = /^Option '(--[\w-]+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(message);
    return new UsageError(missing ? `${missing[1]} needs a value` : message.split("\n")[0]);
}

/** Parses argv (without node and the script); returns undefined for `--help`. Throws {@link UsageError}. */
export function parseOptions(argv: string[], repoRoot: string, now = new Date()): BenchOptions | undefined {
    let values: ReturnType<typeof parseArgs<{ options: typeof optionSpecs }>>["values"];
    try {
        ({ values } = parseArgs({ args: argv, options: optionSpecs, strict: true, allowPositionals: false }));
    } catch (e) {
        throw usageErrorOf(e);
    }
    if (values.help) {
        return undefined;
    }
    if (values.out === "") {
        throw new UsageError("--out needs a file");
    }
    const sizes = values.sizes === undefined ? undefined : parseList("--sizes", values.sizes).filter((n) => n > 0);
    if (sizes?.length === 0) {
        throw new UsageError("--sizes needs at least one N above 0");
    }
    const paths = values.paths === undefined ? [...measuredPaths] : parsePaths(values.paths);
    const quick = values.quick ?? false;
    const stamp = now.toISOString().replace(/[:.]/g, "-");
    return {
        out: path.resolve(values.out ?? path.join(repoRoot, "bench", "results", `bench-${stamp}.json`)),
        runs: values.runs === undefined ? (quick ? 1 : 3) : parseCount("--runs", values.runs),
        sizes: sizes ?? (quick ? [1, 10] : [1, 10, 50, 200]),
        latencies: values.latencies === undefined ? [0, 100] : parseList("--latencies", values.latencies),
        paths,
        pathsGiven: values.paths !== undefined,
        floorPerLatency: values["floor-per-latency"] ?? false,
        parallel: values.parallel === undefined ? undefined : parseCount("--parallel", values.parallel),
        verbose: values.verbose ?? false,
        keep: values.keep ?? false,
        docs: values.docs ?? false,
    };
}
