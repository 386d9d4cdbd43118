import { spawnSync } from 'child_process';
import { renderProxyInitScript, ProxyInitScriptOptions } from '../../src/platform/eks/private/proxy-init-script';

const APP_MESH_DEFAULTS: ProxyInitScriptOptions = {
  appPorts: [8080, 9090],
  ignoredUid: 1337,
  ingressPort: 15000,
  egressPort: 15001,
  egressIgnoredAddresses: ['169.254.169.254'],
  egressIgnoredPorts: [22],
  ipv6: false,
};

/** The NAT rules App Mesh's proxyinit installs, as `iptables -t nat -S` prints them. */
const EXPECTED_RULES = [
  '-N APPMESH_EGRESS',
  '-N APPMESH_INGRESS',
  '-A PREROUTING -p tcp -m addrtype ! --src-type LOCAL -j APPMESH_INGRESS',
  '-A OUTPUT -p tcp -m addrtype ! --dst-type LOCAL -j APPMESH_EGRESS',
  '-A APPMESH_EGRESS -m owner --uid-owner 1337 -j RETURN',
  '-A APPMESH_EGRESS -p tcp -m multiport --dports 22 -j RETURN',
  '-A APPMESH_EGRESS -d 169.254.169.254/32 -p tcp -j RETURN',
  '-A APPMESH_EGRESS -p tcp -j REDIRECT --to-ports 15001',
  '-A APPMESH_INGRESS -p tcp -m multiport --dports 8080,9090 -j REDIRECT --to-ports 15000',
];

