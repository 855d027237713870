/** The names `FreshdeskInstance` is registered under, shared by the resource and the debug-log guard. */

/** The module and type names `FreshdeskInstance` registers under (`pulumi.dynamic.Resource`'s last arguments). */
export const dynamicModuleName = "cloudelements";
/** See {@link dynamicModuleName}. */
export const dynamicTypeName = "FreshdeskInstance";
/**
 * The type token of `FreshdeskInstance` in state, CLI output and the SDK's debug messages; the SDK builds it as
 * `pulumi-nodejs:dynamic/<module>:<type>`. Changing it would orphan every existing resource.
 */
export const freshdeskInstanceType = `pulumi-nodejs:dynamic/${dynamicModuleName}:${dynamicTypeName}`;
