/** Shapes of the Cloud Elements platform API as the client returns them. */

/** An element instance as the API returns it (only the fields we use are typed). */
export interface ApiInstance {
    readonly id: number;
    readonly name?: string;
    readonly token?: string;
    readonly createdDate?: string;
    readonly element?: { readonly id?: number; readonly key?: string };
    readonly elementId?: number;
    readonly tags?: unknown;
    readonly valid?: boolean;
    readonly disabled?: boolean;
    readonly eventsEnabled?: boolean;
    readonly configuration?: Record<string, unknown>;
}
