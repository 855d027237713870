/**
 * Positive controls of the secret sweep every suite uses: a text holding a secret in any encoded form is flagged, a
 * text without it is not. If the sweep missed a form, the suites' "no secret in any output" would prove nothing.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { captureFiles, Transcript } from "../helpers/reliability/transcript";
import { findSecrets, formsFound, secretForms } from "../helpers/secret-sweep";

/** A secret shaped like an element token: base64 with `+`, `/` and `=` (the characters every encoding changes). */
const token = "q+Zx/8kP3mVb2Lr+T7wN/aH1cYe9uJ0sD4fG6hK5lM0=";
const apiKey = "fdk_Ab3-xY9 z?&=é";

function clean(): string {
    return `log line ${randomBytes(24).toString("hex")} {"ok":true} Authorization: Bearer ******`;
}

const around = (form: string) => `${clean()} …${form}… ${clean()}`;

describe.each([
    ["token", token],
    ["API key with spaces, reserved and non-ASCII characters", apiKey],
])("%s", (_label, secret) => {
    const forms: [string, string][] = [
        ["plain", secret],
        ["encodeURIComponent", `https://x.invalid/?key=${encodeURIComponent(secret)}`],
        ["form encoding", new URLSearchParams({ key: secret, other: "1" }).toString()],
        ["JSON escaping", JSON.stringify({ message: `key "${secret}"` })],
        ["base64 of the secret alone", Buffer.from(secret).toString("base64")],
        ["base64url of the secret alone", Buffer.from(secret).toString("base64url")],
        ...[0, 1, 2].flatMap((pad): [string, string][] => [
            [
                `base64 inside a longer text (${pad} bytes before)`,
                Buffer.from(`${"u".repeat(pad)}user:${secret}@host`).toString("base64"),
            ],
            [
                `base64url inside a longer text (${pad} bytes before)`,
                Buffer.from(`${"u".repeat(pad)}user:${secret}@host`).toString("base64url"),
            ],
        ]),
    ];

    it.each(forms)("is found in %s", (_form, text) => {
        expect(findSecrets(around(text), { secret })).toEqual(["secret"]);
    });

    it("is not found in clean text, nor are other secrets reported", () => {
        expect(findSecrets(`${clean()}\n${clean()}`, { secret })).toEqual([]);
        expect(findSecrets(around(secret), { secret, other: "an-unrelated-value-123456" })).toEqual(["secret"]);
    });
});

it("names the form it found", () => {
    expect(formsFound(around(encodeURIComponent(token)), token)).toEqual(["URL-encoded"]);
    expect(formsFound(around(Buffer.from(`Basic u:${token}`).toString("base64")), token)).toContain(
        "base64 (alignment 1)",
    );
    expect(Object.keys(secretForms('pass"word\\with+slash/?'))).toEqual(
        expect.arrayContaining(["plain", "URL-encoded", "JSON-escaped", "base64", "base64url"]),
    );
});

it("ignores an empty secret", () => {
    expect(findSecrets(clean(), { empty: "" })).toEqual([]);
});

describe("files on disk (a backend's checkpoints, PULUMI_HOME's logs)", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "cef-sweep-files-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads every file at any depth, and the sweep names the one holding a secret", () => {
        fs.mkdirSync(path.join(dir, "home", "logs"), { recursive: true });
        fs.mkdirSync(path.join(dir, "state", ".pulumi", "history", "p", "s"), { recursive: true });
        fs.writeFileSync(
            path.join(dir, "home", "logs", "plugin.log"),
            around(Buffer.from(`k:${token}`).toString("base64")),
        );
        fs.writeFileSync(path.join(dir, "state", ".pulumi", "history", "p", "s", "s-1.checkpoint.json"), clean());
        const transcript = new Transcript();
        expect(captureFiles(transcript, "backend", dir)).toEqual([
            path.join("home", "logs", "plugin.log"),
            path.join("state", ".pulumi", "history", "p", "s", "s-1.checkpoint.json"),
        ]);
        expect(transcript.size).toBe(2);
        expect(transcript.findSecrets({ token, apiKey })).toEqual([
            { source: `backend/${path.join("home", "logs", "plugin.log")}`, secret: "token" },
        ]);
    });

    it("reads nothing from a folder that does not exist", () => {
        const transcript = new Transcript();
        expect(captureFiles(transcript, "backend", path.join(dir, "missing"))).toEqual([]);
        expect(transcript.size).toBe(0);
    });
});
