/**
 * Helpers of the reliability suites (`tests/engine/reliability-*.test.ts`) and the randomized sequence check
 * (`tests/chaos`), one module per job:
 * - `context.ts`: the e2e context with the access log, client tuning and workspace cleanup;
 * - `reconcile.ts`: state against the emulator's instances (orphans, duplicates, dangling resources);
 * - `results.ts`: CLI results as data (an operation that never throws, the exported state);
 * - `transcript.ts`: everything captured, for the secret sweep;
 * - `summary.ts`: the summary table every reliability file prints, persists and asserts;
 * - `processes.ts`: a CLI in the background, its process tree, signals, polling;
 * - `programs.ts`: the reliability program on its own stack, the recovery command, waiting for an idle emulator.
 *
 * Builds on `stacks.ts`; nothing here asserts, tests decide what is expected.
 */
export * from "./context";
export * from "./processes";
export * from "./programs";
export * from "./reconcile";
export * from "./results";
export * from "./summary";
export * from "./transcript";
