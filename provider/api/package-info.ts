import * as fs from "node:fs";
import * as path from "node:path";

/** This package's npm name; also what the provider stub looks for when walking up from the working directory. */
export const packageName = "pulumi-cloudelements-freshdesk";

/**
 * This package's version, from the nearest `package.json` named {@link packageName} above `startDir`. Walks up
 * because the code runs both from `provider/` (tests) and from `bin/provider/` (built). Returns "0.0.0-unknown"
 * rather than failing: a User-Agent is not worth breaking a deployment over.
 */
export function readPackageVersion(startDir: string): string {
    for (let dir = startDir; ; dir = path.dirname(dir)) {
        try {
            const manifest = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
            if (manifest?.name === packageName && typeof manifest.version === "string") {
                return manifest.version;
            }
        } catch {
            // No (readable) package.json here; keep walking.
        }
        if (path.dirname(dir) === dir) {
            return "0.0.0-unknown";
        }
    }
}
