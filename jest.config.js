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
    // The engine suites mostly wait on `pulumi` subprocesses, so more files run at once than there are cores.
    maxWorkers: 4,
    // `npm test` (scripts/test.sh) runs the whole suite with --coverage: the provider's modules must stay covered.
    // stub.ts is never instrumented: it is what the SDK serializes into every resource's `__provider`, and coverage
    // counters in it would be captured into stack state.
    collectCoverageFrom: ["provider/**/*.ts", "!provider/hosts/dynamic/stub.ts", "cli/**/*.ts", "emulator/**/*.ts"],
    // json-summary (coverage/coverage-summary.json) has every file's figures, to set the floors below from a run.
    coverageReporters: ["text-summary", "json-summary"],
    coverageThreshold: {
        "./provider/": { statements: 85, branches: 75, functions: 80, lines: 85 },
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
