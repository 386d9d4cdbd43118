import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseStaticEndpoints, StaticFileDiscovery } from '../../src/discovery/static-file';
import { DiscoveredEndpoints, DiscoveryError } from '../../src/discovery/types';
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

  test('parseStaticEndpoints names the bad entry', () => {
    expect(() => parseStaticEndpoints('[]')).toThrow(/expected an object/);
    expect(() => parseStaticEndpoints('{"a": {}}')).toThrow(/"a" must be a list/);
    expect(() => parseStaticEndpoints('{"a": [{"port": 1}]}')).toThrow(/a\[0\]\.address/);
    expect(() => parseStaticEndpoints('{"a": [{"address": "127.0.0.1", "port": 1, "healthy": "yes"}]}')).toThrow(/a\[0\]\.healthy/);
    expect(parseStaticEndpoints('{"a": [{"address": "::1", "port": 65535}]}')).toEqual({ a: [{ address: '::1', port: 65535 }] });
  });
});
