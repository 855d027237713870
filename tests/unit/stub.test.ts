/**
 * The serialized stub finds the implementation the way the dynamic-provider process will: evaluated by
 * require-from-string (as `cmd/dynamic-provider` does), with the program's directory as the working directory.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { stubProvider } from "../../provider/hosts/dynamic/stub";

/** The provider's methods as the evaluated stub exposes them: the test passes arguments through and compares results. */
type StubMethods = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** Evaluates module text; the serialized stub's module exports `handler`, which returns the provider. */
const requireFromString: (code: string) => { handler(): StubMethods } = require(
    require.resolve("require-from-string", { paths: [require.resolve("@pulumi/pulumi")] }),
);

const implementation = (label: string) => `
exports.configure = async (req) => [${JSON.stringify(label)}, req];
exports.check = async (olds, news) => ({ inputs: { from: ${JSON.stringify(label)}, news }, failures: [] });
exports.diff = async (...args) => ({ changes: false, args: args.length });
exports.create = async () => ({ id: "1", outs: { from: ${JSON.stringify(label)} } });
exports.read = async (id) => ({ id, props: { from: ${JSON.stringify(label)} } });
exports.update = async () => ({ outs: { from: ${JSON.stringify(label)} } });
exports.delete = async (id, props) => [${JSON.stringify(label)}, id, props];
`;

let text: string;
let root: string;
const originalCwd = process.cwd();

function write(file: string, content: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
}

/**
 * Evaluates the serialized stub with `cwd` as the working directory and awaits its `configure`, as the provider
 * process does before it calls any other method.
 */
async function loadStub(cwd: string, config: unknown = {}): Promise<StubMethods> {
    process.chdir(cwd);
    const provider = requireFromString(text).handler();
    configured = await provider.configure({ config });
    return provider;
}

let configured: unknown;

beforeAll(async () => {
    const provider = stubProvider;
    text = (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "cef-stub-")));
});

afterEach(() => {
    process.chdir(originalCwd);
    // Node caches resolutions per (parent directory, request), and require-from-string modules all have the
    // directory "."; forget the fake implementations so the next test resolves afresh. (The provider process
    // evaluates the stub once, in one working directory.)
    const nodeModuleCache: Record<string, unknown> = require("node:module")._cache;
    for (const file of Object.keys(nodeModuleCache)) {
        if (file.startsWith(root)) {
            delete nodeModuleCache[file];
        }
    }
});

afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
});

describe("the stub's loader", () => {
    it("uses the installed package when the program depends on it", async () => {
        const app = path.join(root, "app");
        write(path.join(app, "package.json"), JSON.stringify({ name: "my-infra" }));
        write(
            path.join(app, "node_modules/pulumi-cloudelements-freshdesk/package.json"),
            JSON.stringify({ name: "pulumi-cloudelements-freshdesk", version: "9.9.9" }),
        );
        write(
            path.join(app, "node_modules/pulumi-cloudelements-freshdesk/bin/provider/implementation.js"),
            implementation("node_modules"),
        );
        const provider = await loadStub(app, { k: "v" });
        expect(configured).toEqual(["node_modules", { config: { k: "v" } }]);
        expect(await provider.check({}, { a: 1 })).toEqual({
            inputs: { from: "node_modules", news: { a: 1 } },
            failures: [],
        });
        // Arguments go through untouched, results come back untouched.
        expect(await provider.diff("1", {}, {})).toEqual({ changes: false, args: 3 });
        expect(await provider.create({})).toEqual({ id: "1", outs: { from: "node_modules" } });
        expect(await provider.read("5", {})).toEqual({ id: "5", props: { from: "node_modules" } });
        expect(await provider.update("5", {}, {})).toEqual({ outs: { from: "node_modules" } });
        expect(await provider.delete("5", { x: 1 })).toEqual(["node_modules", "5", { x: 1 }]);
    });

    it("walks up from the working directory to this package's own checkout (main program, fixtures)", async () => {
        const repo = path.join(root, "repo");
        write(path.join(repo, "package.json"), JSON.stringify({ name: "pulumi-cloudelements-freshdesk" }));
        write(path.join(repo, "bin/provider/implementation.js"), implementation("checkout"));
        // A fixture with its own, differently named package.json is skipped over.
        const fixture = path.join(repo, "tests/fixtures/app");
        write(path.join(fixture, "package.json"), JSON.stringify({ name: "fixture" }));
        const provider = await loadStub(fixture);
        expect(((await provider.check({}, {})) as { inputs: { from: string } }).inputs.from).toBe("checkout");
    });

    it("says to build when the checkout has no bin/ yet", async () => {
        const repo = path.join(root, "unbuilt");
        write(path.join(repo, "package.json"), JSON.stringify({ name: "pulumi-cloudelements-freshdesk" }));
        await expect(loadStub(repo)).rejects.toThrow(/bin\/provider\/implementation\.js is missing: run npm run build/);
    });

    it("fails clearly when the package is nowhere", async () => {
        const elsewhere = path.join(root, "elsewhere");
        fs.mkdirSync(elsewhere, { recursive: true });
        await expect(loadStub(elsewhere)).rejects.toThrow(
            /Cannot find pulumi-cloudelements-freshdesk\/bin\/provider\/implementation\.js from/,
        );
    });

    it("does not hide a missing dependency of the implementation behind the fallback", async () => {
        const app = path.join(root, "broken");
        write(
            path.join(app, "node_modules/pulumi-cloudelements-freshdesk/bin/provider/implementation.js"),
            'require("a-dependency-that-is-not-installed");',
        );
        // Even inside a checkout the fallback must not be tried: the package was found, its dependency was not.
        write(path.join(app, "package.json"), JSON.stringify({ name: "pulumi-cloudelements-freshdesk" }));
        write(path.join(app, "bin/provider/implementation.js"), implementation("fallback"));
        await expect(loadStub(app)).rejects.toThrow(/a-dependency-that-is-not-installed/);
    });
});
