#!/usr/bin/env node
/**
 * `cloud-elements-emulator`: runs the emulator until SIGINT/SIGTERM. Prints exactly one line to stdout when it is
 * ready (`Cloud Elements emulator listening on <baseUrl>`); everything else (warnings, one access log line per
 * request) goes to stderr.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type AccountsConfig, loadAccountsFile } from "./accounts";
import { controlApiAccess } from "./control-server";
import { isLoopbackHost } from "./loopback";
import { startEmulator } from "./server";
import type { EmulatorSettings } from "./types";

export { isLoopbackHost };

/** Environment variable read when `--control-token` is not given (a command line is visible to every local user). */
export const controlTokenEnv = "CLOUD_ELEMENTS_EMULATOR_CONTROL_TOKEN";

/**
 * The documentation shipped with the package: `docs/emulator.md` next to `bin/` (from `bin/emulator/cli.js`), or
 * next to `emulator/` when run from the sources.
 */
export const docsPath =
    [resolve(__dirname, "..", "docs", "emulator.md"), resolve(__dirname, "..", "..", "docs", "emulator.md")].find(
        (candidate) => existsSync(candidate),
    ) ?? resolve(__dirname, "..", "..", "docs", "emulator.md");

/** The `--help` text. */
export const usage = `Usage: cloud-elements-emulator [options]

Emulates the Cloud Elements / SAP Open Connectors /elements/api-v2 instance API and element
metadata for a catalogue of elements (freshdeskv2, freshservice, servicenow, jira, hubspot,
connectwisecrmrest, salesforcemarketingcloud, sfdc), plus a control API under /__emulator for
tests (faults, request log, instances, settings).

Options:
  -p, --port <port>           port to listen on (default 8765; 0 = any free port)
      --host <address>        address to listen on (default 127.0.0.1). Off loopback (e.g. 0.0.0.0
                              in a CI service container) the control API is OFF unless a control
                              token is given
      --control-token <token> require "Authorization: Bearer <token>" on every control request (any
                              host); default: $${controlTokenEnv}
      --accounts <file>       accounts JSON file: organizations, users, the Freshdesk subdomains
                              and API keys and the other elements' credentials the credential
                              check accepts (default: the built-in development accounts, which
                              are not secrets)
      --state <file>          persist instances to this JSON file (mode 0600) and load it at start
                              (default: memory only)
      --mask-username         return configuration.username (the Freshdesk API key) as "********"
                              (default: in clear, as the real platform may)
      --no-mask-username      return it in clear (the default; kept for old scripts)
      --no-validate-credentials
                              accept any credentials of every element
      --empty-tag-search <404|[]>
                              answer to a tags[]-only search without a match: 404 "No instances
                              found" (default, like every empty list) or 200 []
  -h, --help                  show this help

When ready it prints "Cloud Elements emulator listening on <baseUrl>" to stdout; access log
lines and warnings go to stderr. Exit codes: 0 after SIGINT/SIGTERM, 2 on a bad command line,
1 when it cannot start.

Documentation: docs/emulator.md in the pulumi-cloudelements-freshdesk package
  (${docsPath})
`;

/** Parsed command line. */
export interface CliOptions {
    port: number;
    host: string;
    controlToken?: string;
    accountsPath?: string;
    statePath?: string;
    maskUsername: boolean;
    validateCredentials: boolean;
    emptyTagSearch: EmulatorSettings["emptyTagSearch"];
    help: boolean;
}

/** The command line is wrong; the message says how. */
export class UsageError extends Error {
    override name = "UsageError";
}

