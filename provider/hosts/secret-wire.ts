/**
 * Secret values in the engine's wire format, for both hosts: a provider that marks a nested value as a secret in
 * what it returns (inputs from check, outputs, read results) makes the engine store that value encrypted, whatever
 * the program passed. The format is the engine's (`sdk/go/common/resource/sig`).
 */

/** The key that marks a special value in the engine's wire format. */
export const specialSigKey = "4dabf18193072939515e22adb298388d";
/** `specialSigKey`'s value for a secret. */
export const secretSig = "1b47061264138c4ac30d75fd1eb44270";

type Props = Record<string, unknown>;

/** Whether `value` is a plain object (not an array, not null). */
export function isObject(value: unknown): value is Props {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Wraps a value as a secret in the engine's wire format. */
export function secret(value: unknown): Props {
    return { [specialSigKey]: secretSig, value };
}

/** Whether `value` is a wrapped secret. */
export function isSecretValue(value: unknown): value is Props {
    return isObject(value) && value[specialSigKey] === secretSig;
}

/** A path to a property: a top-level name, then keys of nested objects. */
export type SecretPath = readonly string[];

/**
 * The secret paths of an `ElementInstance`'s inputs or outputs: each secret configuration key, the signature key and
 * the account's secrets. (The token is marked by the hosts' own means.)
 */
export function elementSecretPaths(values: Props): SecretPath[] {
    const configuration = isObject(values.configuration) ? values.configuration : {};
    const keys = Array.isArray(values.secretConfigurationKeys) ? values.secretConfigurationKeys : [];
    return [
        ...keys
            .filter((k): k is string => typeof k === "string" && k in configuration)
            .map((k) => ["configuration", k]),
        ["events", "signatureKey"],
        ["account", "userSecret"],
        ["account", "organizationSecret"],
    ];
}

/** A copy of `props` with the value at each path (where present) wrapped as a secret, once. */
export function wrapPaths(props: Props, paths: readonly SecretPath[]): Props {
    const result: Props = { ...props };
    for (const path of paths) {
        wrapAt(result, path);
    }
    return result;
}

function wrapAt(target: Props, path: SecretPath): void {
    const [head, ...rest] = path;
    const value = target[head];
    if (value === undefined || value === null || isSecretValue(value)) {
        return;
    }
    if (rest.length === 0) {
        target[head] = secret(value);
    } else if (isObject(value)) {
        const copy = { ...value };
        wrapAt(copy, rest);
        target[head] = copy;
    }
}
