/** The instance API's error type and the fixed messages clients match on. */

/** @internal The message of every 401 (reference section 2). */
export const authFailureMessage = "Invalid Organization or User secret, or invalid Element token provided.";

/** @internal Freshdesk's answer to a bad API key, passed through as `providerMessage`. */
export const freshdeskInvalidCredentials =
    '{"code":"invalid_credentials","message":"You have to be logged in to perform this action."}';

/** @internal The message of every empty list answer (404; reference section 12). */
export const noInstancesMessage = "No instances found";

/** @internal An error answer: `{requestId, message[, providerMessage]}` (rendered by `errorOutcome`). */
export class ApiError extends Error {
    constructor(
        readonly status: number,
        message: string,
        readonly providerMessage?: string,
        readonly headers?: Record<string, string>,
    ) {
        super(message);
    }
}
