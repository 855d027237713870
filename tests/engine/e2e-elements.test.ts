/**
 * `ElementInstance` end to end through the real CLI (Automation API inline program) against the emulator's element
 * catalogue, with two Cloud Elements organizations: servicenow and freshservice on the stack's account, jira on a
 * second account passed as an `Account`. Create, refresh with masked passwords and no drift, a password rotated in
 * place, the element's metadata refusing a missing key and an OAuth element without a refresh token before any
 * instance call, sfdc from a refresh token, `enabled`, destroy; no secret in plaintext in state or output.
 */
import { randomBytes } from "node:crypto";
import type { Stack } from "@pulumi/pulumi/automation";
import { Account, ElementInstance } from "../../provider";
import {
    cli,
    emulatorAccounts,
    findSecrets,
    fingerprint,
    inlineStack,
    secretMarker,
    secretSig,
    useE2E,
} from "../helpers/stacks";

jest.setTimeout(300_000);

const ctx = useE2E({ label: "elements" });

/** Organization B, a second account of the emulator. */
const accountB = {
    organizationSecret: `orgb${randomBytes(12).toString("hex")}`,
    userSecret: `usrb${randomBytes(12).toString("hex")}`,
    email: `elements-b-${randomBytes(3).toString("hex")}@example.com`,
};

const secrets = {
    servicenowPassword: `sn-${randomBytes(9).toString("hex")}`,
    jiraPassword: `jira-${randomBytes(9).toString("hex")}`,
    jiraRotated: `jira2-${randomBytes(9).toString("hex")}`,
    freshservicePassword: `fs-${randomBytes(9).toString("hex")}`,
    sfdcRefreshToken: `rt-${randomBytes(9).toString("hex")}`,
    sfdcApiSecret: `sec-${randomBytes(9).toString("hex")}`,
};

/** What the program declares; each test sets it before running the stack. */
let desired: {
    jiraPassword: string;
    servicenowSubdomain?: string;
    sfdc?: "none" | "no-token" | "initial";
    jiraEnabled?: boolean;
} = { jiraPassword: secrets.jiraPassword };

let stack: Stack;
let printed = "";

function program() {
    const b = new Account({
        baseUrl: ctx.baseUrl,
        userSecret: accountB.userSecret,
        organizationSecret: accountB.organizationSecret,
    });
    const servicenow = new ElementInstance("servicenow", {
        elementKey: "servicenow",
        configuration: {
            username: "integration",
            password: secrets.servicenowPassword,
            ...(desired.servicenowSubdomain === undefined
                ? {}
                : { "servicenow.subdomain": desired.servicenowSubdomain }),
        },
        tags: ["elements-e2e"],
    });
    const jira = new ElementInstance("jira", {
        elementKey: "jira",
        account: b,
        configuration: {
            username: "bot@example.com",
            password: desired.jiraPassword,
            "base.url": "https://acme.atlassian.net",
        },
        enabled: desired.jiraEnabled,
    });
    const freshservice = new ElementInstance("freshservice", {
        elementKey: "freshservice",
        configuration: { username: "agent", password: secrets.freshservicePassword, subdomain: "acme" },
    });
    const outputs: Record<string, unknown> = {
        servicenowId: servicenow.instanceId,
        jiraId: jira.instanceId,
        jiraDisabled: jira.disabled,
        freshserviceId: freshservice.instanceId,
        jiraToken: jira.token,
    };
    if (desired.sfdc !== undefined && desired.sfdc !== "none") {
        const sfdc = new ElementInstance("sfdc", {
            elementKey: "sfdc",
            ...(desired.sfdc === "initial" ? { externalAuthentication: "initial" as const } : {}),
            configuration: {
                "oauth.api.key": "client-id",
                "oauth.api.secret": secrets.sfdcApiSecret,
                ...(desired.sfdc === "initial" ? { "oauth.user.refresh_token": secrets.sfdcRefreshToken } : {}),
            },
        });
        outputs.sfdcId = sfdc.instanceId;
    }
    return Promise.resolve(outputs);
}

function allSecrets(): Record<string, string> {
    return {
        ...ctx.knownSecrets(),
        ...secrets,
        organizationSecretB: accountB.organizationSecret,
        userSecretB: accountB.userSecret,
    };
}

async function run<T>(what: Promise<T & { stdout?: string; stderr?: string }>): Promise<T> {
    const result = await what;
    printed += `${result.stdout ?? ""}\n${result.stderr ?? ""}\n`;
    return result;
}

beforeAll(async () => {
    const base = emulatorAccounts(ctx.accounts);
    await ctx.control.setAccounts({
        ...base,
        organizations: [
            ...base.organizations,
            {
                organizationSecret: accountB.organizationSecret,
                users: [{ userSecret: accountB.userSecret, email: accountB.email }],
            },
        ],
    });
    stack = ctx.track(await inlineStack({ backend: ctx.backend, projectName: "elements", stackName: "dev", program }));
    await stack.setAllConfig(ctx.connectionConfig());
});

