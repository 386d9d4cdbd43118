import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CompositeDiscovery } from '../../src/discovery/composite';
import { EndpointState } from '../../src/discovery/endpoint-state';
import { StaticFileDiscovery } from '../../src/discovery/static-file';

const ONE = [{ address: '127.0.0.1', port: 1 }];
const TWO = [{ address: '127.0.0.2', port: 2 }];

describe('name-keyed tables take any node name', () => {
  test.each(['constructor', 'toString', 'hasOwnProperty', '__proto__'])('a node named %s leaves when the next map lacks it', (name) => {
    const state = new EndpointState();
    state.set(name, ONE);
    // A plain object inherits `constructor` etc.: `name in next` used to keep the node forever.
    expect(state.replaceAll({ other: TWO })).toBe(true);
    expect(Object.keys(state.snapshot())).toEqual(['other']);
  });

  test('a snapshot has no prototype, so inherited names are not nodes', () => {
    const state = new EndpointState();
    state.set('__proto__', ONE);
    const snapshot = state.snapshot();
    expect(Object.getPrototypeOf(snapshot)).toBeNull();
    expect(Object.keys(snapshot)).toEqual(['__proto__']);
    expect(Object.hasOwn(snapshot, 'constructor')).toBe(false);
  });

  test('the composite source merges nodes named __proto__ and constructor as nodes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-composite-'));
    const first = path.join(dir, 'first.json');
    const second = path.join(dir, 'second.json');
    fs.writeFileSync(first, '{ "__proto__": [ { "address": "127.0.0.1", "port": 1 } ], "constructor": [ { "address": "127.0.0.1", "port": 1 } ] }');
    fs.writeFileSync(second, '{ "__proto__": [ { "address": "127.0.0.2", "port": 2 } ] }');
    const composite = new CompositeDiscovery([
      new StaticFileDiscovery(first, undefined, { statIntervalMs: 0 }),
      new StaticFileDiscovery(second, undefined, { statIntervalMs: 0 }),
    ]);
    try {
      await composite.start();
      const merged = composite.current();
      expect(Object.getPrototypeOf(merged)).toBeNull();
      expect(Object.keys(merged)).toEqual(['__proto__', 'constructor']);
      expect(Object.getOwnPropertyDescriptor(merged, '__proto__')?.value).toEqual(TWO); // the later source wins
      expect(merged.constructor).toEqual(ONE);
    } finally {
      await composite.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
