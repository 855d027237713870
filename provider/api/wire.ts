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
    /** `none` or `initial` (an OAuth instance created from an external refresh token). */
    readonly externalAuthentication?: string;
}

/** One configuration item of an element's metadata (`GET /elements/{keyOrId}/configuration`). */
export interface ApiConfigurationItem {
    /** The configuration key sent in an instance's `configuration`. */
    readonly key: string;
    /** The label shown in the console. */
    readonly name?: string;
    /** `TEXTFIELD_128`, `PASSWORD`, `BOOLEAN`, `COMBO`, ... */
    readonly type?: string;
    readonly required?: boolean;
    readonly hideFromConsole?: boolean;
    /** Managed by the platform (token URLs, OAuth tokens). */
    readonly internal?: boolean;
    readonly defaultValue?: string | null;
    readonly description?: string;
}
