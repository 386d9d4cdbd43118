/**
 * The V8 flags the control plane runs with: the image's ENTRYPOINT passes them to node (a test
 * keeps the two equal); pass them to node yourself when running it another way (node refuses
 * --min-semi-space-size in NODE_OPTIONS).
 *
 * A push renders the nodes it changes and keeps those renders until each group is installed and
 * written, so young objects survive several scavenges; with V8's default semi-spaces (grown from
 * 1 MiB on demand, up to 16 MiB) a push pays for many such scavenges, each copying the
 * survivors. Semi-spaces of 32 MiB from the start took push p99 at 1,000 streams from about
 * 360 ms to about 210 ms in the benchmark, for a fixed cost of about 30 MiB of resident memory
 * (BENCHMARKS.md, "Young generation").
 */
export const CONTROL_PLANE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32', '--min-semi-space-size=32'];
