/**
 * Errors said once. The dynamic-provider runtime (`@pulumi/pulumi/cmd/dynamic-provider/index.js`, 3.276) handles a
 * failed `check`, `diff`, `read` or `delete` with `console.error(`${e}: ${e.stack}`)` and then hands `e.message` to
 * the engine, which prints it again: a refresh against an unreachable API showed `HttpError: X: HttpError: X`, a
 * stack trace into the client, and X once more. (`create` and `update` failures go through `grpcResponseFromError`,
 * which prints nothing.)
 *
 * For this package's own errors ({@link CloudElementsError}: HTTP, configuration and response failures, whose
 * messages already say everything) the runtime's extra line is dropped, so the engine's copy is the only one and no
 * stack trace shows. Any other error is a bug: it keeps the runtime's line with its trace. The line is recognised by
 * its exact text, registered when the error leaves the provider, so nothing else written to stderr is ever touched,
 * and if a future runtime prints differently the line simply shows again.
 */
import { CloudElementsError } from "../../api/errors";

const installedMark = Symbol.for("pulumi-cloudelements-freshdesk:error-output");
/** Lines the runtime is about to print for errors whose message the engine prints anyway. */
const pending: string[] = [];
// The runtime prints right after the method rejects; a line it never printed must not stay forever.
const maxPending = 32;

/**
 * The line the runtime prints for a failed method, `${e}: ${e.stack}`; `undefined` for errors that keep it (bugs).
 */
function runtimeLine(err: unknown): string | undefined {
    if (!CloudElementsError.isInstance(err)) {
        return undefined;
    }
    return `${err}: ${err.stack}`;
}

/**
 * Installs, once per process, a `console.error` that drops the runtime's line for errors registered with
 * {@link sayOnce}. Called by `configure`, which only runs inside the dynamic-provider process (and in tests).
 */
export function installErrorOutputFilter(output: Console = console): void {
    const target = output as Console & { [installedMark]?: boolean };
    if (target[installedMark]) {
        return;
    }
    const original = target.error;
    target.error = function (this: unknown, ...args: unknown[]) {
        if (args.length === 1 && typeof args[0] === "string") {
            const at = pending.indexOf(args[0]);
            if (at >= 0) {
                pending.splice(at, 1);
                return;
            }
        }
        return original.apply(this, args);
    };
    target[installedMark] = true;
}

/**
 * Runs one provider method; when it fails with one of this package's errors, registers the runtime's line for that
 * error so the filter drops it (the engine prints the message). Rethrows the error unchanged.
 */
export async function sayOnce<T>(method: () => Promise<T>): Promise<T> {
    try {
        return await method();
    } catch (err) {
        const line = runtimeLine(err);
        if (line !== undefined) {
            pending.push(line);
            if (pending.length > maxPending) {
                pending.shift();
            }
        }
        throw err;
    }
}
