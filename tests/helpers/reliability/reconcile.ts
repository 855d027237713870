/**
 * Reconciliation of a stack's state with the emulator's instances (orphans, duplicates, dangling resources), for
 * the reliability suites and the randomized sequence check. Nothing here asserts.
 */
import type { EmulatedInstance, EmulatorControl, RequestLogEntry } from "../../../emulator";
import type { ExportedState } from "../stacks";
import { freshdeskResources } from "../stacks";

/** How a stack's state compares with the emulator's instances carrying the stack's tag. */
export interface Reconciliation {
    /** Instance ids of the `FreshdeskInstance` resources in state, sorted. */
    readonly stateIds: string[];
    /** Ids of the emulator's instances that carry the tag, sorted. */
    readonly emulatorIds: string[];
    /** Instances that exist but that no resource in state manages. */
    readonly orphans: EmulatedInstance[];
    /** Extra instances for one resource: instances sharing a name (names are unique per stack here), plus resources sharing an id. */
    readonly duplicates: number;
    /** Resources in state whose instance does not exist. */
    readonly dangling: string[];
    /** Pending operations left in state. */
    readonly pendingOperations: number;
}

/** Whether state and the emulator agree exactly: no orphan, no duplicate, nothing dangling, nothing pending. */
export function isClean(r: Reconciliation): boolean {
    return r.orphans.length === 0 && r.duplicates === 0 && r.dangling.length === 0 && r.pendingOperations === 0;
}

/**
 * Compares the state's `FreshdeskInstance` resources with the emulator's instances tagged `tag` (every reliability
 * stack tags what it creates, so stacks sharing an emulator stay apart).
 */
export async function reconcile(
    control: EmulatorControl,
    exported: ExportedState,
    tag: string,
    type?: string,
): Promise<Reconciliation> {
    const resources = freshdeskResources(exported, type);
    const stateIds = resources.map((r) => String(r.id)).sort(byNumber);
    const instances = (await control.instances()).filter((i) => i.tags.includes(tag));
    const emulatorIds = instances.map((i) => String(i.id)).sort(byNumber);
    const inState = new Set(stateIds);
    const inEmulator = new Set(emulatorIds);
    const byName = new Map<string, number>();
    for (const instance of instances) {
        byName.set(instance.name, (byName.get(instance.name) ?? 0) + 1);
    }
    const duplicateInstances = [...byName.values()].reduce((sum, n) => sum + (n - 1), 0);
    const duplicateIds = stateIds.length - inState.size;
    return {
        stateIds,
        emulatorIds,
        orphans: instances.filter((i) => !inState.has(String(i.id))),
        duplicates: duplicateInstances + duplicateIds,
        dangling: stateIds.filter((id) => !inEmulator.has(id)),
        pendingOperations: (exported.deployment?.pending_operations ?? []).length,
    };
}

function byNumber(a: string, b: string): number {
    return Number(a) - Number(b);
}

/** Requests of a log slice that a fault shaped (their `fault` field), e.g. to prove a case really hit its fault. */
export function faulted(entries: readonly RequestLogEntry[], kind?: string): RequestLogEntry[] {
    return entries.filter((e) => e.fault !== undefined && (kind === undefined || e.fault.split(",").includes(kind)));
}
