import { randomBytes, randomInt } from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { ownerKeyOf } from "./accounts";

/**
 * @internal One configuration entry; `id` is what `/instances/{id}/configuration/{configId}` addresses. `null` is an
 * unset key of an element whose unset keys read null.
 */
export interface StoredConfigEntry {
    id: number;
    key: string;
    value: string | null;
}

/** @internal The owner's profile as it was when the instance was created. */
export interface StoredUser {
    id: number;
    email: string;
    firstName: string;
    lastName: string;
}

/** @internal An instance as the emulator stores (and persists) it. */
export interface StoredInstance {
    id: number;
    name: string;
    tags: string[];
    createdDate: string;
    token: string;
    elementKey: string;
    organizationSecretFingerprint: string;
    user: StoredUser;
    configuration: StoredConfigEntry[];
    disabled: boolean;
    valid: boolean;
    /** Marked "in use" through the control API: `DELETE /instances/{id}` answers 409 (absent = false). */
    inUse?: boolean;
    /** Created (or re-authenticated) with an external refresh token (absent = `"none"`). */
    externalAuthentication?: "initial";
}

const stateVersion = 1;

/**
 * Instance ids look like the platform's (reference section 12: 411183, 452319, 471196, 835844): one global sequence
 * shared by every tenant. A store starts at a random 6-digit id and advances by a random gap, so ids are large,
 * unique, increasing, never reused and not predictable; no id below {@link minInstanceId} is ever handed out.
 */
export const minInstanceId = 100_000;
const firstIdSpan = 800_000;
const maxIdGap = 1_000;

function randomFirstId(): number {
    return minInstanceId + randomInt(firstIdSpan);
}

interface StateFile {
    version: number;
    nextId: number;
    nextConfigId: number;
    instances: StoredInstance[];
}

/** The state file exists but cannot be used. */
export class StateFileError extends Error {
    override name = "StateFileError";
}

interface Deferred {
    promise: Promise<void>;
    resolve(): void;
    reject(error: unknown): void;
}

function deferred(): Deferred {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
    });
    // A batch nobody awaits (e.g. after close) must not become an unhandled rejection.
    promise.catch(() => {});
    return { promise, resolve, reject };
}

/** Writes `data` to `path` so that a reader sees either the old or the new file, never a torn one. */
async function writeAtomically(path: string, data: string): Promise<void> {
    const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    const handle = await open(temp, "wx", 0o600);
    try {
        try {
            await handle.writeFile(data, "utf8");
            await handle.sync();
        } finally {
            await handle.close();
        }
        await rename(temp, path);
    } catch (error) {
        await unlink(temp).catch(() => {});
        throw error;
    }
}

/**
 * Serialises state writes: one write at a time, and every mutation made while a write runs is covered by the next
 * one (so a burst of N mutations costs about two writes, not N).
 */
class StateWriter {
    private running: Promise<void> | undefined;
    private queued: Deferred | undefined;

    constructor(
        private readonly path: string,
        private readonly snapshot: () => string,
    ) {}

    write(): Promise<void> {
        const batch = this.queued ?? deferred();
        if (!this.queued) {
            this.queued = batch;
            if (!this.running) {
                this.next();
            }
        }
        return batch.promise;
    }

    async idle(): Promise<void> {
        while (this.running) {
            await this.running;
        }
    }

    private next(): void {
        const batch = this.queued;
        if (!batch) {
            return;
        }
        this.queued = undefined;
        this.running = writeAtomically(this.path, this.snapshot())
            .then(batch.resolve, batch.reject)
            .finally(() => {
                this.running = undefined;
                this.next();
            });
    }
}

function isInstance(value: unknown): value is StoredInstance {
    const v = value as StoredInstance;
    return (
        !!v &&
        Number.isSafeInteger(v.id) &&
        typeof v.name === "string" &&
        Array.isArray(v.tags) &&
        v.tags.every((t) => typeof t === "string") &&
        typeof v.createdDate === "string" &&
        typeof v.token === "string" &&
        typeof v.elementKey === "string" &&
        typeof v.organizationSecretFingerprint === "string" &&
        !!v.user &&
        typeof v.user.email === "string" &&
        Array.isArray(v.configuration) &&
        v.configuration.every(
            (e) =>
                !!e &&
                Number.isSafeInteger(e.id) &&
                typeof e.key === "string" &&
                (typeof e.value === "string" || e.value === null),
        ) &&
        typeof v.disabled === "boolean" &&
        typeof v.valid === "boolean" &&
        (v.inUse === undefined || typeof v.inUse === "boolean") &&
        (v.externalAuthentication === undefined || v.externalAuthentication === "initial")
    );
}

/**
 * @internal Instances by id and by token, in memory, optionally persisted to a JSON file after every mutation.
 * Iteration order is id order: ids only grow, and a replaced instance keeps its place.
 */
export class InstanceStore {
    private readonly byId = new Map<number, StoredInstance>();
    private readonly byToken = new Map<string, StoredInstance>();
    private readonly owners = new Map<number, string>();
    /** Every token held since open, deleted instances' too (a secret sweep needs them all). */
    private readonly issued = new Set<string>();
    /** The lowest id the next allocation may take. */
    private nextId = randomFirstId();
    private nextConfigId = 1;
    private readonly writer: StateWriter | undefined;

