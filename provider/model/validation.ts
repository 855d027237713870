/**
 * Input validation and normalisation for `check`: pure functions, no I/O. Every problem becomes a failure
 * (`{property, reason}`, saying what is wrong and what is expected) instead of an exception, and nothing is sent to
 * the API before the inputs pass. Values unknown during preview pass through untouched.
 */

import { isLoopbackHost } from "../api/connection";
import { checkAccount } from "./account";
import { type CheckFailure, type Fail, typeName } from "./failures";
import { checkApiKey, checkSubdomain, defaultEventResources, knownEventResources } from "./freshdesk";
import { defaultPollingIntervalMinutes, type FreshdeskInstanceEvents, unknownValue } from "./instance";
import { reservedTagPrefixes } from "./tags";

export type { CheckFailure };

/** The result of {@link checkInputs}. */
export interface CheckOutcome {
    /** Normalised inputs (raw values where a field failed, unknown values untouched). */
    readonly inputs: Record<string, unknown>;
    readonly failures: CheckFailure[];
}

const resourcePattern = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
// Cloud Elements strips HTML tags from names and tags; a value it would change could never converge.
const htmlLike = /[<>]/;
const maxNameLength = 255;

/** Validates and normalises resource inputs. Drops keys it does not know (except `__provider`). */
export function checkInputs(news: Record<string, unknown>): CheckOutcome {
    const failures: CheckFailure[] = [];
    const fail: Fail = (property, reason) => failures.push({ property, reason });
    const inputs: Record<string, unknown> = {
        subdomain: checkSubdomain(news.subdomain, fail),
        apiKey: checkApiKey(news.apiKey, fail),
        name: checkName(news.name, fail),
        tags: checkTags(news.tags ?? [], fail),
        filterResponseNulls: checkBoolean("filterResponseNulls", news.filterResponseNulls ?? true, fail),
        events: checkEvents(news.events, fail),
        adoptInstanceId: checkAdoptInstanceId(news.adoptInstanceId, fail),
        adoptTakeOver: isAbsent(news.adoptTakeOver)
            ? undefined
            : checkBoolean("adoptTakeOver", news.adoptTakeOver, fail),
        enabled: isAbsent(news.enabled) ? undefined : checkBoolean("enabled", news.enabled, fail),
        account: checkAccount(news.account, fail),
        // Set by the FreshdeskInstance constructor, not by users: kept as given (see InstanceInputs.owner).
        owner: typeof news.owner === "string" ? news.owner : undefined,
        __provider: typeof news.__provider === "string" ? news.__provider : undefined,
    };
    // The runtime converts inputs with Struct.fromJavaScript, which rejects undefined.
    for (const key of Object.keys(inputs)) {
        if (inputs[key] === undefined) {
            delete inputs[key];
        }
    }
    return { inputs, failures };
}

export function isAbsent(value: unknown): value is undefined | null {
    return value === undefined || value === null;
}

/** `value` as given; a failure unless it is a boolean (or unknown). */
export function checkBoolean(property: string, value: unknown, fail: Fail): unknown {
    if (value !== unknownValue && typeof value !== "boolean") {
        fail(property, `${property} must be a boolean, got ${typeName(value)}`);
    }
    return value;
}

export function checkName(name: unknown, fail: Fail): unknown {
    if (name === unknownValue) {
        return name;
    }
    if (typeof name !== "string") {
        fail("name", `name must be a string (the instance name), got ${typeName(name)}`);
    } else if (name.trim() === "") {
        fail("name", "name must not be empty: expected the instance name (1-255 characters)");
    } else if (name.length > maxNameLength) {
        fail("name", `name is ${name.length} characters long: expected at most ${maxNameLength}`);
    } else if (htmlLike.test(name)) {
        fail("name", "name must not contain < or >: Cloud Elements strips HTML from names");
    }
    return name;
}

export function checkTags(tags: unknown, fail: Fail): unknown {
    if (tags === unknownValue) {
        return tags;
    }
    if (!Array.isArray(tags)) {
        fail("tags", `tags must be an array of strings, got ${typeName(tags)}`);
        return tags;
    }
    tags.forEach((tag, i) => {
        const problem = tag === unknownValue ? undefined : tagProblem(tag, `tags[${i}]`);
        if (problem !== undefined) {
            fail(`tags[${i}]`, problem);
        }
    });
    return tags;
}

