/**
 * The one secret sweep every suite uses ({@link findSecrets}): a secret counts as found in a text when any of its
 * encoded forms occurs there, not only its plaintext. A leak rarely prints a secret verbatim: a URL or a form body
 * percent-encodes it, a Basic auth header or a careless log base64-encodes it (inside a longer string, so at any byte
 * alignment), a state file or a JSON log escapes it.
 */

/** Base64 characters (of any alignment) a secret must yield before its base64 cores are searched. */
const minimumCore = 8;

/** The named encoded forms of one secret (duplicates removed; forms shorter than {@link minimumCore} dropped). */
export function secretForms(value: string): Record<string, string> {
    const forms: Record<string, string> = {
        plain: value,
        "URL-encoded": encodeURIComponent(value),
        "form-encoded": new URLSearchParams({ s: value }).toString().slice(2),
        "JSON-escaped": JSON.stringify(value).slice(1, -1),
    };
    const bytes = Buffer.from(value, "utf8");
    // Base64 of a text that contains the secret at byte offset o encodes it in groups that start at o mod 3: for each
    // alignment, the groups that lie wholly inside the secret encode the same way whatever surrounds it.
    for (let skip = 0; skip < 3; skip++) {
        const whole = bytes.subarray(skip, skip + Math.floor((bytes.length - skip) / 3) * 3);
        const core = whole.toString("base64");
        if (core.length < minimumCore) {
            continue;
        }
        forms[`base64 (alignment ${skip})`] = core;
        forms[`base64url (alignment ${skip})`] = whole.toString("base64url");
    }
    forms.base64 = bytes.toString("base64");
    forms.base64url = bytes.toString("base64url");
    const seen = new Set<string>();
    for (const [name, form] of Object.entries(forms)) {
        if (seen.has(form) || form.length === 0) {
            delete forms[name];
        } else {
            seen.add(form);
        }
    }
    return forms;
}

/** Which forms (see {@link secretForms}) of `value` occur in `text`. */
export function formsFound(text: string, value: string): string[] {
    if (value.length === 0) {
        return [];
    }
    return Object.entries(secretForms(value))
        .filter(([, form]) => text.includes(form))
        .map(([name]) => name);
}

/**
 * Names of the secrets that occur in `text` in any form of {@link secretForms}: plain, URL- or form-encoded,
 * JSON-escaped, base64 or base64url at any alignment. Empty values are ignored.
 */
export function findSecrets(text: string, secrets: Record<string, string>): string[] {
    return Object.entries(secrets)
        .filter(([, value]) => formsFound(text, value).length > 0)
        .map(([name]) => name)
        .sort();
}
