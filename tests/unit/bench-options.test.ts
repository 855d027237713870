/**
 * `npm run bench`'s command line (`node:util`'s parseArgs): every option, the defaults, and the usage errors that
 * `bench/run.ts` turns into exit code 2 with the usage text and no stack trace.
 */
import { parseOptions, UsageError } from "../../bench/options";

const root = "/repo";
const epoch = new Date(0);

describe("bench options", () => {
    it("defaults: every path, 3 runs, N 1,10,50,200, latencies 0 and 100 ms, a file under bench/results", () => {
        expect(parseOptions([], root, epoch)).toEqual({
            out: "/repo/bench/results/bench-1970-01-01T00-00-00-000Z.json",
            runs: 3,
            sizes: [1, 10, 50, 200],
            latencies: [0, 100],
            paths: ["dynamic", "plugin", "peer"],
            pathsGiven: false,
            floorPerLatency: false,
            parallel: undefined,
            verbose: false,
            keep: false,
            docs: false,
        });
    });

    it("takes every option, as `--flag value` and `--flag=value`; --quick yields to explicit options", () => {
        const opts = parseOptions(
            [
                "--quick",
                "--runs=2",
                "--sizes",
                "1, 0, 5",
                "--latencies=0,250",
                "--paths",
                "peer,dynamic",
                "--parallel",
                "4",
                "--floor-per-latency",
                "--verbose",
                "--keep",
                "--docs",
                "--out",
                "/tmp/b.json",
            ],
            root,
            epoch,
        );
        expect(opts).toEqual({
            out: "/tmp/b.json",
            runs: 2,
            sizes: [1, 5],
            latencies: [0, 250],
            paths: ["dynamic", "peer"],
            pathsGiven: true,
            floorPerLatency: true,
            parallel: 4,
            verbose: true,
            keep: true,
            docs: true,
        });
        expect(parseOptions(["--quick"], root, epoch)).toMatchObject({ runs: 1, sizes: [1, 10] });
    });

    it("returns undefined for --help and -h", () => {
        expect(parseOptions(["--help"], root)).toBeUndefined();
        expect(parseOptions(["-h"], root)).toBeUndefined();
    });

    it.each([
        [["--nope"], /^Unknown option '--nope'/],
        [["--runs"], /^--runs needs a value$/],
        [["--out", "--runs", "2"], /^--out needs a value$/],
        [["--out="], /^--out needs a file$/],
        [["--runs", "0"], /^--runs must be at least 1$/],
        [["--parallel", "x"], /^--parallel takes comma-separated non-negative integers, got "x"$/],
        [["--sizes", "0"], /^--sizes needs at least one N above 0$/],
        [["--latencies", "1,-2"], /^--latencies takes comma-separated non-negative integers/],
        [
            ["--paths", "dynamic,yaml"],
            /^--paths takes a comma-separated list of dynamic, plugin, peer, got "dynamic,yaml"$/,
        ],
        [["--paths="], /^--paths takes a comma-separated list/],
        [["--quick=yes"], /^Option '--quick' does not take an argument/],
        [["stray"], /^Unexpected argument 'stray'/],
    ])("%j is a usage error: %s", (argv, message) => {
        let error: unknown;
        try {
            parseOptions(argv, root, epoch);
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(UsageError);
        expect((error as Error).message).toMatch(message);
    });
});
