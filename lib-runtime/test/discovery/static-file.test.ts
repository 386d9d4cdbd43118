import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseStaticEndpoints, StaticEndpointsError, StaticFileDiscovery } from '../../src/discovery/static-file';
import { DiscoveredEndpoints, DiscoveryError } from '../../src/discovery/types';
import { Logger } from '../../src/log';
import { waitFor } from '../support/wait';

describe('StaticFileDiscovery', () => {
  let dir: string;
  let file: string;
  let discovery: StaticFileDiscovery | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-static-'));
    file = path.join(dir, 'endpoints.json');
  });
  afterEach(async () => {
    await discovery?.stop();
    discovery = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function start() {
    discovery = new StaticFileDiscovery(file, undefined, { debounceMs: 20, statIntervalMs: 50 });
    const changes: DiscoveredEndpoints[] = [];
    const errors: DiscoveryError[] = [];
    discovery.onChange((e) => changes.push(e));
    discovery.onError((e) => errors.push(e));
    return { d: discovery, changes, errors };
  }

  test('loads the file, sorted per node, and reloads an atomic replacement', async () => {
    fs.writeFileSync(file, JSON.stringify({
      'serviceB-v1': [{ address: '127.0.0.1', port: 50052 }, { address: '127.0.0.1', port: 50051, zone: 'az1', healthy: true }],
    }));
    const { d, changes } = start();
    await d.start();
    expect(d.ready()).toBe(true);
    expect(d.current()).toEqual({
      'serviceB-v1': [{ address: '127.0.0.1', port: 50051, zone: 'az1', healthy: true }, { address: '127.0.0.1', port: 50052 }],
    });

    const tmp = path.join(dir, '.endpoints.json.tmp');
    fs.writeFileSync(tmp, JSON.stringify({ 'serviceB-v2': [{ address: '127.0.0.1', port: 50060 }] }));
    fs.renameSync(tmp, file);
    await waitFor(() => changes.length === 2, 'the replaced file to be loaded');
    expect(d.current()).toEqual({ 'serviceB-v2': [{ address: '127.0.0.1', port: 50060 }] });
  });

  test('rewriting the same content produces no change event', async () => {
    const content = JSON.stringify({ a: [{ address: '127.0.0.1', port: 1 }] });
    fs.writeFileSync(file, content);
    const { d, changes } = start();
    await d.start();
    fs.writeFileSync(file, content);
    // The same map under different formatting: read, parsed, found equal.
    fs.writeFileSync(file, JSON.stringify({ a: [{ port: 1, address: '127.0.0.1' }] }, null, 2));
    fs.writeFileSync(file, JSON.stringify({ a: [{ address: '127.0.0.1', port: 2 }] }));
    await waitFor(() => changes.length === 2, 'the real change');
    expect(changes[1]).toEqual({ a: [{ address: '127.0.0.1', port: 2 }] });
  });

  test('a broken file is rejected and the previous endpoints stay', async () => {
    fs.writeFileSync(file, JSON.stringify({ a: [{ address: '127.0.0.1', port: 1 }] }));
    const { d, errors } = start();
    await d.start();
    fs.writeFileSync(file, '{ "a": [ { "address": "127.0.0.1", "port": 99999 } ] }');
    await waitFor(() => errors.length === 1, 'the rejection');
    expect((errors[0].error as Error).message).toContain('a[0].port');
    expect(d.current()).toEqual({ a: [{ address: '127.0.0.1', port: 1 }] });
  });

  test('a missing file is an error, and the file appearing later is loaded', async () => {
    const { d, errors, changes } = start();
    await d.start();
    expect(d.ready()).toBe(false);
    expect(errors[0].source).toBe('static');
    fs.writeFileSync(file, JSON.stringify({ a: [] }));
    await waitFor(() => changes.length === 1, 'the late file');
    expect(d.ready()).toBe(true);
  });

  test('a bad entry among good ones rejects the whole file, logged once with every problem; the last good endpoints stay', async () => {
    const good = { serviceB: [{ address: '127.0.0.1', port: 50051 }] };
    fs.writeFileSync(file, JSON.stringify(good));
    const lines: string[] = [];
    discovery = new StaticFileDiscovery(file, new Logger('info', {}, (l) => lines.push(l)), { debounceMs: 20, statIntervalMs: 50 });
    const errors: DiscoveryError[] = [];
    discovery.onError((e) => errors.push(e));
    await discovery.start();

    // Issue #11 defect 6: "not an ip" was served, and the proxies NACKed the whole assignment.
    fs.writeFileSync(file, JSON.stringify({ serviceB: [{ address: '127.0.0.2', port: 50051 }, { address: 'not an ip', port: 50052 }, { address: '::1', port: 0 }] }));
    await waitFor(() => errors.length === 1, 'the rejection');
    expect((errors[0].error as StaticEndpointsError).problems).toEqual([
      'serviceB[1].address: "not an ip" is not an IPv4 or IPv6 address',
      'serviceB[2].port: 0 is not an integer 1-65535',
    ]);
    expect(discovery.current()).toEqual(good);

    // Events in the directory (here: other files written) do not repeat the rejection.
    for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, `other-${i}`), 'x');
    await new Promise((r) => setTimeout(r, 200));
    const rejections = lines.map((l) => JSON.parse(l)).filter((l) => l.msg.startsWith('static endpoints file rejected'));
    expect(rejections).toHaveLength(1);
    expect(rejections[0].error.message).toContain('serviceB[1].address');
    expect(rejections[0].error.message).toContain('serviceB[2].port');
    expect(errors).toHaveLength(1);
  });

  test('a missing file is logged and counted once however many directory events follow', async () => {
    const lines: string[] = [];
    discovery = new StaticFileDiscovery(file, new Logger('info', {}, (l) => lines.push(l)), { debounceMs: 10, statIntervalMs: 20 });
    const errors: DiscoveryError[] = [];
    discovery.onError((e) => errors.push(e));
    await discovery.start();
    for (let i = 0; i < 5; i++) {
      fs.writeFileSync(path.join(dir, `other-${i}`), 'x');
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(errors).toHaveLength(1);
    expect(lines.filter((l) => l.includes('static endpoints file rejected'))).toHaveLength(1);
  });

  test('nodes named like Object.prototype members are plain nodes', async () => {
    // JSON.parse makes "__proto__" an own key; copying it into a plain object used to set the prototype instead.
    fs.writeFileSync(file, '{ "__proto__": [ { "address": "127.0.0.1", "port": 1 } ], "constructor": [ { "address": "127.0.0.1", "port": 2 } ], "toString": [] }');
    const { d } = start();
    await d.start();
    const current = d.current();
    expect(Object.keys(current)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getPrototypeOf(current)).toBeNull();
    expect(Object.getOwnPropertyDescriptor(current, '__proto__')?.value).toEqual([{ address: '127.0.0.1', port: 1 }]);
    expect(current.constructor).toEqual([{ address: '127.0.0.1', port: 2 }]);
    expect(current.toString).toEqual([]);
  });

  test('parseStaticEndpoints lists every problem with its path', () => {
    const problems = (content: string) => {
      try {
        parseStaticEndpoints(content);
      } catch (e) {
        return (e as StaticEndpointsError).problems;
      }
      throw new Error('accepted');
    };
    expect(problems('[]')).toEqual(['the top level is [], not an object mapping virtual node names to endpoint lists']);
    expect(problems('null')).toEqual(['the top level is null, not an object mapping virtual node names to endpoint lists']);
    expect(problems('{')[0]).toMatch(/^not JSON: /);
    expect(problems(JSON.stringify({
      a: {},
      b: [
        'x',
        { port: 1 },
        { address: '127.0.0.1', port: 1.5, zone: '', healthy: 'yes', weight: 3 },
        { address: '10.0.0.300', port: '80' },
        { address: 'host.example', port: 70000, zone: 7 },
      ],
    }))).toEqual([
      'a: {} is not a list of endpoints',
      'b[0]: "x" is not an object',
      'b[1].address: missing',
      'b[2]: unknown field "weight" (known: address, port, zone, healthy)',
      'b[2].port: 1.5 is not an integer 1-65535',
      'b[2].zone: "" is not a non-empty string',
      'b[2].healthy: "yes" is not a boolean',
      'b[3].address: "10.0.0.300" is not an IPv4 or IPv6 address',
      'b[3].port: "80" is not an integer 1-65535',
      'b[4].address: "host.example" is not an IPv4 or IPv6 address',
      'b[4].port: 70000 is not an integer 1-65535',
      'b[4].zone: 7 is not a non-empty string',
    ]);
    expect(problems(JSON.stringify({ ['n'.repeat(10_000)]: [{ address: 'x'.repeat(10_000), port: 1 }] }))[0]).toBe(
      `${'n'.repeat(77)}...[0].address: "${'x'.repeat(76)}... is not an IPv4 or IPv6 address`,
    );
    expect(parseStaticEndpoints('{"a": [{"address": "::1", "port": 65535, "zone": "az1", "healthy": false}], "b": []}'))
      .toEqual({ a: [{ address: '::1', port: 65535, zone: 'az1', healthy: false }], b: [] });
  });

  test('a huge bad file gives a bounded message', () => {
    const entries = Array.from({ length: 20_000 }, () => ({ address: 'x', port: 1 }));
    let error: StaticEndpointsError | undefined;
    try {
      parseStaticEndpoints(JSON.stringify({ a: entries }));
    } catch (e) {
      error = e as StaticEndpointsError;
    }
    expect(error!.problems).toHaveLength(20_000);
    expect(error!.message).toContain('20000 problems');
    expect(error!.message).toContain('and 19950 more');
    expect(error!.message.length).toBeLessThan(5000);
  });
});
