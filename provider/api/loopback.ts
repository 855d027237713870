/**
 * The one rule for "only this machine can connect": the provider's plain-http allowance and proxy bypass, and the
 * emulator's control API and CLI warning.
 */
import { BlockList, isIP } from "node:net";

// Node's BlockList matches IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`, `::ffff:7f00:1`) against IPv4 subnets.
const loopbackAddresses = new BlockList();
loopbackAddresses.addSubnet("127.0.0.0", 8, "ipv4");
loopbackAddresses.addAddress("::1", "ipv6");

/**
 * Whether `host` only accepts connections from this machine: `localhost`, `127.0.0.0/8`, `::1`, and those IPv4
 * addresses mapped into IPv6 (`::ffff:127.x.y.z`, in dotted or hex form). Brackets (`[::1]`) and case are ignored.
 */
export function isLoopbackHost(host: string): boolean {
    const h = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
    if (h === "localhost") {
        return true;
    }
    const family = isIP(h);
    if (family === 0) {
        return false;
    }
    return loopbackAddresses.check(h, family === 4 ? "ipv4" : "ipv6");
}
