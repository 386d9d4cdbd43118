import { promises as dns } from 'node:dns';
import { FakeScheduler } from './fake-scheduler';
import { DnsDiscovery, DnsDiscoveryOptions } from '../../src/discovery/dns';
import { DiscoveredEndpoints, DiscoveryError, DiscoveryTarget } from '../../src/discovery/types';
import { Logger } from '../../src/log';
import { Dnsmasq, DNSMASQ_PATH } from '../support/dnsmasq';
import { waitFor } from '../support/wait';

/** Rewrites dnsmasq's hosts and waits until it answers from them (SIGHUP is asynchronous). */
async function serveHosts(server: Dnsmasq, lines: string[], probe: string, present: boolean): Promise<void> {
  server.writeHosts(lines);
  server.reload();
  const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([server.server]);
  await waitFor(async () => {
    try {
      await resolver.resolve4(probe);
      return present;
    } catch {
      return !present;
    }
  }, `dnsmasq to ${present ? 'serve' : 'drop'} ${probe}`);
}

if (!DNSMASQ_PATH) {
  // eslint-disable-next-line no-console
  console.warn('SKIPPED: DNS discovery tests need dnsmasq (apt-get install dnsmasq-base)');
}
const describeWithDnsmasq = DNSMASQ_PATH ? describe : describe.skip;

const FAST = { intervalMs: 100, jitter: 0.2, backoffBaseMs: 50, backoffMaxMs: 200 };

const BASE_HOSTS = [
  '127.0.0.2 serviceb.mesh.local',
  '127.0.0.3 serviceb.mesh.local',
  '::1 dual.mesh.local',
  '127.0.0.4 dual.mesh.local',
  '::1 v6only.mesh.local',
  '127.0.0.5 orders-a.mesh.local',
  '127.0.0.6 orders-b.mesh.local',
  '127.0.0.7 orders-backup.mesh.local',
];

function target(virtualNodeName: string, hostname: string, extra: Partial<DiscoveryTarget> = {}): DiscoveryTarget {
  return { virtualNodeName, ports: [50051, 8080], dns: { hostname }, ...extra };
}

