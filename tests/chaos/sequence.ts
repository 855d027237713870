/**
 * The randomized sequence check's vocabulary: the steps a sequence is made of, the program model they change, and
 * the generator that draws a sequence from a seed. Deterministic: the same seed always gives the same steps (a
 * seeded PRNG, never `Math.random`), so a failing seed can be replayed; a sequence is plain JSON, so a printed one
 * can be replayed too.
 */
import type { FaultSpec } from "../../emulator";

/** One resource of the chaos program (`tests/fixtures/chaos`): what its stack config entry says. */
export interface ModelResource {
    /** Resource name (and URN name), `r<n>`. */
    readonly key: string;
    readonly name: string;
    /** User tags; the runner adds the stack's tag to every resource. */
    readonly tags: readonly string[];
    /** Index of the Freshdesk account (its subdomain): 0 or 1. Changing it replaces the instance. */
    readonly account: 0 | 1;
    /** Index of the account's API key; account 0 has two keys (rotation), account 1 one. */
    readonly keyIndex: number;
    /** Created by adopting an instance that the runner creates directly on the emulator first. */
    readonly adopt: boolean;
}

/** A step that changes the program, then runs `pulumi up`. */
export type ChangeStep =
    | { readonly op: "add"; readonly key: string; readonly adopt: boolean }
    | { readonly op: "remove"; readonly key: string }
    | { readonly op: "rename"; readonly key: string; readonly name: string }
    | { readonly op: "retag"; readonly key: string; readonly tags: readonly string[] }
    | { readonly op: "rotate"; readonly key: string }
    | { readonly op: "subdomain"; readonly key: string };

/** One step of a sequence. Steps naming a resource that is not in state when they run do nothing. */
export type Step =
    | ChangeStep
    /** `pulumi refresh`. */
    | { readonly op: "refresh" }
    /** `pulumi up --replace <urn of key>`. */
    | { readonly op: "replace"; readonly key: string }
    /** Renames the resource's instance through the emulator's public API (its tags, marker included, are kept). */
    | { readonly op: "oob-edit"; readonly key: string; readonly name: string }
    /** Deletes the resource's instance through the emulator's public API. */
    | { readonly op: "oob-delete"; readonly key: string }
    /** Arms an emulator fault; it shapes the requests of the following steps until its count is used up. */
    | { readonly op: "fault"; readonly fault: FaultSpec };

/** A sequence as printed and replayed. */
export interface Sequence {
    /** The seed it was drawn from (absent for a hand-written sequence). */
    readonly seed?: number;
    readonly steps: readonly Step[];
}

/** The program every sequence starts from: two instances, one per Freshdesk account. */
export function initialModel(): ModelResource[] {
    return [
        { key: "r0", name: "chaos-r0", tags: ["t0"], account: 0, keyIndex: 0, adopt: false },
        { key: "r1", name: "chaos-r1", tags: [], account: 1, keyIndex: 0, adopt: false },
    ];
}

/** How many API keys the account of this index has (see `makeTestAccounts`: two for the first, one for the others). */
export function keysOf(account: 0 | 1): number {
    return account === 0 ? 2 : 1;
}

/** The program after a change step (a new array; the input is not changed). Unknown keys change nothing. */
export function applyChange(model: readonly ModelResource[], step: ChangeStep): ModelResource[] {
    if (step.op === "add") {
        return model.some((r) => r.key === step.key)
            ? [...model]
            : [
                  ...model,
                  { key: step.key, name: `chaos-${step.key}`, tags: [], account: 0, keyIndex: 0, adopt: step.adopt },
              ];
    }
    if (step.op === "remove") {
        return model.filter((r) => r.key !== step.key);
    }
    return model.map((r) => {
        if (r.key !== step.key) {
            return r;
        }
        switch (step.op) {
            case "rename":
                return { ...r, name: step.name };
            case "retag":
                return { ...r, tags: [...step.tags] };
            case "rotate":
                return { ...r, keyIndex: (r.keyIndex + 1) % keysOf(r.account) };
            default:
                // subdomain: the other account, with its first key.
                return { ...r, account: r.account === 0 ? 1 : 0, keyIndex: 0 };
        }
    });
}

/** Whether a step changes the program (and is followed by `pulumi up`). */
export function isChange(step: Step): step is ChangeStep {
    return ["add", "remove", "rename", "retag", "rotate", "subdomain"].includes(step.op);
}

/** mulberry32: a small, fast 32-bit PRNG, good enough to pick steps and reproducible across platforms. */
export class Prng {
    private state: number;

    constructor(seed: number) {
        this.state = seed >>> 0;
    }

    /** A float in [0, 1). */
    next(): number {
        this.state = (this.state + 0x6d2b79f5) >>> 0;
        let t = this.state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    }

    /** An integer in [min, max]. */
    int(min: number, max: number): number {
        return min + Math.floor(this.next() * (max - min + 1));
    }

    /** One element of a non-empty array. */
    pick<T>(items: readonly T[]): T {
        return items[Math.floor(this.next() * items.length)];
    }

    /** One key of `weights`, with probability proportional to its weight. */
    weighted<K extends string>(weights: Record<K, number>): K {
        const entries = Object.entries(weights) as [K, number][];
        let roll = this.next() * entries.reduce((sum, [, w]) => sum + w, 0);
        for (const [key, weight] of entries) {
            roll -= weight;
            if (roll < 0) {
                return key;
            }
        }
        return entries[entries.length - 1][0];
    }
}

