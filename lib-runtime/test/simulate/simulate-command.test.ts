import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseRequest, RequestSyntaxError } from '../../src/simulate/request';
import { runSimulateCommand } from '../../src/simulate/simulate-command';
import type { Simulation } from '../../src/simulate/simulation';
import { capture, Scratch } from '../diff/example-assemblies';

/**
 * The command as a user runs it: a cloud assembly synthesized from the examples, text and JSON
 * output, exit codes 0 (routed), 1 (no route or refused) and 2 (usage or input error), and the
 * request syntax.
 */

jest.setTimeout(60_000);

const scratch = new Scratch();
let assembly: string;

beforeAll(() => {
  assembly = scratch.assembly('cdk.out', ['routing', 'gateway']);
});

afterAll(() => scratch.removeAll());

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const seen = capture();
  const code = await runSimulateCommand(args, seen.io);
  return { code, out: seen.out, err: seen.err };
}

describe('open-app-mesh simulate on a cloud assembly', () => {
  test('routed: exit 0, the text answer names the listener, the routes tried and the targets', async () => {
    const { code, out, err } = await run('--spec', assembly, '--from', 'web', 'GET', 'http://catalog.store.local:8080/items/42?version=2', '-H', 'x-beta: true');
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe('GET http://catalog.store.local:8080/items/42?version=2 -H \'x-beta: true\'');
    expect(lines[1]).toMatch(/^from mesh\/store\/virtualNode\/web: Envoy view matched by Envoy's rules, spec version [0-9a-f]{12}$/);
    expect(lines[3]).toBe('ROUTED to catalog-v2 100.0 %');
    expect(out).toContain('         no match admin        prefix "/admin/" vs path "/items/42"; header authorization: prefix "Bearer ": absent\n');
    expect(out).toContain('         match    beta-header  prefix "/" vs path "/items/42"; header x-beta: exact "true" vs "true"\n');
    expect(out).toContain('  100.0 %  cds_egress_store_catalog-v2_http_8080 (weight 1; virtual node catalog-v2, http port 8080)\n');
  });

  test('the gateway mesh of the same assembly, by node id; --format json is the Simulation', async () => {
    const { code, out } = await run('--spec', assembly, '--from', 'mesh/edge/virtualGateway/ingress-gw', '--format', 'json', 'GET', 'http://www.example.com:8080/shop/a');
    expect(code).toBe(0);
    const s = JSON.parse(out) as Simulation;
    expect(s).toMatchObject({ nodeId: 'mesh/edge/virtualGateway/ingress-gw', view: 'envoy', outcome: 'routed' });
    expect(s.hops.map(h => h.route)).toEqual(['shop', 'shop-split']);
    expect(s.targets.map(t => [t.virtualNode, t.probability])).toEqual([['shop-blue', 0.8], ['shop-green', 0.2]]);
  });

  test('no route: exit 1 and the reason, in text and JSON', async () => {
    const text = await run('--spec', assembly, '--from', 'web', 'GET', 'http://catalog.store.local:9090/');
    expect(text.code).toBe(1);
    expect(text.out.split('\n')[3]).toMatch(/^REFUSED: no filter chain of lds_egress_0\.0\.0\.0_15001 accepts a connection to port 9090/);
    const json = await run('--spec', assembly, '--from', 'web', '--format', 'json', 'grpc', 'xds:///nowhere.store.local', 'a.B/C');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toMatchObject({ outcome: 'refused', view: 'proxyless', reason: expect.stringContaining('no Listener named "nowhere.store.local"') });
  });

  test('usage and input errors: exit 2, naming what is wrong', async () => {
    const cases: Array<[string[], string]> = [
      [['--from', 'web', 'GET', 'http://a:1/'], '--spec is required'],
      [['--spec', assembly, 'GET', 'http://a:1/'], '--from is required'],
      [['--spec', assembly, '--from', 'web'], 'no request given'],
      [['--spec', assembly, '--from', 'nobody', 'GET', 'http://a:1/'], '--from nobody: no virtual node or gateway of that name (the spec has '],
      [['--spec', assembly, '--from', 'mesh/shop/virtualNode/web', 'GET', 'http://a:1/'], '--from mesh/shop/virtualNode/web: no spec read is of mesh "shop" (read: edge, store)'],
      [['--spec', path.join(scratch.root, 'missing.json'), '--from', 'web', 'GET', 'http://a:1/'], 'missing.json: cannot read'],
      [['--spec', assembly, '--from', 'web', 'GET', 'ftp://a/'], 'request: "ftp://a/": only http:// and https:// URLs are simulated'],
      [['--spec', assembly, '--from', 'web', 'grpc', 'ratings.store.local', 'store.Ratings/Get'], 'request: "ratings.store.local": through the Envoy sidecar the target is host:port'],
      [['--spec', assembly, '--from', 'web', 'GET', 'http://a:1/', '-H', 'no colon'], 'request: header "no colon" is not "name: value"'],
      [['--spec', assembly, '--from', 'web', '--format', 'yaml', 'GET', 'http://a:1/'], '--format must be text or json, got "yaml"'],
      [['--spec', assembly, '--from', 'web', '--endpoints', path.join(scratch.root, 'none.json'), 'GET', 'http://a:1/'], 'none.json: cannot read'],
    ];
    for (const [args, message] of cases) {
      const { code, err } = await run(...args);
      expect([code, err]).toEqual([2, expect.stringContaining(message)]);
    }
  });

  test('--endpoints: a static endpoints file lists the hosts behind each target', async () => {
    const file = path.join(scratch.root, 'endpoints.json');
    fs.writeFileSync(file, JSON.stringify({ 'catalog-v1': [{ address: '10.1.0.7', port: 8080, zone: 'us-east-1a' }] }));
    const { code, out } = await run('--spec', assembly, '--from', 'web', '--endpoints', file, 'GET', 'http://catalog.store.local:8080/');
    expect(code).toBe(0);
    expect(out).toContain('           EDS: 1 endpoint(s)\n           endpoints 10.1.0.7:8080 (zone us-east-1a)\n');
  });

  test('--help documents both request forms and the exit codes', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    expect(out).toContain('[METHOD] http://host:port/path?query [-H \'name: value\']...');
    expect(out).toContain('grpc <target> <package.Service>/<Method> [-m \'name: value\']...');
    expect(out).toContain('Exit code: 0 routed, 1 no route or refused (the answer says why), 2 usage or input error.');
  });
});

