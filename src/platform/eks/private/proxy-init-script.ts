/**
 * The shell script of the proxy init container: the same NAT redirection App Mesh's
 * `proxyinit` container (proxy-route-manager) installed, so migrated pods behave alike.
 *
 * - outbound TCP to non-local addresses jumps to APPMESH_EGRESS, which lets Envoy's own
 *   packets (its UID), the ignored ports and the ignored addresses pass and redirects
 *   everything else to Envoy's egress port;
 * - inbound TCP from non-local sources to the application ports is redirected to Envoy's
 *   ingress port (APPMESH_INGRESS).
 *
 * The script is idempotent: a restarted init container empties the chains and refills
 * them, and adds each jump only when it is missing.
 */
export interface ProxyInitScriptOptions {
  readonly appPorts: readonly number[];
  readonly ignoredUid: number;
  readonly ingressPort: number;
  readonly egressPort: number;
  readonly egressIgnoredAddresses: readonly string[];
  readonly egressIgnoredPorts: readonly number[];
  readonly ipv6: boolean;
}

/** iptables' multiport match takes at most 15 ports. */
const MULTIPORT_LIMIT = 15;

export function renderProxyInitScript(options: ProxyInitScriptOptions): string {
  checkPorts('application port', options.appPorts);
  checkPorts('ignored egress port', options.egressIgnoredPorts);
  checkPorts('Envoy ingress port', [options.ingressPort]);
  checkPorts('Envoy egress port', [options.egressPort]);
  if (!Number.isInteger(options.ignoredUid) || options.ignoredUid < 0) {
    throw new Error(`The ignored UID must be a non-negative integer, got ${options.ignoredUid}`);
  }
  for (const address of options.egressIgnoredAddresses) {
    if (!/^[0-9A-Fa-f.:]+(\/\d{1,3})?$/.test(address)) {
      throw new Error(`Ignored egress addresses must be IP addresses or CIDR blocks, got '${address}'`);
    }
  }
  const ipv4Ignored = options.egressIgnoredAddresses.filter((a) => !a.includes(':'));
  const ipv6Ignored = options.egressIgnoredAddresses.filter((a) => a.includes(':'));

  const lines = [
    '#!/bin/sh',
    '# open-app-mesh proxy init: send the pod\'s TCP traffic through the Envoy sidecar.',
    'set -eu',
    `for tool in iptables${options.ipv6 ? ' ip6tables' : ''}; do`,
    '  command -v "$tool" >/dev/null 2>&1 || { echo "proxy-init: $tool not found in this image" >&2; exit 1; }',
    'done',
    '',
    ...familyRules('iptables', options, ipv4Ignored),
  ];
  if (options.ipv6) lines.push('', ...familyRules('ip6tables', options, ipv6Ignored));
  lines.push('', 'echo "proxy-init: rules installed"', 'iptables -t nat -S');
  if (options.ipv6) lines.push('ip6tables -t nat -S');
  return lines.join('\n') + '\n';
}

function familyRules(tool: string, options: ProxyInitScriptOptions, ignoredAddresses: readonly string[]): string[] {
  const nat = `${tool} -t nat`;
  const lines = [
    `# ${tool === 'iptables' ? 'IPv4' : 'IPv6'}`,
    `${nat} -N APPMESH_EGRESS 2>/dev/null || ${nat} -F APPMESH_EGRESS`,
    `${nat} -N APPMESH_INGRESS 2>/dev/null || ${nat} -F APPMESH_INGRESS`,
    '',
    '# Egress: Envoy\'s own traffic, ignored ports and ignored addresses leave directly; the rest goes to Envoy.',
    `${nat} -A APPMESH_EGRESS -m owner --uid-owner ${options.ignoredUid} -j RETURN`,
  ];
  for (const ports of chunks(options.egressIgnoredPorts)) {
    lines.push(`${nat} -A APPMESH_EGRESS -p tcp -m multiport --dports ${ports.join(',')} -j RETURN`);
  }
  for (const address of ignoredAddresses) {
    lines.push(`${nat} -A APPMESH_EGRESS -p tcp -d ${address} -j RETURN`);
  }
  lines.push(`${nat} -A APPMESH_EGRESS -p tcp -j REDIRECT --to-ports ${options.egressPort}`);
  lines.push(ensureJump(nat, 'OUTPUT', '-p tcp -m addrtype ! --dst-type LOCAL -j APPMESH_EGRESS'));

  lines.push('', '# Ingress: connections to the application ports arrive at Envoy\'s ingress listener.');
  for (const ports of chunks(options.appPorts)) {
    lines.push(`${nat} -A APPMESH_INGRESS -p tcp -m multiport --dports ${ports.join(',')} -j REDIRECT --to-ports ${options.ingressPort}`);
  }
  lines.push(ensureJump(nat, 'PREROUTING', '-p tcp -m addrtype ! --src-type LOCAL -j APPMESH_INGRESS'));
  return lines;
}

/** Appends `rule` to `chain` unless it is already there (`-C` checks). */
function ensureJump(nat: string, chain: string, rule: string): string {
  return `${nat} -C ${chain} ${rule} 2>/dev/null || ${nat} -A ${chain} ${rule}`;
}

function chunks(ports: readonly number[]): number[][] {
  const unique = [...new Set(ports)];
  const result: number[][] = [];
  for (let i = 0; i < unique.length; i += MULTIPORT_LIMIT) result.push(unique.slice(i, i + MULTIPORT_LIMIT));
  return result;
}

function checkPorts(what: string, ports: readonly number[]): void {
  for (const port of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new Error(`Each ${what} must be an integer from 1 to 65535, got ${port}`);
    }
  }
}
