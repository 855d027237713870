/** The dynamic provider's implementation at the path every stack's stored stub requires (docs/architecture.md). */
export * from "./hosts/dynamic/implementation";