function tagProblem(tag: unknown, property: string): string | undefined {
    if (typeof tag !== "string") {
        return `${property} must be a string, got ${typeName(tag)}`;
    }
    if (tag.trim() === "") {
        return `${property} must not be empty`;
    }
    if (tag.length > maxNameLength) {
        return `${property} is ${tag.length} characters long: expected at most ${maxNameLength}`;
    }
    if (htmlLike.test(tag)) {
        return `${property} must not contain < or >: Cloud Elements strips HTML from tags`;
    }
    const reserved = reservedTagPrefixes.find((prefix) => tag.startsWith(prefix));
    return reserved === undefined
        ? undefined
        : `${property}: the prefix "${reserved}" is reserved for the provider's own tags`;
}

/** The id to adopt, a numeric string made a number; the raw value when it fails. */
export function checkAdoptInstanceId(adopt: unknown, fail: Fail): unknown {
    if (isAbsent(adopt)) {
        return undefined;
    }
    if (adopt === unknownValue) {
        return adopt;
    }
    const id = typeof adopt === "string" && /^\d+$/.test(adopt.trim()) ? Number(adopt.trim()) : adopt;
    if (typeof id === "number" && Number.isSafeInteger(id) && id > 0) {
        return id;
    }
    fail(
        "adoptInstanceId",
        `adoptInstanceId must be a positive integer instance id (a number or a numeric string), got ${
            typeof adopt === "string" ? JSON.stringify(adopt) : typeName(adopt)
        }`,
    );
    return adopt;
}

const eventKeys = new Set(["enabled", "callbackUrl", "pollingIntervalMinutes", "resources", "signatureKey"]);

function checkEvents(value: unknown, fail: Fail): unknown {
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
    checkEventKeys(raw, fail);
    const enabled = checkBoolean("events.enabled", raw.enabled ?? true, fail);
    const callbackUrl = checkCallbackUrl(raw.callbackUrl, enabled, fail);
    const pollingIntervalMinutes = checkPollingInterval(
        raw.pollingIntervalMinutes ?? defaultPollingIntervalMinutes,
        fail,
    );
    const resources = checkEventResources(raw.resources ?? [...defaultEventResources], fail);
    const signatureKey = checkSignatureKey(raw.signatureKey, fail);
    return {
        enabled,
        ...(callbackUrl === undefined ? {} : { callbackUrl }),
        pollingIntervalMinutes,
        resources,
        ...(signatureKey === undefined ? {} : { signatureKey }),
    };
}

function checkEventKeys(raw: Record<string, unknown>, fail: Fail): void {
    for (const key of Object.keys(raw)) {
        if (!eventKeys.has(key) && raw[key] !== undefined) {
            fail(`events.${key}`, `events.${key} is not a known field: expected one of ${[...eventKeys].join(", ")}`);
        }
    }
}

/** The callback URL as given (`undefined` when absent, which fails while events are enabled). */
export function checkCallbackUrl(callbackUrl: unknown, enabled: unknown, fail: Fail): unknown {
    if (isAbsent(callbackUrl)) {
        if (enabled === true) {
            fail(
                "events.callbackUrl",
                "events.callbackUrl is required when events are enabled: the https URL Cloud Elements posts events to",
            );
        }
        return undefined;
    }
    const problem = callbackUrl === unknownValue ? undefined : callbackUrlProblem(callbackUrl);
    if (problem) {
        fail("events.callbackUrl", problem);
    }
    return callbackUrl;
}

export function checkPollingInterval(interval: unknown, fail: Fail): unknown {
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
    return interval;
}

function checkEventResources(resources: unknown, fail: Fail): unknown {
    if (resources === unknownValue) {
        return resources;
    }
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
    return resources;
}

/** The signature key as given (`undefined` when absent); a failure unless it is a non-empty string. */
export function checkSignatureKey(signatureKey: unknown, fail: Fail): unknown {
    if (isAbsent(signatureKey)) {
        return undefined;
    }
    if (signatureKey !== unknownValue && (typeof signatureKey !== "string" || signatureKey === "")) {
        fail(
            "events.signatureKey",
            typeof signatureKey === "string"
                ? "events.signatureKey must not be empty: omit it to send unsigned events"
                : `events.signatureKey must be a string, got ${typeName(signatureKey)}`,
        );
    }
    return signatureKey;
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
