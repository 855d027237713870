// Preloaded by our language host into every program it runs (`node --require=<this file> .../cmd/run ...`).
//
// It works around a Node.js bug (nodejs/node#64011, fixed by nodejs/node#64022; present in Node 20.20 and 22.23):
// util.inspect(error, { colors: true }) loops, growing a string until V8 refuses it (about 20 s on an idle
// machine, minutes under load) or the heap runs out, when a line of the error's stack has a `node_modules`
// segment with no path separator after the package name, e.g. `at f (/p/node_modules/@pulumi/config.ts:301:19)`.
// @pulumi/pulumi's source maps point its own frames exactly there (`"sources": ["../config.ts"]`), and its
// cmd/run formats every uncaught error with colors (a tracing event, even for RunErrors whose message it
// already logged). So `new pulumi.Config().require("x")` made `pulumi preview` wait ~20 s before failing.
//
// For an error whose stack has such a line (its `cause` chain and AggregateError members included), inspect
// without colors; everything else goes to Node's own util.inspect unchanged.
"use strict";
const util = require("node:util");

const inspect = util.inspect;

/** Whether Node's colored stack formatting (markNodeModules) would never finish on this stack line. */
function loopsForever(line) {
    let from = 0;
    for (;;) {
        const at = line.indexOf("node_modules", from);
        if (at === -1) {
            return false;
        }
        const before = line[at - 1];
        const after = line[at + 12];
        if ((before !== "/" && before !== "\\") || (after !== "/" && after !== "\\")) {
            from = at + 1;
            continue;
        }
        const start = at + 13;
        let end = line.indexOf(before, start);
        if (end !== -1 && line[start] === "@") {
            end = line.indexOf(before, end + 1); // @scope/package
        }
        if (end === -1) {
            return true;
        }
        from = end;
    }
}

/** Whether inspecting `value` with colors would hit the bug, for an error and the errors it carries. */
function hitsBug(value, seen) {
    if (value === null || typeof value !== "object" || seen.has(value) || !util.types.isNativeError(value)) {
        return false;
    }
    seen.add(value);
    let stack;
    try {
        stack = String(value.stack);
    } catch {
        return false;
    }
    if (stack.split("\n").some(loopsForever)) {
        return true;
    }
    try {
        const nested = [value.cause, ...(Array.isArray(value.errors) ? value.errors : [])];
        return nested.some((error) => hitsBug(error, seen));
    } catch {
        return false;
    }
}

function wantsColors(args) {
    const options = args[1];
    if (options !== null && typeof options === "object") {
        return options.colors ?? inspect.defaultOptions.colors;
    }
    // Legacy signature: inspect(value, showHidden, depth, colors).
    return args.length >= 4 ? Boolean(args[3]) : inspect.defaultOptions.colors;
}

function guardedInspect(value, options) {
    if (wantsColors(arguments) && hitsBug(value, new Set())) {
        let plain = { colors: false };
        if (options !== null && typeof options === "object") {
            plain = { ...options, colors: false };
        } else {
            if (arguments.length >= 2 && options !== undefined) plain.showHidden = options;
            if (arguments.length >= 3 && arguments[2] !== undefined) plain.depth = arguments[2];
        }
        return inspect.call(this, value, plain);
    }
    return Reflect.apply(inspect, this, arguments);
}

// Keep util.inspect.custom, .defaultOptions, .colors and .styles working through the wrapper.
for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(inspect))) {
    if (key !== "length" && key !== "name" && key !== "prototype") {
        Object.defineProperty(guardedInspect, key, descriptor);
    }
}
Object.defineProperty(guardedInspect, "name", { value: "inspect" });
util.inspect = guardedInspect;
// `import { inspect } from "node:util"` in ES modules sees the wrapper too.
require("node:module").syncBuiltinESMExports();
