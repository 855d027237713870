/**
 * The provider's layers, checked by `npm run lint`: imports run hosts -> lifecycle -> model -> api only
 * (docs/architecture.md). Type-only imports count: a wrong-way type is a wrong-way arrow.
 * @type {import("dependency-cruiser").IConfiguration}
 */
module.exports = {
    forbidden: [
        {
            name: "api-is-the-bottom",
            comment: "The transport knows no inputs, no lifecycle step and no host: pass what it needs as parameters.",
            severity: "error",
            from: { path: "^provider/api/" },
            to: { path: "^provider/(model|lifecycle|hosts)/" },
        },
        {
            name: "model-below-lifecycle",
            comment: "Inputs, tags, mapping and validation are pure: they never call a lifecycle step or a host.",
            severity: "error",
            from: { path: "^provider/model/" },
            to: { path: "^provider/(lifecycle|hosts)/" },
        },
        {
            name: "lifecycle-below-hosts",
            comment: "Lifecycle steps serve every host alike: none of them knows the dynamic resource or the plugin.",
            severity: "error",
            from: { path: "^provider/lifecycle/" },
            to: { path: "^provider/hosts/" },
        },
        {
            name: "dynamic-host-knows-no-plugin",
            comment: "The plugin adapts the dynamic provider's implementation, never the other way round.",
            severity: "error",
            from: { path: "^provider/hosts/dynamic/" },
            to: { path: "^provider/hosts/plugin/" },
        },
        {
            name: "provider-stands-alone",
            comment: "The published provider imports nothing of the command-line tools, the emulator, tests or scripts.",
            severity: "error",
            from: { path: "^provider/" },
            to: { path: "^(cli|emulator|tests|bench|scripts|examples)/" },
        },
        {
            name: "no-circular",
            comment: "A loop of imports has no layer order.",
            severity: "error",
            from: { path: "^(provider|cli)/" },
            to: { circular: true },
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        exclude: { path: "(^|/)(node_modules|bin)/" },
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
        moduleSystems: ["cjs", "es6"],
    },
};
