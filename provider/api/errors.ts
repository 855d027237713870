/**
 * The provider's error types. Every failure that leaves the provider is one of these, so no axios error (whose
 * `config.headers.Authorization` holds the Cloud Elements secrets) and no response body (which may hold the instance
 * token) ever reaches the engine, the CLI output or the state file.
 *
 * Brand checks (`isInstance`) instead of `instanceof`: the provider code is loaded by the dynamic-provider process
 * and by the program from different paths (source under ts-jest, `bin/` at run time), so two copies of these classes
 * can coexist.
 */
import { describeOrigin, type SettingOrigin, settingNames } from "./settings";

const cloudElementsErrorBrand = Symbol.for("pulumi-cloudelements-freshdesk:CloudElementsError");
const httpErrorBrand = Symbol.for("pulumi-cloudelements-freshdesk:HttpError");
const partialCreateErrorBrand = Symbol.for("pulumi-cloudelements-freshdesk:PartialCreateError");

/** What went wrong, coarsely: lets callers branch without parsing messages. */
export type CloudElementsErrorKind =
    /** The connection settings (base URL, secrets, timeouts) are missing or invalid. */
    | "configuration"
    /** The API answered with an error status, or did not answer at all. */
    | "http"
    /** The API answered, but not with what was expected (not JSON, not an instance of the expected element, ...). */
    | "response"
    /** An instance exists but a later step failed; see {@link PartialCreateError}. */
    | "partial"
    /** The resource's inputs do not fit the element's metadata (a missing required key, OAuth without a token). */
    | "input";

/** Base class of every error raised by this package. */
export class CloudElementsError extends Error {
    /** What went wrong, coarsely. */
    readonly kind: CloudElementsErrorKind;

    /**
     * @param kind
     *  What went wrong, coarsely.
     * @param message
     *  A message that never contains a secret.
     */
    constructor(kind: CloudElementsErrorKind, message: string) {
        super(message);
        this.name = "CloudElementsError";
        this.kind = kind;
        Object.defineProperty(this, cloudElementsErrorBrand, { value: true });
    }

    /** Whether `obj` is a {@link CloudElementsError}, even one from another copy of this package. */
    static isInstance(obj: unknown): obj is CloudElementsError {
        return (
            typeof obj === "object" &&
            obj !== null &&
            (obj as Record<symbol, unknown>)[cloudElementsErrorBrand] === true
        );
    }
}

/** The facts an {@link HttpError} carries. */
export interface HttpErrorDetails {
    /** The HTTP method, upper case. */
    readonly method: string;
    /** The path below the base URL, without the query string. */
    readonly path: string;
    /** The HTTP status, or `undefined` when no response arrived (timeout, reset, refused). */
    readonly status?: number;
    /** The network error code (`ECONNRESET`, `ECONNABORTED`, ...) when no response arrived. */
    readonly code?: string;
    /** The Cloud Elements request id (`requestId` in the body or the `Elements-Request-Id` header). */
    readonly requestId?: string;
    /** The platform's `message`, already redacted. */
    readonly apiMessage?: string;
    /** The `providerMessage` (the raw Freshdesk answer passed through), already redacted. */
    readonly providerMessage?: string;
    /** Whether the error body was a JSON object (a Cloud Elements error), as opposed to HTML, text or nothing. */
    readonly jsonBody?: boolean;
    /** The base URL the request went to and where it came from, so the message can name the setting to fix. */
    readonly endpoint?: Endpoint;
}

/** Where requests go: the base URL in use and the setting it came from. */
export interface Endpoint {
    /** The normalised base URL (`https://host/elements/api-v2`). */
    readonly baseUrl: string;
    /** Where it came from; absent for settings built by hand (tests). */
    readonly origin?: SettingOrigin;
}

/** A failed Cloud Elements API call. Carries no request configuration, no headers and no response body. */
export class HttpError extends CloudElementsError {
    /** The HTTP method, upper case. */
    readonly method: string;
    /** The path below the base URL, without the query string. */
    readonly path: string;
    /** The HTTP status, or `undefined` when no response arrived. */
    readonly status?: number;
    /** The network error code when no response arrived. */
    readonly code?: string;
    /** The Cloud Elements request id, when the API sent one. */
    readonly requestId?: string;
    /** The platform's error message, redacted. */
    readonly apiMessage?: string;
    /** The provider's (Freshdesk's) error message passed through by the platform, redacted. */
    readonly providerMessage?: string;
    /**
     * Whether the error body was a JSON object, i.e. an answer of the Cloud Elements API itself. A 404 only means
     * "no such instance" when it is: an HTML 404 more likely means a wrong base URL.
     */
    readonly jsonBody: boolean;

