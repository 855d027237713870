/**
 * How an instance authenticates: the mode its configuration selects, the OAuth grant a create carries (a code, or
 * an external refresh token), the keys the mode needs, and the credential check against the accounts.
 */
import { externalAuthenticationKeys } from "../elements/catalogue";
import type { AuthMode, ElementDefinition } from "../elements/types";
import { ApiError, oauthCodeMessage } from "./errors";
import { isPlainObject, quote } from "./input";
import type { ApiDeps } from "./types";

/** @internal An instance's `externalAuthentication`. */
export type ExternalAuthentication = "none" | "initial";

/** @internal The mode `values` select: the element's only mode, or the one its `authentication.type` names. */
export function modeOf(element: ElementDefinition, values: ReadonlyMap<string, string | null>): AuthMode {
    if (!element.modeKey) {
        return element.modes[0];
    }
    const value = values.get("authentication.type") ?? "";
    const mode = element.modes.find((candidate) => candidate.type === value);
    if (!mode) {
        const known = element.modes.map((candidate) => candidate.type).join(", ");
        throw new ApiError(
            400,
            `Invalid authentication.type ${quote(value)} for ${element.key}: expected one of ${known}`,
        );
    }
    return mode;
}

function externalAuthenticationInput(value: unknown): ExternalAuthentication | undefined {
    if (value === undefined || value === "none" || value === "initial") {
        return value;
    }
    throw new ApiError(400, `externalAuthentication must be "none" or "initial", not ${quote(value)}`);
}

function hasCode(providerData: unknown): boolean {
    return isPlainObject(providerData) && typeof providerData.code === "string" && providerData.code.trim() !== "";
}

/**
 * @internal The grant a create (or a re-authentication) carries: `"initial"` when the body says
 * `externalAuthentication: "initial"` (its keys are then required), else `"none"`; an OAuth mode without
 * `providerData.code` is the platform's 400.
 */
export function oauthGrant(
    element: ElementDefinition,
    mode: AuthMode,
    body: Record<string, unknown>,
): ExternalAuthentication {
    if (externalAuthenticationInput(body.externalAuthentication) === "initial") {
        if (!mode.oauth) {
            throw new ApiError(
                400,
                `externalAuthentication "initial" applies to OAuth2 authentication only; ${element.key} ` +
                    `(${mode.type}) takes its credentials in configuration`,
            );
        }
        return "initial";
    }
    if (mode.oauth && !hasCode(body.providerData)) {
        throw new ApiError(400, oauthCodeMessage);
    }
    return "none";
}

/** @internal 400 naming every key the element and its mode need (and an external grant's keys) that is empty. */
export function requireConfiguration(
    element: ElementDefinition,
    mode: AuthMode,
    values: ReadonlyMap<string, string | null>,
    external: ExternalAuthentication,
): void {
    const keys = new Set([
        ...element.requiredConfiguration,
        ...mode.requires,
        ...(external === "initial" ? externalAuthenticationKeys : []),
    ]);
    const missing = [...keys].filter((key) => (values.get(key) ?? "").trim() === "");
    if (missing.length > 0) {
        throw new ApiError(
            400,
            `Missing required configuration ${missing.length > 1 ? "entries" : "entry"} for ${element.key}: ${missing.join(", ")}`,
        );
    }
}

/**
 * @internal The fake provider's credential check: the accounts decide (Freshdesk: the subdomain's API keys; another
 * element: its listed credential sets, when it has any). A failure is a 400 with the provider's answer.
 */
export function checkCredentials(
    deps: ApiDeps,
    element: ElementDefinition,
    values: ReadonlyMap<string, string | null>,
): void {
    if (!deps.settings.validateCredentials) {
        return;
    }
    if (!deps.accounts().acceptsCredentials(element.key, values)) {
        throw new ApiError(400, `Failed to validate credentials for ${element.key}`, element.invalidCredentials);
    }
}

/** @internal Whether a change from `previous` to `next` touches a key the credential check reads. */
export function credentialsChanged(
    deps: ApiDeps,
    element: ElementDefinition,
    previous: ReadonlyMap<string, string | null>,
    next: ReadonlyMap<string, string | null>,
): boolean {
    return deps
        .accounts()
        .credentialKeys(element.key)
        .some((key) => (previous.get(key) ?? null) !== (next.get(key) ?? null));
}

/** @internal The checks of a create; answers the instance's `externalAuthentication`. */
export function authenticateCreate(
    deps: ApiDeps,
    element: ElementDefinition,
    values: ReadonlyMap<string, string | null>,
    body: Record<string, unknown>,
): ExternalAuthentication {
    const mode = modeOf(element, values);
    const external = oauthGrant(element, mode, body);
    requireConfiguration(element, mode, values, external);
    checkCredentials(deps, element, values);
    return external;
}

/** @internal An update as the authentication checks see it. */
export interface CredentialChange {
    previous: ReadonlyMap<string, string | null>;
    values: ReadonlyMap<string, string | null>;
    /** The request body: its `providerData` and `externalAuthentication` when the update re-authenticates. */
    body: Record<string, unknown>;
    /** `PUT ...?reAuthenticate=true`. */
    reAuthenticate: boolean;
    /** The instance's `externalAuthentication` before the update. */
    external: ExternalAuthentication;
}

/**
 * @internal The checks of an update; answers the instance's new `externalAuthentication`. An OAuth mode needs a new
 * grant when the update switches to it or re-authenticates; the credentials are re-checked when a key the check
 * reads changes, or on re-authentication.
 */
export function authenticateUpdate(
    deps: ApiDeps,
    element: ElementDefinition,
    change: CredentialChange,
): ExternalAuthentication {
    const mode = modeOf(element, change.values);
    const modeChanged =
        element.modeKey && change.previous.get("authentication.type") !== change.values.get("authentication.type");
    let external: ExternalAuthentication = "none";
    if (mode.oauth) {
        external = modeChanged || change.reAuthenticate ? oauthGrant(element, mode, change.body) : change.external;
    }
    requireConfiguration(element, mode, change.values, external);
    if (change.reAuthenticate || credentialsChanged(deps, element, change.previous, change.values)) {
        checkCredentials(deps, element, change.values);
    }
    return external;
}