describe('proxy init script', () => {
  const script = renderProxyInitScript(APP_MESH_DEFAULTS);

  test('installs the App Mesh redirect rules', () => {
    const commands = script.split('\n').filter((l) => l.startsWith('iptables') || l.startsWith('ip6tables'));
    expect(commands).toEqual([
      'iptables -t nat -N APPMESH_EGRESS 2>/dev/null || iptables -t nat -F APPMESH_EGRESS',
      'iptables -t nat -N APPMESH_INGRESS 2>/dev/null || iptables -t nat -F APPMESH_INGRESS',
      'iptables -t nat -A APPMESH_EGRESS -m owner --uid-owner 1337 -j RETURN',
      'iptables -t nat -A APPMESH_EGRESS -p tcp -m multiport --dports 22 -j RETURN',
      'iptables -t nat -A APPMESH_EGRESS -p tcp -d 169.254.169.254 -j RETURN',
      'iptables -t nat -A APPMESH_EGRESS -p tcp -j REDIRECT --to-ports 15001',
      'iptables -t nat -C OUTPUT -p tcp -m addrtype ! --dst-type LOCAL -j APPMESH_EGRESS 2>/dev/null'
        + ' || iptables -t nat -A OUTPUT -p tcp -m addrtype ! --dst-type LOCAL -j APPMESH_EGRESS',
      'iptables -t nat -A APPMESH_INGRESS -p tcp -m multiport --dports 8080,9090 -j REDIRECT --to-ports 15000',
      'iptables -t nat -C PREROUTING -p tcp -m addrtype ! --src-type LOCAL -j APPMESH_INGRESS 2>/dev/null'
        + ' || iptables -t nat -A PREROUTING -p tcp -m addrtype ! --src-type LOCAL -j APPMESH_INGRESS',
      'iptables -t nat -S',
    ]);
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(script).toContain('set -eu');
  });

  test('is valid POSIX shell', () => {
    const check = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  test('splits more than 15 application ports over several multiport rules, once each', () => {
    const ports = Array.from({ length: 17 }, (_, i) => 8000 + i);
    const text = renderProxyInitScript({ ...APP_MESH_DEFAULTS, appPorts: [...ports, 8000] });
    const ingress = text.split('\n').filter((l) => l.includes('-A APPMESH_INGRESS'));
    expect(ingress).toEqual([
      `iptables -t nat -A APPMESH_INGRESS -p tcp -m multiport --dports ${ports.slice(0, 15).join(',')} -j REDIRECT --to-ports 15000`,
      'iptables -t nat -A APPMESH_INGRESS -p tcp -m multiport --dports 8015,8016 -j REDIRECT --to-ports 15000',
    ]);
  });

  test('a node without listeners gets egress redirection only', () => {
    const text = renderProxyInitScript({ ...APP_MESH_DEFAULTS, appPorts: [] });
    expect(text).not.toContain('-A APPMESH_INGRESS');
    expect(text).toContain('-j REDIRECT --to-ports 15001');
  });

  test('IPv6 repeats the rules with ip6tables and the IPv6 ignored addresses only', () => {
    const text = renderProxyInitScript({ ...APP_MESH_DEFAULTS, ipv6: true, egressIgnoredAddresses: ['169.254.169.254', 'fd00:ec2::254'] });
    const v6 = text.split('\n').filter((l) => l.startsWith('ip6tables'));
    expect(v6).toContain('ip6tables -t nat -A APPMESH_EGRESS -p tcp -d fd00:ec2::254 -j RETURN');
    expect(v6).toContain('ip6tables -t nat -A APPMESH_INGRESS -p tcp -m multiport --dports 8080,9090 -j REDIRECT --to-ports 15000');
    expect(v6.some((l) => l.includes('169.254.169.254'))).toBe(false);
    expect(text).toContain('for tool in iptables ip6tables; do');
  });

  test('refuses values that are not addresses or ports (they end up in a shell script)', () => {
    expect(() => renderProxyInitScript({ ...APP_MESH_DEFAULTS, egressIgnoredAddresses: ['1.2.3.4; reboot'] })).toThrow(/IP addresses or CIDR/);
    expect(() => renderProxyInitScript({ ...APP_MESH_DEFAULTS, egressIgnoredPorts: [0] })).toThrow(/ignored egress port.*got 0/);
    expect(() => renderProxyInitScript({ ...APP_MESH_DEFAULTS, appPorts: [70000] })).toThrow(/application port/);
    expect(() => renderProxyInitScript({ ...APP_MESH_DEFAULTS, ignoredUid: -1 })).toThrow(/ignored UID/);
  });
});

/**
 * The script against the real kernel, in a fresh network namespace (needs root, `unshare`
 * and iptables: true on the CI image; elsewhere these tests are skipped, the text checks
 * above still run). Proves iptables accepts every rule (owner, addrtype, multiport and
 * REDIRECT matches included) and that a second run leaves the same rule set.
 */
const kernelAvailable = spawnSync('unshare', ['-n', 'iptables', '-t', 'nat', '-S'], { encoding: 'utf8' }).status === 0;
const describeKernel = kernelAvailable ? describe : describe.skip;

describeKernel('proxy init script in a network namespace', () => {
  const script = renderProxyInitScript(APP_MESH_DEFAULTS);

  function natRules(commands: string): string[] {
    const run = spawnSync('unshare', ['-n', 'sh', '-c', `${commands}\necho '=== rules'\niptables -t nat -S`], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const listing = run.stdout.slice(run.stdout.lastIndexOf('=== rules'));
    return listing.split('\n').filter((l) => l.startsWith('-N') || l.startsWith('-A'));
  }

  test('installs exactly the expected rules', () => {
    expect(natRules(script).sort()).toEqual([...EXPECTED_RULES].sort());
  });

  test('running it twice (a restarted init container) leaves the same rules', () => {
    expect(natRules(`sh -c '${script.replace(/'/g, "'\\''")}' >/dev/null\n${script}`).sort()).toEqual([...EXPECTED_RULES].sort());
  });

  test('with IPv6, ip6tables gets the same rules and the IPv6 ignored address', () => {
    const ipv6Script = renderProxyInitScript({ ...APP_MESH_DEFAULTS, ipv6: true, egressIgnoredAddresses: ['169.254.169.254', 'fd00:ec2::254'] });
    const run = spawnSync('unshare', ['-n', 'sh', '-c', `${ipv6Script}\necho '=== rules'\nip6tables -t nat -S`], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const rules = run.stdout.slice(run.stdout.lastIndexOf('=== rules')).split('\n').filter((l) => l.startsWith('-N') || l.startsWith('-A'));
    expect(rules.sort()).toEqual(EXPECTED_RULES.map((r) => r.replace('-d 169.254.169.254/32', '-d fd00:ec2::254/128')).sort());
  });
});
