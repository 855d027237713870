/**
 * Toolchain smoke test: a trivial dynamic resource through up, preview, refresh, export and destroy with
 * the real CLI, offline, once as an Automation API inline program and once as a program directory run by
 * the CLI and our language host.
 */
import * as path from "node:path";
import type { StateResource } from "../../cli/deployment";
import { Echo } from "../fixtures/smoke/echo";
import {
    copyProgram,
    createBackend,
    inlineStack,
    programStack,
    repoRoot,
    runPulumi,
    type TestBackend,
} from "../helpers/pulumi";
import type { ExportedState } from "../helpers/stacks";

jest.setTimeout(300_000);

let backend: TestBackend;
beforeAll(() => {
    backend = createBackend("smoke");
});
afterAll(() => backend.cleanup());

function echoResources(deployment: ExportedState): StateResource[] {
    return (deployment.deployment.resources ?? []).filter((r) => r.type === "pulumi-nodejs:dynamic/smoke:Echo");
}

test("inline program: up, preview, refresh, export, destroy", async () => {
    const stack = await inlineStack({
        backend,
        projectName: "smoke-inline",
        stackName: "dev",
        program: async () => {
            const echo = new Echo("echo", { message: "hello" });
            return { shout: echo.shout };
        },
    });
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.outputs.shout.value).toBe("hello!");
    expect(up.summary.resourceChanges?.create).toBe(2); // the stack and the Echo

    const preview = await stack.preview();
    expect(preview.changeSummary.same).toBe(2);
    expect(preview.changeSummary.create ?? 0).toBe(0);
    expect(preview.changeSummary.update ?? 0).toBe(0);

    const refresh = await stack.refresh();
    expect(refresh.summary.result).toBe("succeeded");

    const exported = await stack.exportStack();
    const [echo] = echoResources(exported);
    expect(echo.id).toBe("echo-hello");
    expect(echo.outputs?.shout).toBe("hello!");
    expect(typeof echo.outputs?.__provider).toBe("string");

    const destroy = await stack.destroy();
    expect(destroy.summary.result).toBe("succeeded");
    expect(echoResources(await stack.exportStack())).toHaveLength(0);
    await stack.workspace.removeStack("dev");
});

test("program directory: the CLI runs Pulumi.yaml with our language host", async () => {
    const workDir = copyProgram(path.join(repoRoot, "tests", "fixtures", "smoke"), "smoke");
    const stack = await programStack({ backend, workDir, stackName: "dev" });
    await stack.setAllConfig({ message: { value: "hi" }, hidden: { value: "s3cr3t-smoke-value", secret: true } });

    const up = await runPulumi(["up", "--yes", "--skip-preview"], { cwd: workDir, backend });
    expect(up.stderr).toBe("");
    expect(up.code).toBe(0);
    expect(up.stdout).toContain("+ 2 created");

    const preview = await runPulumi(["preview"], { cwd: workDir, backend });
    expect(preview.code).toBe(0);
    expect(preview.stdout).toContain("2 unchanged");

    const outputs = await runPulumi(["stack", "output", "--json"], { cwd: workDir, backend });
    expect(JSON.parse(outputs.stdout)).toEqual({ shout: "hi!", secretLength: "[secret]" });
    const shown = await runPulumi(["stack", "output", "--json", "--show-secrets"], { cwd: workDir, backend });
    expect(JSON.parse(shown.stdout)).toEqual({ shout: "hi!", secretLength: 18 });

    const refresh = await runPulumi(["refresh", "--yes", "--skip-preview"], { cwd: workDir, backend });
    expect(refresh.code).toBe(0);

    const exported = await runPulumi(["stack", "export"], { cwd: workDir, backend });
    expect(exported.stdout).not.toContain("s3cr3t-smoke-value");
    const [echo] = echoResources(JSON.parse(exported.stdout));
    expect(echo.outputs?.shout).toBe("hi!");

    // A program error surfaces as one clear message and a non-zero exit.
    await stack.removeConfig("message");
    const failing = await runPulumi(["up", "--yes", "--skip-preview"], { cwd: workDir, backend });
    expect(failing.code).not.toBe(0);
    expect(failing.stdout + failing.stderr).toContain("Missing required configuration variable 'smoke:message'");
    await stack.setConfig("message", { value: "hi" });

    const destroy = await runPulumi(["destroy", "--yes", "--skip-preview"], { cwd: workDir, backend });
    expect(destroy.code).toBe(0);
    expect(destroy.stdout).toContain("2 deleted");
});
