/** The loopback rule the provider uses too, so that the two never disagree about a host. */
export { isLoopbackHost } from "../provider/api/loopback";
