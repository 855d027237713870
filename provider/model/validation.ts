/**
 * Input validation and normalisation for `check`: pure functions, no I/O. Every problem becomes a failure
 * (`{property, reason}`, saying what is wrong and what is expected) instead of an exception, and nothing is sent to
 * the API before the inputs pass. Values unknown during preview pass through untouched.
 */

import { isLoopbackHost } from "../api/connection";
import { defaultEventResources, normalizeSubdomain } from "./freshdesk";
import { defaultPollingIntervalMinutes, type FreshdeskInstanceEvents, unknownValue } from "./instance";
import { reservedTagPrefixes } from "./tags";

/** A validation failure, as `check` returns it. */
export interface CheckFailure {
    readonly property: string;
    readonly reason: string;
}

/** The result of {@link checkInputs}. */
export interface CheckOutcome {
    /** Normalised inputs (raw values where a field failed, unknown values untouched). */
    readonly inputs: Record<string, unknown>;
    readonly failures: CheckFailure[];
}

/** Hub resources Freshdesk V2 exposes for polling; other identifier-shaped names are accepted too. */
export const knownEventResources: readonly string[] = ["incidents", "contacts", "accounts", "agents"];

const subdomainPattern = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const resourcePattern = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
// Cloud Elements strips HTML tags from names and tags; a value it would change could never converge.
const htmlLike = /[<>]/;
const maxNameLength = 255;