    /**
     * @param details
     *  What failed. Messages must already be redacted.
     * @param summary
     *  A sentence saying what the call was for, e.g. "creating the Freshdesk instance".
     */
    constructor(details: HttpErrorDetails, summary?: string) {
        super("http", HttpError.formatMessage(details, summary));
        this.name = "HttpError";
        this.method = details.method;
        this.path = details.path;
        this.status = details.status;
        this.code = details.code;
        this.requestId = details.requestId;
        this.apiMessage = details.apiMessage;
        this.providerMessage = details.providerMessage;
        this.jsonBody = details.jsonBody === true;
        Object.defineProperty(this, httpErrorBrand, { value: true });
    }

    /** Whether `obj` is an {@link HttpError}, even one from another copy of this package. */
    static isInstance(obj: unknown): obj is HttpError {
        return typeof obj === "object" && obj !== null && (obj as Record<symbol, unknown>)[httpErrorBrand] === true;
    }

    private static formatMessage(d: HttpErrorDetails, summary?: string): string {
        const outcome =
            d.status !== undefined
                ? `HTTP ${d.status}${statusHint(d.status)}${credentialHint(d)}`
                : `no response (${d.code ?? "network error"})${noResponseHint(d)}`;
        let message = `Cloud Elements ${d.method} ${d.path} failed: ${outcome}`;
        if (summary) {
            message = `${summary}: ${message}`;
        }
        if (d.apiMessage) {
            message += `: ${d.apiMessage}`;
        }
        if (d.providerMessage) {
            message += ` (provider: ${d.providerMessage})`;
        }
        if (d.status !== undefined && d.jsonBody !== true && d.endpoint !== undefined) {
            // Not an answer of the Cloud Elements API (HTML, text, nothing): the base URL is the likeliest cause.
            message += `; ${describeEndpoint(d.endpoint)}`;
        }
        if (d.requestId) {
            message += ` [requestId ${d.requestId}]`;
        }
        return message;
    }
}

/**
 * The network error codes the provider tells apart (the one list of them), and what each means:
 * - `neverSent`: the request never reached a server (connection refused, DNS, TLS trust). It was not processed, so
 *   even a POST may be sent again, and the likeliest cause is the base URL.
 * - `permanent`: repeating the request as is cannot help (a name that does not resolve, a malformed request).
 * Any other code (ECONNRESET, ETIMEDOUT, ...) may come after the server received the request, and may pass.
 */
const networkErrorCodes: Readonly<Record<string, { readonly neverSent: boolean; readonly permanent: boolean }>> = {
    ECONNREFUSED: { neverSent: true, permanent: false },
    ENOTFOUND: { neverSent: true, permanent: true },
    EAI_AGAIN: { neverSent: true, permanent: false },
    EHOSTUNREACH: { neverSent: true, permanent: false },
    ENETUNREACH: { neverSent: true, permanent: false },
    EADDRNOTAVAIL: { neverSent: true, permanent: false },
    CERT_HAS_EXPIRED: { neverSent: true, permanent: false },
    DEPTH_ZERO_SELF_SIGNED_CERT: { neverSent: true, permanent: false },
    SELF_SIGNED_CERT_IN_CHAIN: { neverSent: true, permanent: false },
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: { neverSent: true, permanent: false },
    ERR_TLS_CERT_ALTNAME_INVALID: { neverSent: true, permanent: false },
    EPROTO: { neverSent: false, permanent: true },
    ERR_INVALID_URL: { neverSent: false, permanent: true },
    ERR_BAD_OPTION: { neverSent: false, permanent: true },
    ERR_BAD_OPTION_VALUE: { neverSent: false, permanent: true },
};

/** Whether a network error code means the request never reached a server (see {@link networkErrorCodes}). */
export function isConnectFailureCode(code: string | undefined): boolean {
    return code !== undefined && Object.hasOwn(networkErrorCodes, code) && networkErrorCodes[code].neverSent;
}

/** Whether repeating a request that failed with this network error code cannot help. */
export function isPermanentNetworkCode(code: string | undefined): boolean {
    return code !== undefined && Object.hasOwn(networkErrorCodes, code) && networkErrorCodes[code].permanent;
}

/**
 * Where a request went and which setting chose it: `base URL http://host:port/elements/api-v2 from stack config
 * cloudelements:baseUrl (it wins over the environment variable CLOUD_ELEMENTS_BASE_URL)`. Without an endpoint (an
 * error built by hand), a hint naming both places.
 */