describeWithDnsmasq('DnsDiscovery against dnsmasq on loopback', () => {
  const server = new Dnsmasq([
    '_grpc._tcp.orders.mesh.local,orders-a.mesh.local,50061,0,10',
    '_grpc._tcp.orders.mesh.local,orders-b.mesh.local,50062,0,10',
    '_grpc._tcp.orders.mesh.local,orders-backup.mesh.local,50063,10,10',
    '_grpc._tcp.zero.mesh.local,orders-a.mesh.local,0,0,10',
    '_grpc._tcp.zero.mesh.local,orders-b.mesh.local,50062,0,10',
  ]);
  let discovery: DnsDiscovery | undefined;

  beforeAll(async () => {
    server.writeHosts(BASE_HOSTS);
    await server.start();
  });
  afterEach(async () => {
    await discovery?.stop();
    discovery = undefined;
  });
  afterAll(async () => {
    await server.stop();
    server.cleanup();
  });

  function start(targets: DiscoveryTarget[], options: DnsDiscoveryOptions = {}) {
    discovery = new DnsDiscovery({ servers: [server.server], queryTimeoutMs: 1000, timing: FAST, ...options });
    const changes: DiscoveredEndpoints[] = [];
    const errors: DiscoveryError[] = [];
    discovery.onChange((e) => changes.push(e));
    discovery.onError((e) => errors.push(e));
    discovery.setTargets(targets);
    return { d: discovery, changes, errors };
  }

  test('A records become endpoints on the first listener port; SRV names use the lowest priority and their ports', async () => {
    const { d } = start([
      target('serviceB', 'serviceb.mesh.local'),
      target('orders', '_grpc._tcp.orders.mesh.local'),
      target('missing', 'nothing.mesh.local'),
    ]);
    await d.start();
    expect(d.current()).toEqual({
      missing: [],
      orders: [{ address: '127.0.0.5', port: 50061 }, { address: '127.0.0.6', port: 50062 }],
      serviceB: [{ address: '127.0.0.2', port: 50051 }, { address: '127.0.0.3', port: 50051 }],
    });
    expect(d.ready()).toBe(true);
  });

  test.each([
    [undefined, ['::1']],
    ['IPv4_PREFERRED', ['127.0.0.4']],
    ['IPv6_PREFERRED', ['::1']],
    ['IPv4_ONLY', ['127.0.0.4']],
    ['IPv6_ONLY', ['::1']],
  ] as const)('ipPreference %s on a dual-stack name', async (preference, expected) => {
    const { d } = start([target('dual', 'dual.mesh.local', { ipPreference: preference })]);
    await d.start();
    expect(d.current().dual.map((e) => e.address)).toEqual(expected);
  });

  test('IPv4_PREFERRED falls back to IPv6 when the name has no A record; IPv4_ONLY then finds nothing', async () => {
    const { d } = start([
      target('pref', 'v6only.mesh.local', { ipPreference: 'IPv4_PREFERRED' }),
      target('only', 'v6only.mesh.local', { ipPreference: 'IPv4_ONLY' }),
    ]);
    await d.start();
    expect(d.current()).toEqual({ only: [], pref: [{ address: '::1', port: 50051 }] });
  });

  test('a changed record is picked up by polling; unchanged polls emit nothing', async () => {
    const { d, changes } = start([target('moving', 'moving.mesh.local', { ipPreference: 'IPv4_ONLY' })]);
    server.writeHosts([...BASE_HOSTS, '127.0.0.8 moving.mesh.local']);
    server.reload();
    await d.start();
    await waitFor(() => d.current().moving?.[0]?.address === '127.0.0.8', 'first answer');
    const before = changes.length;
    await new Promise((r) => setTimeout(r, 450)); // several polls with the same answer
    expect(changes.length).toBe(before);

    server.writeHosts([...BASE_HOSTS, '127.0.0.9 moving.mesh.local']);
    server.reload();
    await waitFor(() => d.current().moving?.[0]?.address === '127.0.0.9', 'the new record');
    expect(changes.length).toBe(before + 1);
  });

  test('a DNS outage keeps the last known endpoints and reports errors; recovery resumes updates', async () => {
    const { d, errors } = start([target('serviceB', 'serviceb.mesh.local', { ipPreference: 'IPv4_ONLY' })]);
    await d.start();
    expect(d.current().serviceB).toHaveLength(2);
    await server.stop();
    try {
      await waitFor(() => errors.length >= 2, 'lookup errors during the outage');
      expect(errors[0]).toMatchObject({ source: 'dns', virtualNodeName: 'serviceB', kind: 'error' });
      expect(d.current().serviceB.map((e) => e.address)).toEqual(['127.0.0.2', '127.0.0.3']);
    } finally {
      server.writeHosts([...BASE_HOSTS.filter((l) => l !== '127.0.0.3 serviceb.mesh.local')]);
      await server.start();
    }
    await waitFor(() => d.current().serviceB.length === 1, 'endpoints after recovery');
    server.writeHosts(BASE_HOSTS);
    server.reload();
  });

  test('an SRV record with port 0 is left out with the reason logged; the other target is served', async () => {
    const lines: string[] = [];
    const { d } = start([target('zero', '_grpc._tcp.zero.mesh.local', { ipPreference: 'IPv4_ONLY' })], { log: new Logger('info', {}, (l) => lines.push(l)) });
    await d.start();
    expect(d.current()).toEqual({ zero: [{ address: '127.0.0.6', port: 50062 }] });
    const dropped = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'endpoints left out of the answer');
    expect(dropped).toHaveLength(1);
    expect(dropped[0].reasons).toEqual([expect.stringMatching(/^answer\[\d\]\.port: 0 is not an integer 1-65535$/)]);
  });

  test('a resolver answering NXDOMAIN for every name keeps every endpoint (panic), reports it once, and recovers', async () => {
    // Issue #11 defect 9: every endpoint used to be emptied about one poll after the outage began.
    const lines: string[] = [];
    const { d, errors } = start([
      target('serviceB', 'serviceb.mesh.local'),
      target('dual', 'dual.mesh.local', { ipPreference: 'IPv4_ONLY' }),
      target('orders', '_grpc._tcp.orders.mesh.local'),
    ], { noRecords: { removeAfterMs: 200 }, log: new Logger('info', {}, (l) => lines.push(l)) });
    await d.start();
    const before = d.current();
    expect(Object.values(before).every((list) => list.length > 0)).toBe(true);

    try {
      await serveHosts(server, [], 'serviceb.mesh.local', false);
      await waitFor(() => errors.some((e) => e.kind === 'panic'), 'the panic report');
      // Long enough for several polls past the removal threshold (interval 100 ms, removal after 3 answers / 200 ms).
      await new Promise((r) => setTimeout(r, 800));
      expect(d.current()).toEqual(before);
      expect(d.panic).toBe(true);
      const panics = errors.filter((e) => e.kind === 'panic');
      expect(panics).toHaveLength(1);
      expect(panics[0].source).toBe('dns');
      expect(panics[0].virtualNodeName).toBeUndefined();
      expect(lines.filter((l) => l.includes('DNS panic:'))).toHaveLength(1);
    } finally {
      await serveHosts(server, BASE_HOSTS, 'serviceb.mesh.local', true);
    }
    await waitFor(() => !d.panic, 'the end of the panic');
    expect(d.current()).toEqual(before);
    expect(lines.filter((l) => l.includes('DNS panic over'))).toHaveLength(1);
  });

  test('with the fake scheduler: one name gone while the others resolve is removed after 3 answers over 15 s; then all gone is a panic', async () => {
    const scheduler = new FakeScheduler();
    let now = 0;
    const { d, errors } = start([
      target('serviceB', 'serviceb.mesh.local', { ipPreference: 'IPv4_ONLY' }),
      target('dual', 'dual.mesh.local', { ipPreference: 'IPv4_ONLY' }),
      target('ordersA', 'orders-a.mesh.local', { ipPreference: 'IPv4_ONLY' }),
    ], { scheduler, now: () => now, timing: { intervalMs: 5000, jitter: 0 } });
    await d.start();
    const round = async () => {
      now += 5000;
      for (let i = 0; i < 3; i++) await scheduler.fireNext();
    };
    const addresses = () => Object.fromEntries(Object.entries(d.current()).map(([n, list]) => [n, list.map((e) => e.address)]));
    const all = { dual: ['127.0.0.4'], ordersA: ['127.0.0.5'], serviceB: ['127.0.0.2', '127.0.0.3'] };
    expect(addresses()).toEqual(all);

    try {
      await serveHosts(server, BASE_HOSTS.filter((l) => !l.includes('orders-a')), 'orders-a.mesh.local', false);
      await round(); // t = 5 s: first empty answer
      await round(); // 10 s
      await round(); // 15 s: third answer, only 10 s after the first
      expect(addresses()).toEqual(all);
      await round(); // 20 s: 15 s after the first
      expect(addresses()).toEqual({ ...all, ordersA: [] });
      expect(d.panic).toBe(false);

      await serveHosts(server, [], 'serviceb.mesh.local', false);
      for (let i = 0; i < 10; i++) await round(); // 50 s of NXDOMAIN for everything
      expect(d.panic).toBe(true);
      expect(addresses()).toEqual({ ...all, ordersA: [] });
      expect(errors.map((e) => e.kind)).toEqual(['panic']);
    } finally {
      await serveHosts(server, BASE_HOSTS, 'serviceb.mesh.local', true);
    }
    await round();
    expect(d.panic).toBe(false);
    expect(addresses()).toEqual(all);
  });
});
