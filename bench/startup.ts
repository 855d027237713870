/**
 * What the provider costs once per dynamic-provider process, measured without the engine: run in a fresh Node
 * process (`node bin/bench/startup.js`, by {@link measureStartup}), it loads `@pulumi/pulumi` (which the real
 * provider process has loaded anyway), then the provider implementation, calls `configure`, and creates two
 * instances one after the other against the emulator. The first create pays for the HTTP client's construction and
 * the first TCP connection; the second reuses the keep-alive connection. The difference is the per-process client
 * setup.
 *
 * The connection comes from the environment (BENCH_BASE_URL, BENCH_USER_SECRET, BENCH_ORGANIZATION_SECRET,
 * BENCH_SUBDOMAIN, BENCH_API_KEY), never from the command line.
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { median } from "./stats";

/** One fresh process's timings, ms. */
export interface StartupSample {
    /** `require("@pulumi/pulumi")`: paid by the floor's provider process too. */
    pulumiMs: number;
    /** `require("bin/provider/implementation.js")` after that: only ours. */
    implementationMs: number;
    configureMs: number;
    /** check + create of the first instance (client construction, first connection, one POST). */
    firstCreateMs: number;
    /** check + create of a second instance (keep-alive connection, one POST). */
    secondCreateMs: number;
}

/** Medians over fresh processes. */
export interface StartupSummary {
    samples: number;
    pulumiMs?: number;
    implementationMs?: number;
    configureMs?: number;
    firstCreateMs?: number;
    secondCreateMs?: number;
}

async function sampleInThisProcess(): Promise<StartupSample> {
    const env = process.env;
    const implementation = path.resolve(__dirname, "..", "provider", "implementation.js");
    const t0 = performance.now();
    require("@pulumi/pulumi");
    const t1 = performance.now();
    const impl = require(implementation);
    const t2 = performance.now();
    const config: Record<string, string | undefined> = {
        "cloudelements:baseUrl": env.BENCH_BASE_URL,
        "cloudelements:userSecret": env.BENCH_USER_SECRET,
        "cloudelements:organizationSecret": env.BENCH_ORGANIZATION_SECRET,
    };
    await impl.configure({ config: { get: (key: string) => config[key] } });
    const t3 = performance.now();
    const created: { id: string; outs: unknown }[] = [];
    const createOne = async (name: string) => {
        const news = { subdomain: env.BENCH_SUBDOMAIN, apiKey: env.BENCH_API_KEY, name, tags: ["bench-startup"] };
        const checked = await impl.check({}, news);
        if (checked.failures?.length) {
            throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
        }
        created.push(await impl.create(checked.inputs));
    };
    await createOne("startup-1");
    const t4 = performance.now();
    await createOne("startup-2");
    const t5 = performance.now();
    for (const c of created) {
        await impl.delete(c.id, c.outs);
    }
    impl.closeClients?.();
    return {
        pulumiMs: t1 - t0,
        implementationMs: t2 - t1,
        configureMs: t3 - t2,
        firstCreateMs: t4 - t3,
        secondCreateMs: t5 - t4,
    };
}

/** Runs `samples` fresh processes of this script and returns the medians. */
export async function measureStartup(
    samples: number,
    connection: {
        baseUrl: string;
        userSecret: string;
        organizationSecret: string;
        subdomain: string;
        apiKey: string;
    },
): Promise<StartupSummary> {
    const results: StartupSample[] = [];
    for (let i = 0; i < samples; i++) {
        const text = await new Promise<string>((resolve, reject) =>
            execFile(
                process.execPath,
                [__filename],
                {
                    // The provider process runs in the program directory (the repository root).
                    cwd: path.resolve(__dirname, "..", ".."),
                    env: {
                        ...process.env,
                        BENCH_BASE_URL: connection.baseUrl,
                        BENCH_USER_SECRET: connection.userSecret,
                        BENCH_ORGANIZATION_SECRET: connection.organizationSecret,
                        BENCH_SUBDOMAIN: connection.subdomain,
                        BENCH_API_KEY: connection.apiKey,
                    },
                    timeout: 60_000,
                },
                (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
            ),
        );
        results.push(JSON.parse(text));
    }
    const m = (key: keyof StartupSample) => median(results.map((r) => r[key]));
    return {
        samples: results.length,
        pulumiMs: m("pulumiMs"),
        implementationMs: m("implementationMs"),
        configureMs: m("configureMs"),
        firstCreateMs: m("firstCreateMs"),
        secondCreateMs: m("secondCreateMs"),
    };
}

if (require.main === module) {
    sampleInThisProcess().then(
        (sample) => process.stdout.write(JSON.stringify(sample)),
        (e) => {
            process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
            process.exit(1);
        },
    );
}
