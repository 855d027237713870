/**
 * Entry point of `pulumi-resource-cloudelements`: serves the provider over the engine's gRPC protocol with
 * `@pulumi/pulumi/provider`'s `main`, its `Diff` RPC answered by `serve` with a detailed diff (`provider.ts`). The
 * engine starts it as `pulumi-resource-cloudelements <engine address>` and reads the port it prints.
 */
import { makeProvider, pluginVersion, readSchema, serve } from "./provider";

/** Errors of ours are expected failures: the engine shows their message once, so no stack trace on stderr. */
const expectedErrorNames = ["CloudElementsError", "HttpError", "PartialCreateError"];

/**
 * The SDK's server prints `${err}: ${err.stack}` to stderr for a failed check/diff/read/delete, and the engine shows
 * the plugin's stderr in the CLI output: the message would appear twice, with a stack trace. The error itself still
 * reaches the engine through the gRPC answer; only that duplicate print of our own (expected) errors is dropped.
 */
function quietExpectedErrors(): void {
    const original = console.error.bind(console);
    console.error = (...args: unknown[]) => {
        const first = args[0];
        if (
            args.length === 1 &&
            typeof first === "string" &&
            expectedErrorNames.some((name) => first.startsWith(`${name}: `)) &&
            first.includes("\n    at ")
        ) {
            return;
        }
        original(...args);
    };
}

quietExpectedErrors();
serve(makeProvider(readSchema(__dirname), pluginVersion(__dirname)), process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
});
