#!/usr/bin/env node
/**
 * `cloud-elements-emulator`: runs the emulator until SIGINT/SIGTERM. Prints exactly one line to stdout when it is
 * ready (`Cloud Elements emulator listening on <baseUrl>`); everything else (warnings, one access log line per
 * request) goes to stderr.
 */
import { type AccountsConfig, loadAccountsFile } from "./accounts";
import { startEmulator } from "./server";

/** The `--help` text. */
export const USAGE = `Usage: cloud-elements-emulator [options]

Emulates the Cloud Elements / SAP Open Connectors /elements/api-v2 instance API for the
freshdeskv2 element, plus a control API under /__emulator (see docs/emulator.md).

Options:
  --port <port>              port to listen on (default 8765; 0 = any free port)
  --host <host>              interface to listen on (default 127.0.0.1)
  --accounts <file>          accounts JSON file (default: the built-in development accounts)
  --state <file>             persist instances to this JSON file and load it at start
  --no-mask-username         return configuration.username in clear text
  --no-validate-credentials  accept any Freshdesk subdomain and API key
  -h, --help                 show this help

When ready it prints "Cloud Elements emulator listening on <baseUrl>" to stdout.
`;

/** Parsed command line. */
export interface CliOptions {
    port: number;
    host: string;
    accountsPath?: string;
    statePath?: string;
    maskUsername: boolean;
    validateCredentials: boolean;
    help: boolean;
}

/** The command line is wrong; the message says how. */
export class UsageError extends Error {
    override name = "UsageError";
}

/** Parses the arguments (without `node` and the script). Accepts `--flag value` and `--flag=value`. */
export function parseArgs(argv: readonly string[]): CliOptions {
    const options: CliOptions = {
        port: 8765,
        host: "127.0.0.1",
        maskUsername: true,
        validateCredentials: true,
        help: false,
    };
    for (let i = 0; i < argv.length; i++) {
        let flag = argv[i];
        let inline: string | undefined;
        const eq = flag.indexOf("=");
        if (flag.startsWith("--") && eq > 0) {
            inline = flag.slice(eq + 1);
            flag = flag.slice(0, eq);
        }
        const value = (): string => {
            if (inline !== undefined) return inline;
            const next = argv[i + 1];
            if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
            i++;
            return next;
        };
        const noValue = () => {
            if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
        };
        switch (flag) {
            case "--port":
            case "-p": {
                const port = value();
                if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
                    throw new UsageError("--port must be an integer between 0 and 65535");
                }
                options.port = Number(port);
                break;
            }
            case "--host":
                options.host = value();
                break;
            case "--accounts":
                options.accountsPath = value();
                break;
            case "--state":
                options.statePath = value();
                break;
            case "--no-mask-username":
                noValue();
                options.maskUsername = false;
                break;
            case "--no-validate-credentials":
                noValue();
                options.validateCredentials = false;
                break;
            case "--help":
            case "-h":
                noValue();
                options.help = true;
                break;
            default:
                throw new UsageError(`unknown option ${flag}`);
        }
    }
    return options;
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
    const h = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
    return h === "localhost" || h === "::1" || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

async function main(argv: readonly string[]): Promise<void> {
    let options: CliOptions;
    try {
        options = parseArgs(argv);
    } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        process.stderr.write(`cloud-elements-emulator: ${error.message}\n\n${USAGE}`);
        process.exitCode = 2;
        return;
    }
    if (options.help) {
        process.stdout.write(USAGE);
        return;
    }
    if (!isLoopbackHost(options.host)) {
        process.stderr.write(
            `cloud-elements-emulator: warning: listening on ${options.host}, which is not a loopback address; ` +
                "the control API (/__emulator) is unauthenticated and anyone who can reach it can read and change " +
                "the emulator's state\n",
        );
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
        accounts,
        statePath: options.statePath,
        maskUsername: options.maskUsername,
        validateFreshdeskCredentials: options.validateCredentials,
        log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
    });
    process.stdout.write(`Cloud Elements emulator listening on ${emulator.baseUrl}\n`);
    let stopping = false;
    const stop = () => {
        if (stopping) process.exit(1);
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
