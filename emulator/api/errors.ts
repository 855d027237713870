/** The instance API's error type and the fixed messages clients match on. */

/** @internal The message of every 401 (reference section 2). */
export const authFailureMessage = "Invalid Organization or User secret, or invalid Element token provided.";

/** @internal The platform's answer to an OAuth create without a code (https://github.com/cloud-elements/churros/issues/658), verbatim. */
export const oauthCodeMessage = "You must provide an OAuth code in order to create an instance of this element";

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
