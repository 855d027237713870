/**
 * Starts the Cloud Elements emulator in-process for tests that exercise the provider against real HTTP, and builds
 * the stack config the provider's `configure` reads.
 */
import { DEV_ACCOUNTS, type EmulatorOptions, type RunningEmulator, startEmulator } from "../../emulator";

export { DEV_ACCOUNTS };

/** The first development organization and user: what {@link connectionConfig} authenticates as. */
export const devOrganization = DEV_ACCOUNTS.organizations[0];
export const devUser = devOrganization.users[0];
/** A Freshdesk account the emulator's credential check accepts, and one of its keys. */
export const acme = { subdomain: DEV_ACCOUNTS.freshdesk[0].subdomain, apiKey: DEV_ACCOUNTS.freshdesk[0].apiKeys[1] };

/** A `pulumi.dynamic.Config` lookalike over plain values (what `configure` receives). */
export function configReader(values: Record<string, string>): { get(key: string): string | undefined } {
    return { get: (key: string) => values[key] };
}

/** Stack config pointing at `emulator` with the development credentials, plus `overrides`. */
export function connectionConfig(
    emulator: Pick<RunningEmulator, "baseUrl">,
    overrides: Record<string, string> = {},
): Record<string, string> {
    return {
        "cloudelements:baseUrl": emulator.baseUrl,
        "cloudelements:userSecret": devUser.userSecret,
        "cloudelements:organizationSecret": devOrganization.organizationSecret,
        ...overrides,
    };
}

/**
 * Starts one emulator for the calling test file (in `beforeAll`), resets it before each test and closes it after
 * the file. Returns a getter, valid inside tests.
 */
export function useEmulator(options: EmulatorOptions = {}): () => RunningEmulator {
    let running: RunningEmulator | undefined;
    beforeAll(async () => {
        running = await startEmulator(options);
    });
    beforeEach(async () => {
        await running?.control.reset();
    });
    afterAll(async () => {
        await running?.close();
    });
    return () => {
        if (!running) {
            throw new Error("the emulator is not running (useEmulator must be called at the top of a test file)");
        }
        return running;
    };
}

/** Authorization header of the development user. */
export const devAuthorization = `User ${devUser.userSecret}, Organization ${devOrganization.organizationSecret}`;

/**
 * One request to the emulator's instance API as the development user, bypassing the provider (to arrange state or
 * to change an instance behind the provider's back). Fails the test on a non-2xx answer.
 */
export async function callApi(
    emulator: Pick<RunningEmulator, "baseUrl">,
    method: string,
    path: string,
    body?: unknown,
): Promise<any> {
    const response = await fetch(`${emulator.baseUrl}${path}`, {
        method,
        headers: {
            authorization: devAuthorization,
            ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    if (!response.ok) {
        throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    }
    return text ? JSON.parse(text) : undefined;
}

/** Every path in `value` whose string contains `needle`: where a secret would sit in a provider's result. */
export function pathsContaining(value: unknown, needle: string, at = ""): string[] {
    if (typeof value === "string") {
        return value.includes(needle) ? [at] : [];
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([k, v]) => pathsContaining(v, needle, at ? `${at}.${k}` : k));
    }
    return [];
}
