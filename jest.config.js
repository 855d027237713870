/**
 * Two projects: fast unit and emulator tests, and the suites that drive the real Pulumi CLI.
 * Provider sources are never instrumented for coverage: coverage counters would be captured
 * into the serialized `__provider` and bloat stack state.
 */
/** @type {import('jest').Config} */
const common = {
    preset: "ts-jest",
    testEnvironment: "node",
    transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: { warnOnly: false } }] },
};

module.exports = {
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
