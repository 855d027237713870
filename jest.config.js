/**
 * Two projects: fast unit and emulator tests, and the suites that drive the real Pulumi CLI.
 * Coverage: see collectCoverageFrom below.
 */
/** @type {import('jest').Config} */
const common = {
    // The staged plugin folder carries a copy of package.json (same module name as the root one).
    modulePathIgnorePatterns: ["<rootDir>/.plugin/"],
    testEnvironment: "node",
    // tsconfig.json sets isolatedModules, so ts-jest only transpiles each file: `npm test` type-checks the whole
    // project once with `tsc --noEmit` before jest, instead of once per test file.
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }] },
};

module.exports = {
    // An engine file alone keeps about one core busy (its CLI, language host, program and provider processes: CPU
    // time over wall time 0.7 to 1.2, one file at a time on two cores), the unit files far less (they wait on
    // timers): four at once keep both cores busy while some wait on faults, timers and held answers.
    maxWorkers: 4,
    // `npm test` (scripts/test.sh) runs the whole suite with --coverage: the provider's modules must stay covered.
    // stub.ts is never instrumented: it is what the SDK serializes into every resource's `__provider`, and coverage
    // counters in it would be captured into stack state.
    // implementation.ts (the path stored stubs require) and the plugin's main.ts only ever run inside the engine's
    // subprocesses, which coverage does not reach; so does cli/recover.ts, kept in the report to show it.
    collectCoverageFrom: [
        "provider/**/*.ts",
        "!provider/hosts/dynamic/stub.ts",
        "!provider/implementation.ts",
        // Only re-exports: their getters count as uncovered functions whenever a test does not use every export.
        "!provider/index.ts",
        "!provider/hosts/plugin/main.ts",
        "cli/**/*.ts",
        "emulator/**/*.ts",
    ],
    // json-summary (coverage/coverage-summary.json) has every file's figures, to set the floors below from a run.
    coverageReporters: ["text-summary", "json-summary"],
    coverageThreshold: {
        "./provider/": { statements: 85, branches: 75, functions: 80, lines: 85 },
        // Per-file floors, each under the least-covered file of its folder in a whole run (`npm test`): a file
        // that loses its tests fails the run even when the folder's total still passes.
        "./provider/**/*.ts": { statements: 65, branches: 60, functions: 50, lines: 65 },
        "./emulator/**/*.ts": { statements: 55, branches: 65, functions: 40, lines: 55 },
        "./cli/proc-tree.ts": { statements: 75, branches: 65, functions: 80, lines: 75 },
    },
    projects: [
        {
            ...common,
            displayName: "unit",
            testMatch: ["<rootDir>/tests/unit/**/*.test.ts", "<rootDir>/tests/emulator/**/*.test.ts"],
        },
        {
            ...common,
            displayName: "engine",
            testMatch: ["<rootDir>/tests/engine/**/*.test.ts"],
        },
    ],
};