    private constructor(statePath: string | undefined) {
        this.writer = statePath ? new StateWriter(statePath, () => this.serialize()) : undefined;
    }

    /** Opens a store, loading `statePath` when it exists. */
    static async open(statePath?: string): Promise<InstanceStore> {
        const store = new InstanceStore(statePath);
        if (!statePath) {
            return store;
        }
        await mkdir(dirname(statePath), { recursive: true });
        let text: string;
        try {
            text = await readFile(statePath, "utf8");
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") {
                return store;
            }
            throw new StateFileError(
                `cannot read state file ${statePath}: ${(error as NodeJS.ErrnoException).code ?? error}`,
            );
        }
        if (text.trim() === "") {
            return store;
        }
        let state: StateFile;
        try {
            state = JSON.parse(text) as StateFile;
        } catch {
            throw new StateFileError(`state file ${statePath} is not valid JSON`);
        }
        if (!state || state.version !== stateVersion || !Array.isArray(state.instances)) {
            throw new StateFileError(`state file ${statePath} is not an emulator state file (version ${stateVersion})`);
        }
        const instances = [...state.instances].sort((a, b) => a.id - b.id);
        let maxConfigId = 0;
        for (const instance of instances) {
            if (!isInstance(instance)) {
                throw new StateFileError(`state file ${statePath} holds an instance that is not well-formed`);
            }
            store.put(instance);
            for (const entry of instance.configuration) {
                maxConfigId = Math.max(maxConfigId, entry.id);
            }
        }
        const maxId = instances.length ? instances[instances.length - 1].id : 0;
        store.nextId = Math.max(Number.isSafeInteger(state.nextId) ? state.nextId : 1, maxId + 1);
        // A state file of an emulator that counted from 1: continue above the small ids it handed out.
        if (store.nextId < minInstanceId) {
            store.nextId = randomFirstId();
        }
        store.nextConfigId = Math.max(
            Number.isSafeInteger(state.nextConfigId) ? state.nextConfigId : 1,
            maxConfigId + 1,
        );
        return store;
    }

    get size(): number {
        return this.byId.size;
    }

    values(): IterableIterator<StoredInstance> {
        return this.byId.values();
    }

    get(id: number): StoredInstance | undefined {
        return this.byId.get(id);
    }

    getByToken(token: string): StoredInstance | undefined {
        return this.byToken.get(token);
    }

    /** Owner key of a stored instance (see `ownerKeyOf`). */
    ownerOf(instance: StoredInstance): string {
        let key = this.owners.get(instance.id);
        if (key === undefined) {
            key = ownerKeyOf(instance.organizationSecretFingerprint, instance.user.email);
            this.owners.set(instance.id, key);
        }
        return key;
    }

    /** A new instance id: above every id handed out before, by a random gap of 1 to {@link maxIdGap}. */
    allocateId(): number {
        const id = this.nextId + randomInt(maxIdGap);
        this.nextId = id + 1;
        return id;
    }

    allocateConfigId(): number {
        return this.nextConfigId++;
    }

    /**
     * A fresh element token: 32 random bytes in base64 (44 characters, reference section 12). Every token holds at
     * least one `+` and one `/`, so a client that puts it into a header or URL without care fails every time, not
     * only for half of the tokens.
     */
    newToken(): string {
        for (;;) {
            const token = randomBytes(32).toString("base64");
            if (token.includes("+") && token.includes("/") && !this.byToken.has(token)) {
                return token;
            }
        }
    }

    /** Every token an instance held since this store was opened (deleted instances' too), oldest first. */
    issuedTokens(): readonly string[] {
        return [...this.issued];
    }

    /** Inserts or replaces (by id) an instance. Callers build the new object first, so a failed check changes nothing. */
    put(instance: StoredInstance): void {
        const previous = this.byId.get(instance.id);
        if (previous && previous.token !== instance.token) {
            this.byToken.delete(previous.token);
        }
        this.byId.set(instance.id, instance);
        this.byToken.set(instance.token, instance);
        this.issued.add(instance.token);
        this.owners.delete(instance.id);
    }

    delete(id: number): boolean {
        const instance = this.byId.get(id);
        if (!instance) {
            return false;
        }
        this.byId.delete(id);
        this.byToken.delete(instance.token);
        this.owners.delete(id);
        return true;
    }

    clear(): void {
        this.byId.clear();
        this.byToken.clear();
        this.owners.clear();
    }

    /** Resolves once every mutation made so far is on disk (at once without a state file). */
    commit(): Promise<void> {
        return this.writer ? this.writer.write() : Promise.resolve();
    }

    /** Resolves when no write is running or queued. */
    async idle(): Promise<void> {
        await this.writer?.idle();
    }

    private serialize(): string {
        const state: StateFile = {
            version: stateVersion,
            nextId: this.nextId,
            nextConfigId: this.nextConfigId,
            instances: [...this.byId.values()],
        };
        return `${JSON.stringify(state, null, 2)}\n`;
    }
}
