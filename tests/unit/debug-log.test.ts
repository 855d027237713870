/**
 * The SDK's debug echo of RegisterResource responses (which holds secret outputs in plaintext) is redacted for
 * FreshdeskInstance only. The end-to-end proof is the reliability suite's `--debug` secret sweep.
 */
import * as pulumi from "@pulumi/pulumi";
import { guardSdkDebugLog } from "../../provider/hosts/dynamic/debug-log";

const seen: string[] = [];

beforeAll(() => {
    // The namespace import is read-only to TypeScript; the SDK module object itself is writable, which the guard relies on.
    (pulumi.log as { debug: typeof pulumi.log.debug }).debug = (message: string) => {
        seen.push(message);
        return Promise.resolve();
    };
    guardSdkDebugLog();
    guardSdkDebugLog(); // idempotent: a second FreshdeskInstance must not wrap twice
});

beforeEach(() => {
    seen.length = 0;
});

test("redacts the response of this package's RegisterResource debug message", async () => {
    await pulumi.log.debug(
        "RegisterResource RPC finished: resource:helpdesk[pulumi-nodejs:dynamic/cloudelements:FreshdeskInstance]; " +
            'err: null, resp: urn:pulumi:dev::p::x,1,token,{"value":"c2VjcmV0LXRva2VuLXZhbHVl"}',
    );
    expect(seen).toEqual([
        "RegisterResource RPC finished: resource:helpdesk[pulumi-nodejs:dynamic/cloudelements:FreshdeskInstance]; " +
            "err: null, resp: [redacted by pulumi-cloudelements-freshdesk: holds secret outputs]",
    ]);
});

test("leaves every other message untouched", async () => {
    const others = [
        "RegisterResource RPC finished: resource:bucket[aws:s3/bucket:Bucket]; err: null, resp: urn,abc",
        "RegisterResource RPC prepared: t=pulumi-nodejs:dynamic/cloudelements:FreshdeskInstance, name=helpdesk",
        "some other debug line",
    ];
    for (const message of others) {
        await pulumi.log.debug(message);
    }
    expect(seen).toEqual(others);
});
