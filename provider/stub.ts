/**
 * The `__provider` of every `FreshdeskInstance`: a thin stub whose methods load this package's implementation at
 * call time, inside the dynamic-provider process.
 *
 * Why a stub: Pulumi serializes the provider object into state and runs the stored copy for `read` and `delete`.
 * Serializing the real provider would freeze today's code (and its deep `require` paths into axios) into every
 * stack. The stub's text does not change between versions of this package, so an upgrade alone causes no diff and
 * no API call, it stays small, it holds no secret, and `refresh`/`destroy` of existing resources run the code that
 * is installed now.
 *
 * The closure serializer keeps a free `require` verbatim (`runtime/closure/parseFunction.js` never captures it), so
 * the `require` calls below run in the provider process. Everything `loadImplementation` needs is inside it: a
 * captured helper would be serialized too and grow the stub.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/**
 * Loads `bin/provider/implementation.js` of this package.
 *
 * COMPATIBILITY CONTRACT: state written by every version of this package requires this path, so
 * `bin/provider/implementation.js` and its exported method names must keep existing.
 *
 * First as a package (an installed dependency of the program); when that fails because the package itself is not
 * found, from the nearest directory above the working directory (the engine starts the provider in the program's
 * directory) whose package.json is this package: the main program and test fixtures inside this repository. Node's
 * self-reference cannot work here: the stub is evaluated by require-from-string, which has no file of its own.
 */
function loadImplementation(): any {
    const request = "pulumi-cloudelements-freshdesk/bin/provider/implementation.js";
    try {
        return require(request);
    } catch (err: any) {
        if (err?.code !== "MODULE_NOT_FOUND" || !String(err.message).includes(`'${request}'`)) {
            throw err;
        }
    }
    const path = require("node:path");
    const fs = require("node:fs");
    for (let dir = process.cwd(); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === request.split("/")[0]) {
            const file = path.join(dir, request.slice(request.indexOf("/") + 1));
            if (!fs.existsSync(file)) {
                throw new Error(`${file} is missing: run npm run build in ${dir}`);
            }
            return require(file);
        }
    }
    throw new Error(`Cannot find ${request} from ${process.cwd()}`);
}

/**
 * The one provider object every `FreshdeskInstance` passes to Pulumi. One module-level object, so the SDK serializes
 * it once per process (its cache is keyed by object identity).
 *
 * Serialized, it is about 3.7 KB: the serializer wraps each of its 9 functions (7 methods, the loader, the handler)
 * in about 200 bytes of `with` scaffolding. Editing this file changes the text; that is harmless (`diff` ignores
 * `__provider`), but keep it rare and keep it loading the same path.
 * @internal
 */
export const stubProvider: dynamic.ResourceProvider = {
    async configure(...args: any[]) {
        return loadImplementation().configure(...args);
    },
    async check(...args: any[]) {
        return loadImplementation().check(...args);
    },
    async diff(...args: any[]) {
        return loadImplementation().diff(...args);
    },
    async create(...args: any[]) {
        return loadImplementation().create(...args);
    },
    async read(...args: any[]) {
        return loadImplementation().read(...args);
    },
    async update(...args: any[]) {
        return loadImplementation().update(...args);
    },
    async delete(...args: any[]) {
        return loadImplementation().delete(...args);
    },
};
