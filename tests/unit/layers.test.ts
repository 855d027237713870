/**
 * The layer rule of `.dependency-cruiser.cjs` (hosts -> lifecycle -> model -> api), run as `npm run lint` runs it,
 * against a small tree written to a temporary folder: wrong-way imports fail, downward ones pass.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const repoRoot = path.resolve(__dirname, "..", "..");
const depcruise = path.join(repoRoot, "node_modules", ".bin", "depcruise");
const config = path.join(repoRoot, ".dependency-cruiser.cjs");

/** Writes `files` (path -> source) into a fresh folder with a tsconfig and runs depcruise on its `provider/`. */
function cruise(files: Record<string, string>): { status: number | null; output: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "layers-"));
    try {
        fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true } }));
        for (const [file, source] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
            fs.writeFileSync(path.join(dir, file), source);
        }
        const run = spawnSync(depcruise, ["provider", "--config", config], { cwd: dir, encoding: "utf8" });
        return { status: run.status, output: `${run.stdout}${run.stderr}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

test("wrong-way imports fail the lint, each named with its rule; downward imports are not reported", () => {
    const result = cruise({
        "provider/model/instance.ts": "export interface Inputs { readonly name: string }\n",
        "provider/hosts/dynamic/resource.ts": "export const token = 1;\n",
        // Wrong way: the transport importing a model type, a lifecycle step importing a host.
        "provider/api/session.ts": 'import type { Inputs } from "../model/instance";\nexport type S = Inputs;\n',
        "provider/lifecycle/create.ts": 'import { token } from "../hosts/dynamic/resource";\nexport const t = token;\n',
        // The right way: a lifecycle step importing the model.
        "provider/lifecycle/read.ts": 'import type { Inputs } from "../model/instance";\nexport type R = Inputs;\n',
    });
    expect(result.output).toContain("api-is-the-bottom: provider/api/session.ts → provider/model/instance.ts");
    expect(result.output).toContain(
        "lifecycle-below-hosts: provider/lifecycle/create.ts → provider/hosts/dynamic/resource.ts",
    );
    expect(result.output).toContain("x 2 dependency violations (2 errors, 0 warnings)");
    expect(result.output).not.toContain("provider/lifecycle/read.ts");
    expect(result.status).not.toBe(0);
});
