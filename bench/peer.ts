/**
 * The peer: the Freshdesk instance resource as a user would write it from Pulumi's dynamic-provider documentation,
 * measured next to `FreshdeskInstance` so the benchmark shows what the straightforward way costs.
 *
 * It follows the documented shape: a `dynamic.Resource` subclass whose constructor passes a provider object literal
 * (a new one per resource) with `create`, `read`, `update`, `delete` and `diff`, the output keys seeded with
 * `undefined`, and a module-level axios client that the methods close over. It calls the same endpoints as
 * `FreshdeskInstance` (`POST`, `GET`, `PATCH`, `DELETE /instances`) with the same request bodies, minus what the
 * documentation does not show: no input validation, no retries, no lost-response safety, no create marker.
 *
 * Three things a user meets at once shape it, all as the documentation says:
 * - an axios instance built at module load cannot be serialized into `__provider` (the SDK's closure serializer
 *   fails on a native function it reaches through axios's internals), so the client is built by `configure`, from
 *   the stack's `cloudelements:*` config: the documented way to give a dynamic provider its credentials without
 *   capturing them in state;
 * - captured variables are serialized by value, each function with its own copy: a module-level `let client` set by
 *   `configure` would stay undefined for `create`. What every function shares is a captured object, so the client
 *   lives in a module-level holder object;
 * - the closure serializer copies what the methods reach into every resource's `__provider`: the methods, their
 *   helpers and constants as source, the `axios` module as a `require`.
 */

import * as pulumi from "@pulumi/pulumi";
import axios, { type AxiosInstance } from "axios";
import type { FreshdeskInstanceArgs } from "../provider";
import type { ApiInstance } from "../provider/api/wire";

/** The module-level client the provider methods share; built by `configure` in the provider process. */
const shared: { client?: AxiosInstance } = {};

const elementKey = "freshdeskv2";

function api(): AxiosInstance {
    if (!shared.client) {
        throw new Error("the provider was not configured");
    }
    return shared.client;
}

/** The request body's configuration, as the element documents it. */
function configuration(inputs: PeerInputs): Record<string, unknown> {
    return {
        subdomain: inputs.subdomain,
        username: inputs.apiKey,
        "filter.response.nulls": true,
        "event.notification.enabled": false,
    };
}

/** What the instance answers with, as outputs (the API key stays an input; the token is a secret output). */
function outputsOf(inputs: PeerInputs, instance: ApiInstance): Record<string, unknown> {
    return {
        ...inputs,
        instanceId: instance.id,
        token: instance.token,
        createdDate: instance.createdDate,
        valid: instance.valid,
        disabled: instance.disabled,
    };
}

/** Inputs of {@link PeerInstance}, resolved. */
interface PeerInputs {
    subdomain: string;
    apiKey: string;
    name: string;
    tags: string[];
}

/** Arguments of {@link PeerInstance}: those of `FreshdeskInstance` the benchmark uses. */
export type PeerInstanceArgs = Pick<FreshdeskInstanceArgs, "subdomain" | "apiKey" | "name" | "tags">;

/** A Freshdesk V2 instance through a documentation-style dynamic provider (see the module comment). */
export class PeerInstance extends pulumi.dynamic.Resource {
    declare readonly instanceId: pulumi.Output<number>;
    declare readonly token: pulumi.Output<string>;

    constructor(name: string, args: PeerInstanceArgs, opts?: pulumi.CustomResourceOptions) {
        const provider: pulumi.dynamic.ResourceProvider = {
            async configure(req: pulumi.dynamic.ConfigureRequest) {
                shared.client = axios.create({
                    baseURL: req.config.require("cloudelements:baseUrl"),
                    headers: {
                        Authorization:
                            `User ${req.config.require("cloudelements:userSecret")}, ` +
                            `Organization ${req.config.require("cloudelements:organizationSecret")}`,
                    },
                });
            },
            async diff(_id: string, olds: PeerInputs, news: PeerInputs) {
                const keys = ["subdomain", "apiKey", "name", "tags"] as const;
                const changed = keys.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
                return { changes: changed.length > 0, replaces: changed.filter((k) => k === "subdomain") };
            },
            async create(inputs: PeerInputs) {
                const { data } = await api().post("/instances", {
                    element: { key: elementKey },
                    name: inputs.name,
                    tags: inputs.tags,
                    configuration: configuration(inputs),
                });
                return { id: String(data.id), outs: outputsOf(inputs, data) };
            },
            async read(id: string, props: PeerInputs) {
                const { data } = await api().get(`/instances/${id}`);
                return {
                    id,
                    props: outputsOf({ ...props, name: data.name, tags: data.tags ?? [] }, data),
                };
            },
            async update(id: string, _olds: PeerInputs, news: PeerInputs) {
                const { data } = await api().patch(`/instances/${id}`, {
                    name: news.name,
                    tags: news.tags,
                    configuration: configuration(news),
                });
                return { outs: outputsOf(news, data) };
            },
            async delete(id: string) {
                await api().delete(`/instances/${id}`);
            },
        };
        super(
            provider,
            name,
            {
                subdomain: args.subdomain,
                apiKey: pulumi.secret(args.apiKey),
                name: args.name ?? name,
                tags: args.tags ?? [],
                instanceId: undefined,
                token: undefined,
                createdDate: undefined,
                valid: undefined,
                disabled: undefined,
            },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token"] }),
        );
    }
}
