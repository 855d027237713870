/**
 * The emulator's one loopback rule: which listening hosts keep the control API open without a token and silence the
 * CLI's off-loopback warning. IPv4-mapped IPv6 loopback addresses count as loopback in every spelling.
 */
import { controlApiAccess, isLoopbackHost } from "../../emulator";
import { hostWarning } from "../../emulator/cli";

const loopback = [
    "localhost",
    "LOCALHOST",
    "127.0.0.1",
    "127.1.2.3",
    "127.255.255.255",
    "::1",
    "[::1]",
    "0:0:0:0:0:0:0:1",
    "::ffff:127.0.0.1",
    "[::ffff:127.0.0.1]",
    "::FFFF:127.9.8.7",
    // How URL.hostname spells ::ffff:127.0.0.1.
    new URL("http://[::ffff:127.0.0.1]:8765/").hostname,
    "::ffff:7f00:1",
];

const notLoopback = [
    "0.0.0.0",
    "::",
    "[::]",
    "128.0.0.1",
    "126.255.255.255",
    "10.0.0.1",
    "192.168.1.10",
    "::2",
    "::ffff:10.0.0.1",
    "::ffff:0a00:1",
    // Not IPv4-mapped: the IPv4-compatible form and the NAT64 prefix are routed, not loopback.
    "::127.0.0.1",
    "64:ff9b::127.0.0.1",
    "127.0.0.256",
    "127.999.1.1",
    "127.0.0",
    "localhost.example.com",
    "example.com",
    "",
];

describe("isLoopbackHost", () => {
    it.each(loopback)("%s is loopback", (host) => {
        expect(isLoopbackHost(host)).toBe(true);
    });

    it.each(notLoopback)("%s is not loopback", (host) => {
        expect(isLoopbackHost(host)).toBe(false);
    });
});

describe("the control API and the CLI warning follow the same rule", () => {
    it.each(loopback)("%s: control API open without a token, no warning", (host) => {
        expect(controlApiAccess(host, undefined)).toBe("open");
        expect(hostWarning(host, undefined)).toBeUndefined();
    });

    it.each(notLoopback.filter((host) => host !== ""))("%s: control API off without a token, a warning", (host) => {
        expect(controlApiAccess(host, undefined)).toBe("off");
        expect(hostWarning(host, undefined)).toMatch(
            /is not a loopback address; the control API \(\/__emulator\) is off/,
        );
    });

    it.each(["::ffff:127.0.0.1", "0.0.0.0"])("%s with a control token: the token is required", (host) => {
        expect(controlApiAccess(host, "t")).toBe("token");
    });
});
