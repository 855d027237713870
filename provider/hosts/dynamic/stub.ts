/**
 * The `__provider` of every `FreshdeskInstance`: a stub that loads the installed implementation at call time, so
 * that state never freezes today's code (docs/architecture.md#the-stub-in-every-stacks-state).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/**
 * The one provider object every `FreshdeskInstance` passes to Pulumi (one object: the SDK serializes it once per
 * process). Only `configure`, which requires `bin/provider/implementation.js` and installs its methods: that path
 * and those names are a compatibility contract with every stack's state (docs/architecture.md).
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

/**
 * The provider object of every `ElementInstance`: the same stub, installing the methods of `elementInstance` of
 * the implementation. A separate object (not a flag in the inputs) so that `FreshdeskInstance`'s stub, stored in
 * every stack's state, stays byte for byte what it was.
 * @internal
 */
// The cast is honest at run time only after configure: the runtime guarantees that order (see above).
// biome-ignore-start lint/suspicious/noExplicitAny: `this` is the runtime's provider object that configure fills with the implementation's methods, `impl` is a module loaded at run time from a path, and `err` is whatever require threw; types would not make this checked, and comments inside configure would be serialized into every resource's state
export const elementStubProvider = {
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
            this[method] = impl.elementInstance[method];
        }
        return impl.configure(req);
    },
} as unknown as dynamic.ResourceProvider;
// biome-ignore-end lint/suspicious/noExplicitAny: end of the serialized stub