export function describeEndpoint(endpoint: Endpoint | undefined): string {
    if (endpoint === undefined) {
        return `check ${settingNames("baseUrl")}`;
    }
    const from = endpoint.origin === undefined ? settingNames("baseUrl") : describeOrigin("baseUrl", endpoint.origin);
    return `base URL ${endpoint.baseUrl} from ${from}`;
}

function noResponseHint(d: HttpErrorDetails): string {
    if (isConnectFailureCode(d.code)) {
        return `: the request never reached Cloud Elements; ${describeEndpoint(d.endpoint)}`;
    }
    return d.endpoint === undefined ? "" : `; ${describeEndpoint(d.endpoint)}`;
}

/** Cloud Elements answers 400 when Freshdesk rejects the API key (the element's credential check). */
function credentialHint(d: HttpErrorDetails): string {
    const text = `${d.apiMessage ?? ""} ${d.providerMessage ?? ""}`;
    return d.status === 400 && /validate credentials|invalid_credentials/i.test(text)
        ? " (apiKey: Freshdesk rejected the API key for this subdomain; check the apiKey and subdomain inputs)"
        : "";
}

function statusHint(status: number): string {
    switch (status) {
        case 401:
            return ` (check ${settingNames("userSecret")} and ${settingNames("organizationSecret")})`;
        case 403:
            return " (forbidden)";
        case 404:
            return " (not found)";
        case 429:
            return " (rate limited)";
        default:
            return "";
    }
}

/**
 * An instance exists on Cloud Elements, but a step after its creation failed. The dynamic-provider runtime
 * (`grpcResponseFromError` in `@pulumi/pulumi/cmd/dynamic-provider`) recognises the `id`, `properties` and `reasons`
 * fields and reports `ErrorResourceInitFailed`, so the engine records the instance (with init errors) instead of
 * orphaning it, and retries with an update on the next `up`.
 */
export class PartialCreateError extends CloudElementsError {
    /** The id of the instance that exists. */
    readonly id: string;
    /** The resource outputs to record; includes the inputs (and so `__provider`, which later operations need). */
    declare readonly properties: Record<string, unknown>;
    /** Why the instance is not fully initialised. */
    readonly reasons: string[];

    /**
     * @param id
     *  The id of the instance that exists.
     * @param properties
     *  The outputs to record, `...inputs` included.
     * @param reasons
     *  What failed, without secrets.
     */
    constructor(id: string, properties: Record<string, unknown>, reasons: string[]) {
        super(
            "partial",
            `Cloud Elements instance ${id} was created but is not fully initialised: ${reasons.join("; ")}`,
        );
        this.name = "PartialCreateError";
        this.id = id;
        this.reasons = reasons;
        // Not enumerable: the properties hold the API key and token, and must not show up when the error is logged.
        Object.defineProperty(this, "properties", { value: properties, enumerable: false });
        Object.defineProperty(this, partialCreateErrorBrand, { value: true });
    }

    /** Whether `obj` is a {@link PartialCreateError}, even one from another copy of this package. */
    static isInstance(obj: unknown): obj is PartialCreateError {
        return (
            typeof obj === "object" &&
            obj !== null &&
            (obj as Record<symbol, unknown>)[partialCreateErrorBrand] === true
        );
    }
}

const masked = "[REDACTED]";

/**
 * Replaces every occurrence of each secret in `text`. Secrets shorter than 4 characters are ignored: replacing them
 * would mangle ordinary words without protecting anything real.
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
    let result = text;
    const sorted = secrets
        .filter((s): s is string => typeof s === "string" && s.length >= 4)
        .sort((a, b) => b.length - a.length);
    for (const secret of sorted) {
        result = result.split(secret).join(masked);
    }
    return result;
}

/** Whether an error is the API's own "not found" (JSON body), not, say, an HTML 404 from a wrong base URL. */
export function isApiNotFound(err: HttpError): boolean {
    return err.status === 404 && err.jsonBody;
}

/** Whether the request never reached a server (connection refused, DNS, TLS): safe to send again, even a POST. */
export function isConnectFailure(err: unknown): boolean {
    return HttpError.isInstance(err) && err.status === undefined && isConnectFailureCode(err.code);
}

/** Whether a failed POST may or may not have created something (no answer, or a server error). */
export function isAmbiguousFailure(err: unknown): boolean {
    if (HttpError.isInstance(err)) {
        return (err.status === undefined && !isConnectFailure(err)) || (err.status !== undefined && err.status >= 500);
    }
    // A 2xx answer we could not understand: the instance may well exist.
    return CloudElementsError.isInstance(err) && err.kind === "response";
}

/** The message of anything thrown. */
export function messageOf(err: unknown): string {
    return err instanceof Error ? err.message : String(err);
}
