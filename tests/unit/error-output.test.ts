/**
 * Errors said once: the dynamic-provider runtime prints `${e}: ${e.stack}` for a failed check/diff/read/delete and
 * the engine prints the message again. The filter drops the runtime's line for this package's errors only.
 */

import { CloudElementsError, HttpError } from "../../provider/api/errors";
import { installErrorOutputFilter, sayOnce } from "../../provider/hosts/dynamic/error-output";

/** A console whose `error` records what reaches it, with the filter installed. */
function recordingConsole(): { console: Console; printed: unknown[][] } {
    const printed: unknown[][] = [];
    const target = { error: (...args: unknown[]) => printed.push(args) } as unknown as Console;
    installErrorOutputFilter(target);
    return { console: target, printed };
}

/** What the runtime does with a failed method (`cmd/dynamic-provider/index.js`, read/delete/check/diff). */
async function runtimeCall(output: Console, method: () => Promise<unknown>): Promise<unknown> {
    try {
        return await sayOnce(method);
    } catch (e) {
        output.error(`${e}: ${(e as Error).stack}`);
        return e;
    }
}

describe("sayOnce and the error output filter", () => {
    it("drops the runtime's line (message and stack trace) for this package's errors", async () => {
        const { console: output, printed } = recordingConsole();
        const http = new HttpError({ method: "GET", path: "/instances/1", code: "ECONNREFUSED" });
        const err = await runtimeCall(output, async () => {
            throw http;
        });
        expect(err).toBe(http);
        const config = new CloudElementsError("configuration", "Cloud Elements connection is not configured.");
        await runtimeCall(output, async () => {
            throw config;
        });
        expect(printed).toEqual([]);
    });

    it("keeps the line, trace included, for any other error (a bug)", async () => {
        const { console: output, printed } = recordingConsole();
        const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
        await runtimeCall(output, async () => {
            throw bug;
        });
        expect(printed).toEqual([[`${bug}: ${bug.stack}`]]);
        expect(String(printed[0][0])).toMatch(/\n\s+at /);
    });

    it("never touches other output, nor a line it did not register", () => {
        const { console: output, printed } = recordingConsole();
        const err = new CloudElementsError("http", "x");
        output.error(`${err}: ${err.stack}`);
        output.error("warning", 42);
        expect(printed).toEqual([[`${err}: ${err.stack}`], ["warning", 42]]);
    });

    it("passes results through and installs once", async () => {
        const { console: output, printed } = recordingConsole();
        installErrorOutputFilter(output);
        await expect(sayOnce(async () => 5)).resolves.toBe(5);
        output.error("once");
        expect(printed).toEqual([["once"]]);
    });
});
