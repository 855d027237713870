/** Small statistics helpers for the report. */

/** Median of the finite values, or undefined when there is none. */
export function median(values: readonly (number | undefined)[]): number | undefined {
    const sorted = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v)).sort((a, b) => a - b);
    if (sorted.length === 0) {
        return undefined;
    }
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Smallest and largest finite value, or undefined. */
export function range(values: readonly (number | undefined)[]): [number, number] | undefined {
    const finite = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    return finite.length === 0 ? undefined : [Math.min(...finite), Math.max(...finite)];
}
