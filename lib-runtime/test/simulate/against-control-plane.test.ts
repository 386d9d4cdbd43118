import * as path from 'node:path';
import { toCanonicalJson } from '../../../src/spec/canonical';
import { ControlPlane } from '../../src/control-plane';
import { readSpec } from '../../src/diff/spec-inputs';
import { StaticFileDiscovery } from '../../src/discovery/static-file';
import { runSimulateCommand } from '../../src/simulate/simulate-command';
import type { Simulation } from '../../src/simulate/simulation';
import { FileSpecSource } from '../../src/sources/file-spec-source';
import { capture, exampleSpec, Scratch } from '../diff/example-assemblies';

/**
 * `simulate --against <admin URL>`: a real control plane (in process) serves the canary with
 * static endpoints; simulate walks the configuration it dumps for the node, so the targets carry
 * the endpoints the control plane discovered and the version it serves.
 */

jest.setTimeout(60_000);

const TOKEN = 'simulate-test-token-0123456789';
const scratch = new Scratch();
const specText = toCanonicalJson(exampleSpec('canary', { serviceB: 75, serviceBv2: 25 }));
let cp: ControlPlane;
let admin: string;

beforeAll(async () => {
  const specFile = scratch.file('apps.mesh.json', specText);
  const endpoints = scratch.file('endpoints.json', JSON.stringify({
    serviceB: [{ address: '10.0.1.5', port: 8080 }],
    serviceBv2: [{ address: '10.0.2.5', port: 8080 }, { address: '10.0.2.6', port: 8080 }],
  }));
  cp = new ControlPlane({
    spec: new FileSpecSource(specFile, undefined, { debounceMs: 20, statIntervalMs: 100 }),
    discovery: new StaticFileDiscovery(endpoints),
    xdsAddress: '127.0.0.1:0',
    adminHost: '127.0.0.1',
    adminPort: 0,
    adminToken: TOKEN,
    drainMs: 100,
  });
  const ports = await cp.start();
  admin = `http://127.0.0.1:${ports.admin}`;
});

afterAll(async () => {
  await cp?.stop();
  scratch.removeAll();
});

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const seen = capture();
  const code = await runSimulateCommand(args, seen.io);
  return { code, out: seen.out, err: seen.err };
}

test('the served configuration: the split, the discovered endpoints, the served version', async () => {
  const tokenFile = scratch.file('token', `${TOKEN}\n`);
  const { code, out, err } = await run('--against', admin, '--admin-token-file', tokenFile, '--from', 'serviceA', '--format', 'json',
    'GET', 'http://serviceb.apps.local:8080/');
  expect(err).toBe('');
  expect(code).toBe(0);
  const s = JSON.parse(out) as Simulation;
  expect(s.meshVersion).toBe(readSpec(specText, 'served').version);
  expect(s.targets.map(t => [t.virtualNode, t.probability, t.discovery, t.endpoints])).toEqual([
    ['serviceB', 0.75, 'EDS: 1 endpoint(s)', ['10.0.1.5:8080']],
    ['serviceBv2', 0.25, 'EDS: 2 endpoint(s)', ['10.0.2.5:8080', '10.0.2.6:8080']],
  ]);
});

test('errors name the admin server: no token, and options that do not go together', async () => {
  const noToken = await run('--against', admin, '--from', 'serviceA', 'GET', 'http://serviceb.apps.local:8080/');
  expect([noToken.code, noToken.err]).toEqual([2, expect.stringContaining('the admin server wants a bearer token')]);
  const both = await run('--against', admin, '--spec', path.join(scratch.root, 'apps.mesh.json'), '--from', 'serviceA', 'GET', 'http://a:1/');
  expect([both.code, both.err]).toEqual([2, expect.stringContaining('give --spec or --against, not both')]);
  const endpoints = await run('--against', admin, '--endpoints', 'x.json', '--from', 'serviceA', 'GET', 'http://a:1/');
  expect([endpoints.code, endpoints.err]).toEqual([2, expect.stringContaining('--endpoints goes with --spec')]);
});