function typeName(value: unknown): string {
    if (value === null) {
        return "null";
    }
    return Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

/** Validates and normalises resource inputs. Drops keys it does not know (except `__provider`). */
export function checkInputs(news: Record<string, unknown>): CheckOutcome {
    const inputs: Record<string, unknown> = {};
    const failures: CheckFailure[] = [];
    const fail = (property: string, reason: string) => failures.push({ property, reason });

    const subdomain = news.subdomain;
    if (subdomain === unknownValue) {
        inputs.subdomain = subdomain;
    } else if (typeof subdomain !== "string") {
        fail(
            "subdomain",
            subdomain === undefined || subdomain === null
                ? 'subdomain is required: the Freshdesk subdomain, e.g. "acme" for acme.freshdesk.com'
                : `subdomain must be a string (e.g. "acme" for acme.freshdesk.com), got ${typeName(subdomain)}`,
        );
    } else {
        const normalized = normalizeSubdomain(subdomain);
        inputs.subdomain = normalized;
        if (!subdomainPattern.test(normalized)) {
            fail(
                "subdomain",
                `subdomain ${JSON.stringify(subdomain)} is not a Freshdesk subdomain: expected "acme", "acme.freshdesk.com" ` +
                    "or https://acme.freshdesk.com, where acme is 1-63 letters, digits or hyphens, not starting or ending with a hyphen",
            );
        }
    }

    // The API key's value is never echoed in a reason.
    const apiKey = news.apiKey;
    inputs.apiKey = apiKey;
    if (apiKey !== unknownValue) {
        if (typeof apiKey !== "string") {
            fail(
                "apiKey",
                apiKey === undefined || apiKey === null
                    ? "apiKey is required: the Freshdesk API key (Profile settings > API key in Freshdesk)"
                    : `apiKey must be a string (the Freshdesk API key), got ${typeName(apiKey)}`,
            );
        } else if (apiKey.length === 0) {
            fail("apiKey", "apiKey must not be empty: expected the Freshdesk API key");
        } else if (/\s/.test(apiKey)) {
            fail("apiKey", "apiKey must not contain whitespace (a stray space or newline copied with the key?)");
        }
    }

    const name = news.name;
    inputs.name = name;
    if (name !== unknownValue) {
        if (typeof name !== "string") {
            fail("name", `name must be a string (the instance name), got ${typeName(name)}`);
        } else if (name.trim() === "") {
            fail("name", "name must not be empty: expected the instance name (1-255 characters)");
        } else if (name.length > maxNameLength) {
            fail("name", `name is ${name.length} characters long: expected at most ${maxNameLength}`);
        } else if (htmlLike.test(name)) {
            fail("name", "name must not contain < or >: Cloud Elements strips HTML from names");
        }
    }

    const tags = news.tags ?? [];
    inputs.tags = tags;
    if (tags !== unknownValue) {
        if (!Array.isArray(tags)) {
            fail("tags", `tags must be an array of strings, got ${typeName(tags)}`);
        } else {
            tags.forEach((tag, i) => {
                if (tag === unknownValue) {
                    return;
                }
                if (typeof tag !== "string") {
                    fail(`tags[${i}]`, `tags[${i}] must be a string, got ${typeName(tag)}`);
                } else if (tag.trim() === "") {
                    fail(`tags[${i}]`, `tags[${i}] must not be empty`);
                } else if (tag.length > maxNameLength) {
                    fail(
                        `tags[${i}]`,
                        `tags[${i}] is ${tag.length} characters long: expected at most ${maxNameLength}`,
                    );
                } else if (htmlLike.test(tag)) {
                    fail(`tags[${i}]`, `tags[${i}] must not contain < or >: Cloud Elements strips HTML from tags`);
                } else {
                    const reserved = reservedTagPrefixes.find((prefix) => tag.startsWith(prefix));
                    if (reserved !== undefined) {
                        fail(
                            `tags[${i}]`,
                            `tags[${i}]: the prefix "${reserved}" is reserved for the provider's own tags`,
                        );
                    }
                }
            });
        }
    }

    const filter = news.filterResponseNulls ?? true;
    inputs.filterResponseNulls = filter;
    if (filter !== unknownValue && typeof filter !== "boolean") {
        fail("filterResponseNulls", `filterResponseNulls must be a boolean, got ${typeName(filter)}`);
    }

    const events = checkEvents(news.events, fail);
    inputs.events = events;

    const adopt = news.adoptInstanceId;
    if (adopt !== undefined && adopt !== null) {
        if (adopt === unknownValue) {
            inputs.adoptInstanceId = adopt;
        } else {
            const id = typeof adopt === "string" && /^\d+$/.test(adopt.trim()) ? Number(adopt.trim()) : adopt;
            if (typeof id !== "number" || !Number.isSafeInteger(id) || id <= 0) {
                fail(
                    "adoptInstanceId",
                    `adoptInstanceId must be a positive integer instance id (a number or a numeric string), got ${
                        typeof adopt === "string" ? JSON.stringify(adopt) : typeName(adopt)
                    }`,
                );
                inputs.adoptInstanceId = adopt;
            } else {
                inputs.adoptInstanceId = id;
            }
        }
    }

    const takeOver = news.adoptTakeOver;
    if (takeOver !== undefined && takeOver !== null) {
        inputs.adoptTakeOver = takeOver;
        if (takeOver !== unknownValue && typeof takeOver !== "boolean") {
            fail("adoptTakeOver", `adoptTakeOver must be a boolean, got ${typeName(takeOver)}`);
        }
    }

    // Set by the FreshdeskInstance constructor, not by users: kept as given (see InstanceInputs.owner).
    if (typeof news.owner === "string") {
        inputs.owner = news.owner;
    }

    if (typeof news.__provider === "string") {
        inputs.__provider = news.__provider;
    }
    // The runtime converts inputs with Struct.fromJavaScript, which rejects undefined.
    for (const key of Object.keys(inputs)) {
        if (inputs[key] === undefined) {
            delete inputs[key];
        }
    }
    return { inputs, failures };
}

const eventKeys = new Set(["enabled", "callbackUrl", "pollingIntervalMinutes", "resources", "signatureKey"]);

function checkEvents(value: unknown, fail: (property: string, reason: string) => void): unknown {
    if (value === unknownValue) {
        return value;
    }
    if (value === undefined || value === null) {
        return {
            enabled: false,
            pollingIntervalMinutes: defaultPollingIntervalMinutes,
            resources: [...defaultEventResources],
        } satisfies FreshdeskInstanceEvents;
    }
    if (typeof value !== "object" || Array.isArray(value)) {
        fail(
            "events",
            `events must be an object ({enabled, callbackUrl, pollingIntervalMinutes, resources, signatureKey}), got ${typeName(value)}`,
        );
        return value;
    }
    const raw = value as Record<string, unknown>;
    for (const key of Object.keys(raw)) {
        if (!eventKeys.has(key) && raw[key] !== undefined) {
            fail(`events.${key}`, `events.${key} is not a known field: expected one of ${[...eventKeys].join(", ")}`);
        }
    }
    const result: Record<string, unknown> = {};

    const enabled = raw.enabled ?? true;
    result.enabled = enabled;
    if (enabled !== unknownValue && typeof enabled !== "boolean") {
        fail("events.enabled", `events.enabled must be a boolean, got ${typeName(enabled)}`);
    }

    const callbackUrl = raw.callbackUrl;
    if (callbackUrl !== undefined && callbackUrl !== null) {
        result.callbackUrl = callbackUrl;
        if (callbackUrl !== unknownValue) {
            const problem = callbackUrlProblem(callbackUrl);
            if (problem) {
                fail("events.callbackUrl", problem);
            }
        }
    } else if (enabled === true) {
        fail(
            "events.callbackUrl",
            "events.callbackUrl is required when events are enabled: the https URL Cloud Elements posts events to",
        );
    }

    const interval = raw.pollingIntervalMinutes ?? defaultPollingIntervalMinutes;
    result.pollingIntervalMinutes = interval;
    if (
        interval !== unknownValue &&
        !(typeof interval === "number" && Number.isSafeInteger(interval) && interval > 0)
    ) {
        fail(
            "events.pollingIntervalMinutes",
            `events.pollingIntervalMinutes must be a positive whole number of minutes, got ${
                typeof interval === "number" ? interval : typeName(interval)
            }`,
        );
    }

    const resources = raw.resources ?? [...defaultEventResources];
    result.resources = resources;
    if (resources !== unknownValue) {
        if (!Array.isArray(resources)) {
            fail("events.resources", `events.resources must be an array of resource names, got ${typeName(resources)}`);
        } else if (resources.length === 0) {
            fail(
                "events.resources",
                `events.resources must not be empty: expected resource names such as ${knownEventResources.join(", ")}`,
            );
        } else {
            const seen = new Set<string>();
            resources.forEach((resource, i) => {
                if (resource === unknownValue) {
                    return;
                }
                if (typeof resource !== "string" || !resourcePattern.test(resource)) {
                    fail(
                        `events.resources[${i}]`,
                        `events.resources[${i}] must be a Freshdesk hub resource name such as ${knownEventResources.join(", ")} ` +
                            `(a letter, then letters, digits, _ or -), got ${typeof resource === "string" ? JSON.stringify(resource) : typeName(resource)}`,
                    );
                } else if (seen.has(resource)) {
                    fail(`events.resources[${i}]`, `events.resources lists "${resource}" twice`);
                } else {
                    seen.add(resource);
                }
            });
        }
    }

    const signatureKey = raw.signatureKey;
    if (signatureKey !== undefined && signatureKey !== null) {
        result.signatureKey = signatureKey;
        if (signatureKey !== unknownValue && (typeof signatureKey !== "string" || signatureKey === "")) {
            fail(
                "events.signatureKey",
                typeof signatureKey === "string"
                    ? "events.signatureKey must not be empty: omit it to send unsigned events"
                    : `events.signatureKey must be a string, got ${typeName(signatureKey)}`,
            );
        }
    }
    return result;
}

function callbackUrlProblem(value: unknown): string | undefined {
    const expected = "expected an https URL (http only for localhost/127.0.0.1/[::1])";
    if (typeof value !== "string") {
        return `events.callbackUrl must be a string, got ${typeName(value)}: ${expected}`;
    }
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        // Not echoed: callback URLs often carry a token in their query.
        return `events.callbackUrl is not a valid URL: ${expected}`;
    }
    if (url.protocol === "https:") {
        return undefined;
    }
    if (url.protocol === "http:" && isLoopbackHost(url.hostname)) {
        return undefined;
    }
    return `events.callbackUrl ${JSON.stringify(url.origin)} uses ${url.protocol.replace(":", "")}: ${expected}`;
}