/**
 * Parses the arguments (without `node` and the script) with `node:util`'s `parseArgs`: `--flag value` and
 * `--flag=value`, no positionals. `env` supplies the control token when the command line does not.
 */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = {}): CliOptions {
    let values: ReturnType<typeof parse>["values"];
    try {
        ({ values } = parse(argv));
    } catch (error) {
        throw new UsageError((error as Error).message);
    }
    const port = values.port ?? "8765";
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
        throw new UsageError("--port must be an integer between 0 and 65535");
    }
    if (values["mask-username"] && values["no-mask-username"]) {
        throw new UsageError("--mask-username and --no-mask-username exclude each other");
    }
    const emptyTagSearch = values["empty-tag-search"] ?? "404";
    if (emptyTagSearch !== "404" && emptyTagSearch !== "[]") {
        throw new UsageError('--empty-tag-search must be 404 or "[]"');
    }
    const host = values.host ?? "127.0.0.1";
    if (host.trim() === "") {
        throw new UsageError("--host must not be empty");
    }
    const controlToken = values["control-token"] ?? env[controlTokenEnv];
    if (controlToken !== undefined && controlToken.trim() === "") {
        throw new UsageError(`--control-token (or ${controlTokenEnv}) must not be empty`);
    }
    const options: CliOptions = {
        port: Number(port),
        host,
        maskUsername: values["mask-username"] === true,
        validateCredentials: values["no-validate-credentials"] !== true,
        emptyTagSearch,
        help: values.help === true,
    };
    if (controlToken !== undefined) {
        options.controlToken = controlToken;
    }
    if (values.accounts !== undefined) {
        options.accountsPath = values.accounts;
    }
    if (values.state !== undefined) {
        options.statePath = values.state;
    }
    return options;
}

function parse(argv: readonly string[]) {
    return parseArgs({
        args: [...argv],
        strict: true,
        allowPositionals: false,
        options: {
            port: { type: "string", short: "p" },
            host: { type: "string" },
            "control-token": { type: "string" },
            accounts: { type: "string" },
            state: { type: "string" },
            "mask-username": { type: "boolean" },
            "no-mask-username": { type: "boolean" },
            "no-validate-credentials": { type: "boolean" },
            "empty-tag-search": { type: "string" },
            help: { type: "boolean", short: "h" },
        },
    });
}

/** The warning printed when the emulator listens off loopback, or undefined on loopback. */
export function hostWarning(host: string, controlToken: string | undefined): string | undefined {
    if (isLoopbackHost(host)) {
        return undefined;
    }
    return controlApiAccess(host, controlToken) === "off"
        ? `warning: listening on ${host}, which is not a loopback address; the control API (/__emulator) is off ` +
              "because no control token was given (--control-token)"
        : `warning: listening on ${host}, which is not a loopback address; the control API (/__emulator) ` +
              "requires the control token";
}

async function main(argv: readonly string[]): Promise<void> {
    let options: CliOptions;
    try {
        options = parseCommandLine(argv, process.env);
    } catch (error) {
        if (!(error instanceof UsageError)) {
            throw error;
        }
        process.stderr.write(`cloud-elements-emulator: ${error.message}\n\n${usage}`);
        process.exitCode = 2;
        return;
    }
    if (options.help) {
        process.stdout.write(usage);
        return;
    }
    const warning = hostWarning(options.host, options.controlToken);
    if (warning) {
        process.stderr.write(`cloud-elements-emulator: ${warning}\n`);
    }
    let accounts: AccountsConfig | undefined;
    if (options.accountsPath) {
        accounts = await loadAccountsFile(options.accountsPath);
    } else {
        process.stderr.write("cloud-elements-emulator: using the built-in development accounts (docs/emulator.md)\n");
    }
    const emulator = await startEmulator({
        host: options.host,
        port: options.port,
        controlToken: options.controlToken,
        accounts,
        statePath: options.statePath,
        maskUsername: options.maskUsername,
        validateFreshdeskCredentials: options.validateCredentials,
        emptyTagSearch: options.emptyTagSearch,
        log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
    });
    process.stdout.write(`Cloud Elements emulator listening on ${emulator.baseUrl}\n`);
    let stopping = false;
    const stop = () => {
        if (stopping) {
            process.exit(1);
        }
        stopping = true;
        emulator.close().then(
            () => process.exit(0),
            (error: unknown) => {
                process.stderr.write(`cloud-elements-emulator: ${(error as Error)?.message ?? error}\n`);
                process.exit(1);
            },
        );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
}

if (require.main === module) {
    main(process.argv.slice(2)).catch((error: unknown) => {
        process.stderr.write(`cloud-elements-emulator: ${(error as Error)?.message ?? error}\n`);
        process.exit(1);
    });
}