async function instancesOf(elementKey: string) {
    return (await ctx.control.instances()).filter((i) => i.elementKey === elementKey);
}

/** The element keys of the instances the provider POSTed since `mark`. */
async function postedElements(mark: number): Promise<string[]> {
    return (await ctx.log.since(mark, "provider"))
        .filter((e) => e.method === "POST")
        .map((e) => String((e.body as { element?: { key?: string } } | undefined)?.element?.key));
}

test("a missing required key fails that resource before any instance call, naming the key", async () => {
    const mark = await ctx.log.mark();
    const failure = await stack.up({ onOutput: (o) => (printed += o) }).then(
        () => undefined,
        (err: Error) => String(err),
    );
    expect(failure).toContain("configuration.servicenow.subdomain");
    expect(failure).toContain("required by element servicenow");
    // The other two resources are valid: the engine creates them; servicenow is never posted.
    expect((await postedElements(mark)).sort()).toEqual(["freshservice", "jira"]);
    expect(await instancesOf("servicenow")).toHaveLength(0);
});

test("up creates each instance in its account; refresh shows no drift with masked passwords", async () => {
    desired = { jiraPassword: secrets.jiraPassword, servicenowSubdomain: "dev12345" };
    const up = await run(stack.up());
    expect(up.summary.resourceChanges).toMatchObject({ create: 1, same: 3 });
    const [servicenow] = await instancesOf("servicenow");
    const [jira] = await instancesOf("jira");
    expect(servicenow).toMatchObject({ organizationSecretFingerprint: fingerprint(ctx.accounts.organizationSecret) });
    expect(jira).toMatchObject({ organizationSecretFingerprint: fingerprint(accountB.organizationSecret) });
    expect(await instancesOf("freshservice")).toHaveLength(1);
    expect(servicenow.configuration.password).toBe("********");
    await run(stack.refresh());
    const preview = await run(stack.preview());
    expect(preview.changeSummary).toEqual({ same: 4 });
});

test("a rotated password updates in place: same id, same token", async () => {
    const before = (await stack.outputs()).jiraId.value;
    const tokenBefore = (await stack.outputs()).jiraToken.value;
    desired = { ...desired, jiraPassword: secrets.jiraRotated };
    const up = await run(stack.up());
    expect(up.summary.resourceChanges).toMatchObject({ update: 1, same: 3 });
    const outputs = await stack.outputs();
    expect(outputs.jiraId.value).toBe(before);
    expect(outputs.jiraToken.value).toBe(tokenBefore);
    expect((await instancesOf("jira")).map((i) => i.id)).toEqual([before]);
});

test("enabled: false disables the instance in place, and true enables it again", async () => {
    desired = { ...desired, jiraEnabled: false };
    const up = await run(stack.up());
    expect(up.summary.resourceChanges).toMatchObject({ update: 1 });
    expect((await stack.outputs()).jiraDisabled.value).toBe(true);
    expect((await instancesOf("jira"))[0]).toMatchObject({ disabled: true });
    desired = { ...desired, jiraEnabled: true };
    await run(stack.up());
    expect((await instancesOf("jira"))[0]).toMatchObject({ disabled: false });
});

test("an OAuth element without a refresh token is refused before any instance call; with one it is created", async () => {
    desired = { ...desired, sfdc: "no-token" };
    const mark = await ctx.log.mark();
    const failure = await stack.up({ onOutput: (o) => (printed += o) }).then(
        () => undefined,
        (err: Error) => String(err),
    );
    expect(failure).toMatch(/sfdc authenticates with OAuth 2\.0/);
    expect(failure).toContain("externalAuthentication");
    expect((await ctx.log.since(mark, "provider")).filter((e) => e.method === "POST")).toEqual([]);
    desired = { ...desired, sfdc: "initial" };
    const up = await run(stack.up());
    expect(up.summary.resourceChanges?.create).toBe(1);
    expect(await instancesOf("sfdc")).toHaveLength(1);
});

test("state and output hold no password, token or account secret in plaintext", async () => {
    const exported = await cli(ctx, stack.workspace.workDir, ["stack", "export", "--stack", "dev"]);
    expect(exported.code).toBe(0);
    expect(findSecrets(exported.stdout, allSecrets())).toEqual([]);
    expect(findSecrets(printed, allSecrets())).toEqual([]);
    // Positive control: the same export with --show-secrets holds them, each as a secret.
    const shown = await stack.exportStack();
    const jira = (
        shown.deployment.resources as { urn: string; outputs: Record<string, Record<string, unknown>> }[]
    ).find((r) => r.urn.endsWith("::jira"));
    expect(jira?.outputs.configuration.password).toEqual({
        [secretSig]: secretMarker,
        plaintext: JSON.stringify(secrets.jiraRotated),
    });
    expect(jira?.outputs.account.userSecret).toEqual({
        [secretSig]: secretMarker,
        plaintext: JSON.stringify(accountB.userSecret),
    });
});

test("destroy leaves no instance in either account", async () => {
    await run(stack.destroy());
    expect(await ctx.control.instances()).toEqual([]);
});
