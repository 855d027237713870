import * as pulumi from "@pulumi/pulumi";
import { freshdeskInstanceType } from "./type-token";

const guardMark = Symbol.for("pulumi-cloudelements-freshdesk:debug-log-guard");

/**
 * Keeps `pulumi up --debug` from printing instance tokens.
 *
 * `@pulumi/pulumi` (3.276, `runtime/resource.js`) logs every RegisterResource response at debug level as
 * "RegisterResource RPC finished: <label>; err: ..., resp: <protobuf text>", and that text holds every output in
 * plaintext, secrets included: with `--debug` the CLI would print the element token and the API key of every
 * instance. This wraps the SDK's `log.debug` once per program so that, for this package's resources only, the
 * response part of that one message is replaced by a placeholder; every other message passes through untouched.
 * It is a no-op when the SDK's log module does not have the expected shape.
 * @internal
 */
export function guardSdkDebugLog(): void {
    const log = pulumi.log as unknown as Record<string | symbol, unknown>;
    const original = log.debug;
    if (typeof original !== "function" || log[guardMark]) {
        return;
    }
    const guarded = function (this: unknown, message: unknown, ...rest: unknown[]) {
        if (
            typeof message === "string" &&
            message.startsWith("RegisterResource RPC finished") &&
            message.includes(freshdeskInstanceType)
        ) {
            const at = message.indexOf(", resp: ");
            if (at >= 0) {
                message = `${message.slice(0, at)}, resp: [redacted by pulumi-cloudelements-freshdesk: holds secret outputs]`;
            }
        }
        return original.call(this, message, ...rest);
    };
    try {
        log.debug = guarded;
        log[guardMark] = true;
    } catch {
        // A frozen module object: nothing to guard with.
    }
}