/**
 * Client settings every chaos stack runs with: short enough for faults to matter, and a fault's extra time (at most
 * {@link maxFaultDelayMs}) stays well inside the operation deadline, so a late commit lands while the provider still
 * looks for it.
 */
export const chaosTuning = { timeoutMs: 1_500, maxRetries: 3, operationTimeoutMs: 20_000 } as const;

/** The longest latency or delay a generated fault adds: longer than the client timeout, shorter than the deadline. */
export const maxFaultDelayMs = 4_000;

const itemPath = "^/instances/\\d+$";
const listPath = "^/instances$";

/** A random emulator fault: which request it hits and what it does. */
function randomFault(rng: Prng): FaultSpec {
    const method = rng.pick(["POST", "POST", "GET", "GET", "PATCH", "PUT", "DELETE"] as const);
    const path = method === "POST" ? listPath : method === "GET" ? rng.pick([listPath, itemPath]) : itemPath;
    const kind = rng.weighted({ status: 4, reset: 2, "commit-then-drop": 2, delay: 1, "late-commit": 2, latency: 1 });
    switch (kind) {
        case "status":
            return { kind, method, path, status: rng.pick([429, 500, 502, 503] as const), count: rng.int(1, 3) };
        case "reset":
            return { kind, method, path, count: rng.int(1, 2) };
        case "commit-then-drop":
            return {
                kind,
                method: method === "GET" ? "POST" : method,
                path: method === "GET" ? listPath : path,
                count: 1,
            };
        case "delay":
            // Answers after the client timeout; the change is committed at once.
            return { kind, method, path, delayMs: rng.int(chaosTuning.timeoutMs + 200, maxFaultDelayMs), count: 1 };
        case "late-commit": {
            // A POST processed only after the client gave up and looked its nonce up: it commits late. Either held
            // before processing (`latency`) or, as a slow credential check, committed when its delay ends
            // (`delay` with `commit: "after"`).
            const ms = rng.int(chaosTuning.timeoutMs + 500, maxFaultDelayMs);
            return rng.next() < 0.5
                ? { kind: "latency", method: "POST", path: listPath, latencyMs: ms, count: 1 }
                : { kind: "delay", method: "POST", path: listPath, delayMs: ms, commit: "after", count: 1 };
        }
        default:
            // A slow API, within the client timeout.
            return { kind: "latency", method, path, latencyMs: rng.int(100, 800), count: rng.int(1, 5) };
    }
}

/** A random user tag set (the stack's tag is added by the runner). */
function randomTags(rng: Prng): string[] {
    return Array.from({ length: rng.int(0, 3) }, () => `t${rng.int(0, 9)}`).filter((t, i, all) => all.indexOf(t) === i);
}

/**
 * Draws `steps` steps from `seed`. The generator keeps the program model so that every change is meaningful (it
 * names a resource of the program, a rotation only where a second key exists) and resources are added back when
 * the program runs empty.
 */
export function generateSequence(seed: number, steps: number): Sequence {
    const rng = new Prng(seed);
    let model = initialModel();
    let nextKey = model.length;
    const out: Step[] = [];
    while (out.length < steps) {
        const category = rng.weighted({ change: 7, refresh: 2, replace: 2, oob: 3, fault: 6 });
        if (category === "fault") {
            out.push({ op: "fault", fault: randomFault(rng) });
            continue;
        }
        if (category === "refresh") {
            out.push({ op: "refresh" });
            continue;
        }
        if (model.length === 0 || (category === "change" && rng.next() < 0.2 && model.length < 4)) {
            const step: ChangeStep = { op: "add", key: `r${nextKey++}`, adopt: rng.next() < 0.5 };
            model = applyChange(model, step);
            out.push(step);
            continue;
        }
        const target = rng.pick(model);
        if (category === "replace") {
            out.push({ op: "replace", key: target.key });
            continue;
        }
        if (category === "oob") {
            out.push(
                rng.next() < 0.5
                    ? { op: "oob-edit", key: target.key, name: `oob-${rng.int(0, 999)}` }
                    : { op: "oob-delete", key: target.key },
            );
            continue;
        }
        const ops = ["rename", "retag", "subdomain", "remove", ...(keysOf(target.account) > 1 ? ["rotate"] : [])];
        const op = rng.pick(ops);
        const step: ChangeStep =
            op === "rename"
                ? { op, key: target.key, name: `chaos-${target.key}-${rng.int(0, 999)}` }
                : op === "retag"
                  ? { op, key: target.key, tags: randomTags(rng) }
                  : { op: op as "subdomain" | "remove" | "rotate", key: target.key };
        model = applyChange(model, step);
        out.push(step);
    }
    return { seed, steps: out };
}

/** One line per step, for a failure report. */
export function describeStep(step: Step): string {
    if (step.op === "fault") {
        const { kind, method, path, count, ...rest } = step.fault;
        const extra = Object.entries(rest)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ");
        return `fault ${kind} ${method ?? "*"} ${path ?? "*"} x${count ?? 1}${extra ? ` ${extra}` : ""}`;
    }
    const { op, ...rest } = step;
    return `${op} ${Object.values(rest)
        .map((v) => (Array.isArray(v) ? `[${v.join(",")}]` : String(v)))
        .join(" ")}`.trim();
}
