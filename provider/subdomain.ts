/**
 * The Freshdesk subdomain's normal form, shared by validation (what the user writes) and mapping (what the API
 * returns), so that neither imports the other.
 */

/**
 * Normalises what users write for a Freshdesk account: `acme`, `acme.freshdesk.com`, `https://acme.freshdesk.com/`
 * all become `acme`. Does not validate; see `checkInputs` in `validation.ts`.
 */
export function normalizeSubdomain(value: string): string {
    let result = value.trim().toLowerCase();
    result = result.replace(/^https?:\/\//, "").replace(/\/+$/, "");
    if (result.endsWith(".freshdesk.com")) {
        result = result.slice(0, -".freshdesk.com".length);
    }
    return result;
}
