/**
 * Everything a suite captured ({@link Transcript}), for the secret sweep that every reliability file ends with, and
 * the extra secrets to sweep for (instance tokens, the emulator's logs, files the CLI and the provider left behind).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { findSecrets, secretForms } from "../secret-sweep";
import type { ReliabilityContext } from "./context";

/** Everything a test file captured, by source, for the secret sweep. */
export class Transcript {
    private readonly parts: { source: string; text: string }[] = [];

    /** Records one captured text. */
    add(source: string, text: string): void {
        this.parts.push({ source, text });
    }

    /** How many texts were recorded. */
    get size(): number {
        return this.parts.length;
    }

    /** Total characters recorded. */
    get chars(): number {
        return this.parts.reduce((n, p) => n + p.text.length, 0);
    }

    /** The recorded texts. */
    sources(): readonly { source: string; text: string }[] {
        return this.parts;
    }

    /**
     * Where each secret occurs (in any form of `secretForms`): the source and the surrounding text with the found form
     * replaced by `<name (form)>`, so a failure can show the leak without printing the secret.
     */
    leakContexts(secrets: Record<string, string>, width = 160): string[] {
        const contexts: string[] = [];
        for (const part of this.parts) {
            for (const [name, value] of Object.entries(secrets)) {
                if (value.length === 0) {
                    continue;
                }
                for (const [formName, form] of Object.entries(secretForms(value))) {
                    let at = part.text.indexOf(form);
                    let shown = 0;
                    while (at >= 0 && shown < 3) {
                        const around = part.text.slice(Math.max(0, at - width), at + form.length + width);
                        contexts.push(`${part.source}: …${around.split(form).join(`<${name} (${formName})>`)}…`);
                        at = part.text.indexOf(form, at + form.length);
                        shown++;
                    }
                }
            }
        }
        return contexts;
    }

    /** Which secrets occur in which recorded text, in any encoded form (the one sweep: `findSecrets`). */
    findSecrets(secrets: Record<string, string>): { source: string; secret: string }[] {
        const found: { source: string; secret: string }[] = [];
        for (const part of this.parts) {
            for (const secret of findSecrets(part.text, secrets)) {
                found.push({ source: part.source, secret });
            }
        }
        return found;
    }
}

/**
 * The element tokens of the emulator's instances tagged `tag`, read once through the public API (the control API
 * only shows fingerprints), by `token(<id>)`: secrets to sweep for.
 */
export async function tokensOf(ctx: ReliabilityContext, tag: string): Promise<Record<string, string>> {
    const tokens: Record<string, string> = {};
    for (const instance of (await ctx.control.instances()).filter((i) => i.tags.includes(tag))) {
        const token = (await ctx.api.getInstance(instance.id)).token;
        if (typeof token === "string") {
            tokens[`token(${instance.id})`] = token;
        }
    }
    return tokens;
}

/** Adds the emulator's request log, fault log and access log to the transcript (call once, at the end of a file). */
export async function captureEmulatorLogs(ctx: ReliabilityContext, transcript: Transcript): Promise<void> {
    transcript.add("emulator request log", JSON.stringify(await ctx.log.all()));
    transcript.add("emulator fault log", JSON.stringify(await ctx.control.faultLog()));
    transcript.add("emulator access log", ctx.accessLog().join("\n"));
}

/**
 * Adds every file under `dir` (recursively; nothing when it does not exist) to the transcript, read as UTF-8 whatever
 * it holds, each as `<label>/<path relative to dir>`: what the CLI and the plugins wrote to disk (a file backend's
 * checkpoints, history and backups; PULUMI_HOME's logs and workspaces). Returns the relative paths read.
 */
export function captureFiles(transcript: Transcript, label: string, dir: string): string[] {
    if (!fs.existsSync(dir)) {
        return [];
    }
    const files = (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
        .sort();
    for (const file of files) {
        transcript.add(`${label}/${file}`, fs.readFileSync(path.join(dir, file), "utf8"));
    }
    return files;
}