describe('request syntax', () => {
  test('HTTP: method defaults to GET, default ports by scheme, Host header overrides the authority, the raw path is kept', () => {
    expect(parseRequest(['http://a.local/x/../y?q=1'], [])).toMatchObject({ kind: 'http', method: 'GET', authority: 'a.local', port: 80, path: '/x/../y?q=1' });
    expect(parseRequest(['DELETE', 'https://a.local'], ['X-Id: 7'])).toMatchObject({ method: 'DELETE', scheme: 'https', port: 443, path: '/', headers: [['x-id', '7']] });
    expect(parseRequest(['http://a.local:8080/'], ['Host: b.local'])).toMatchObject({ authority: 'b.local', port: 8080, headers: [] });
  });

  test('gRPC: xds:/// is a proxyless channel, host:port an application\'s channel through Envoy', () => {
    expect(parseRequest(['grpc', 'xds:///greeter.local', 'helloworld.Greeter/SayHello'], ['x-canary: true'])).toMatchObject({
      kind: 'grpc',
      xdsTarget: 'greeter.local',
      path: '/helloworld.Greeter/SayHello',
      method: 'POST',
      headers: [['content-type', 'application/grpc'], ['te', 'trailers'], ['x-canary', 'true']],
    });
    const viaEnvoy = parseRequest(['grpc', 'dns:///greeter.local:50051', '/helloworld.Greeter/SayHello'], []);
    expect(viaEnvoy).toMatchObject({ authority: 'greeter.local:50051', port: 50051, path: '/helloworld.Greeter/SayHello' });
    expect(viaEnvoy.xdsTarget).toBeUndefined();
  });

  test.each([
    [[], [], 'no request'],
    [['GET', 'http://a/', 'extra'], [], 'expected [METHOD] <URL>'],
    [['grpc', 'xds:///a'], [], 'expected "grpc <target> <package.Service>/<Method>"'],
    [['grpc', 'xds:///a', 'NoSlash'], [], '"NoSlash" is not <package.Service>/<Method>'],
    [['grpc', 'xds:///a', 'a.B/C'], ['grpc-timeout: 1S'], 'gRPC reserves pseudo-headers and grpc- names'],
    [['http://a/'], ['bad name: x'], '"bad name" is not a header name'],
  ])('%j %j is refused', (words, headers, message) => {
    expect(() => parseRequest(words as string[], headers as string[])).toThrow(RequestSyntaxError);
    expect(() => parseRequest(words as string[], headers as string[])).toThrow(message);
  });
});
