/**
 * The `__provider` of every `FreshdeskInstance`: a thin stub that loads this package's implementation at
 * call time, inside the dynamic-provider process.
 *
 * Why a stub: Pulumi serializes the provider object into state and runs the stored copy for `read` and `delete`.
 * Serializing the real provider would freeze today's code (and its deep `require` paths into axios) into every
 * stack. The stub's text does not change between versions of this package, so an upgrade alone causes no diff and
 * no API call, it stays small, it holds no secret, and `refresh`/`destroy` of existing resources run the code that
 * is installed now.
 *
 * The closure serializer keeps a free `require` verbatim (`runtime/closure/parseFunction.js` never captures it), so
 * the `require` calls below run in the provider process.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/**
 * The one provider object every `FreshdeskInstance` passes to Pulumi. One module-level object, so the SDK serializes
 * it once per process (its cache is keyed by object identity).
 *
 * It has only `configure`: the dynamic-provider runtime deserializes a provider and awaits its `configure` before it
 * calls any other method (`getProvider` in `@pulumi/pulumi/cmd/dynamic-provider`, since 3.139), so `configure`
 * loads the implementation and installs its methods on this object. Every serialized function costs about 200
 * bytes of wrapper in every resource's state, which is why the loader lives inside `configure` instead of in
 * helpers or per-method forwarders.
 *
 * The implementation is `bin/provider/implementation.js` of this package. COMPATIBILITY CONTRACT: state written by
 * every version of this package requires that path, so it and its exported method names must keep existing.
 * It is looked up first as a package (an installed dependency of the program); when the package itself is not
 * found, from the nearest directory above the working directory (the engine starts the provider in the program's
 * directory) whose package.json is this package: the main program and test fixtures inside this repository.
 * Node's self-reference cannot work here: the stub is evaluated by require-from-string, which has no file of its
 * own.
 * @internal
 */
// The cast is honest at run time only after configure: the runtime guarantees that order (see above).
// biome-ignore-start lint/suspicious/noExplicitAny: `this` is the runtime's provider object that configure fills with the implementation's methods, `impl` is a module loaded at run time from a path, and `err` is whatever require threw; types would not make this checked, and comments inside configure would be serialized into every resource's state
export const stubProvider = {
    configure(this: any, req: dynamic.ConfigureRequest) {
        const request = "pulumi-cloudelements-freshdesk/bin/provider/implementation.js";
        let impl: any;
        try {
            impl = require(request);
        } catch (err: any) {
            if (err?.code !== "MODULE_NOT_FOUND" || !String(err.message).includes(`'${request}'`)) {
                throw err;
            }
            const path = require("node:path");
            const fs = require("node:fs");
            for (let dir = process.cwd(); !impl; dir = path.dirname(dir)) {
                const manifest = path.join(dir, "package.json");
                if (
                    fs.existsSync(manifest) &&
                    JSON.parse(fs.readFileSync(manifest, "utf8")).name === request.split("/")[0]
                ) {
                    const file = path.join(dir, "bin", "provider", "implementation.js");
                    if (!fs.existsSync(file)) {
                        throw new Error(`${file} is missing: run npm run build in ${dir}`);
                    }
                    impl = require(file);
                } else if (path.dirname(dir) === dir) {
                    throw new Error(`Cannot find ${request} from ${process.cwd()}: install the package`);
                }
            }
        }
        for (const method of ["check", "diff", "create", "read", "update", "delete"]) {
            this[method] = impl[method];
        }
        return impl.configure(req);
    },
} as unknown as dynamic.ResourceProvider;
// biome-ignore-end lint/suspicious/noExplicitAny: end of the serialized stub
