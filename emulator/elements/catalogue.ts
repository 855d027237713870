/**
 * The elements this emulator knows, and what the instance API derives from each: item ids, the value of an unset
 * key, the keys a user must supply, which values are masked and which are secret.
 */
import { connectwisecrmrest } from "./connectwisecrmrest";
import { freshdeskv2 } from "./freshdeskv2";
import { freshservice } from "./freshservice";
import { hubspot } from "./hubspot";
import { jira } from "./jira";
import { salesforcemarketingcloud } from "./salesforcemarketingcloud";
import { servicenow } from "./servicenow";
import { sfdc } from "./sfdc";
import type { ConfigItem, ElementDefinition, ElementSpec } from "./types";

/** @internal The mask the platform shows for masked values. */
export const mask = "********";

/**
 * @internal Keys masked on every element besides its PASSWORD items: `user.password` (PASSWORD-typed wherever it
 * appears) and the OAuth client and refresh token, masked in the POST answer and in `/instances/{id}/configuration`
 * (churros `src/test/platform/elements/instances.js`, sfdc).
 */
export const alwaysMaskedKeys: ReadonlySet<string> = new Set([
    "user.password",
    "oauth.api.key",
    "oauth.api.secret",
    "oauth.user.refresh_token",
]);

/** Keys that hold a secret on every element although the platform returns them in clear. */
const alwaysSecretKeys = ["event.notification.signature.key", "oauth.user.token"];

/** @internal The keys `externalAuthentication: "initial"` needs (docs.cloud-elements.com, refresh-token provisioning). */
export const externalAuthenticationKeys: readonly string[] = Object.freeze([
    "oauth.user.refresh_token",
    "oauth.api.key",
    "oauth.api.secret",
]);

function configurationItems(spec: ElementSpec): ConfigItem[] {
    return spec.items.map(({ modes: _modes, ...rest }, index) =>
        Object.freeze({ id: spec.block.id * 1000 + index + 1, ...rest }),
    );
}

/** Derives what the instance API needs from an element file. */
function define(spec: ElementSpec): ElementDefinition {
    const configuration = configurationItems(spec);
    const masked = new Set(alwaysMaskedKeys);
    for (const entry of configuration) {
        if (entry.type === "PASSWORD") {
            masked.add(entry.key);
        }
    }
    const authentication = spec.block.authentication;
    return Object.freeze({
        ...spec,
        id: spec.block.id,
        key: spec.block.key,
        summary: Object.freeze({
            id: spec.block.id,
            key: spec.block.key,
            name: spec.block.name,
            hub: spec.block.hub,
            authentication,
        }),
        configuration: Object.freeze(configuration),
        itemModes: new Map(spec.items.flatMap((entry) => (entry.modes ? [[entry.key, entry.modes]] : []))),
        configurationDefaults: new Map(
            configuration.map((entry) => [entry.key, entry.defaultValue ?? spec.unsetValue]),
        ),
        requiredConfiguration: Object.freeze(
            configuration
                .filter((entry) => entry.required && !entry.internal && entry.defaultValue === undefined)
                .map((entry) => entry.key),
        ),
        maskedKeys: masked,
        secretKeys: new Set([...masked, ...spec.clearSecrets, ...alwaysSecretKeys]),
    });
}

/** @internal Every element, in the order `GET /elements` lists them. */
export const elements: readonly ElementDefinition[] = Object.freeze(
    [freshdeskv2, freshservice, servicenow, jira, hubspot, connectwisecrmrest, salesforcemarketingcloud, sfdc].map(
        define,
    ),
);

/** @internal Freshdesk V2, also the element of a stored instance whose element is unknown (older state files). */
export const freshdeskV2: ElementDefinition = elements[0];

/** @internal The element with this key or numeric id (as a string or number), if the emulator knows it. */
export function findElement(keyOrId: string | number): ElementDefinition | undefined {
    const text = String(keyOrId);
    return elements.find((element) => element.key === text || String(element.id) === text);
}

/** @internal The element of a stored instance. */
export function elementOf(instance: { elementKey: string }): ElementDefinition {
    return findElement(instance.elementKey) ?? freshdeskV2;
}

/** @internal Every key that is secret on some element: the request log redacts them in any body. */
export const anySecretKeys: ReadonlySet<string> = new Set(elements.flatMap((element) => [...element.secretKeys]));
