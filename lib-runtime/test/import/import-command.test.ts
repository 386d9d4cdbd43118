import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runImportCommand } from '../../src/import/import-command';

/** The command's contract: clear errors naming file, resource and field; nothing written unless --partial. */

const FIXTURES = 'lib-runtime/test/import/fixtures';

let out: string;
beforeEach(() => { out = fs.mkdtempSync(path.join(os.tmpdir(), 'import-command-')); });
afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runImportCommand([...args, '--out', out], { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

const written = () => fs.readdirSync(out);

test.each([
  ['an unreadable file', [`${FIXTURES}/cfn/missing.yaml`], `${FIXTURES}/cfn/missing.yaml: cannot read: ENOENT`],
  ['a template without App Mesh resources', [`${FIXTURES}/cfn/bad/no-appmesh.yaml`],
    `${FIXTURES}/cfn/bad/no-appmesh.yaml: no App Mesh resources (AWS::AppMesh::*) in the template (2 other resources)`],
  ['a reference to a resource defined nowhere', [`${FIXTURES}/cfn/bad/ref-nowhere.yaml`],
    `${FIXTURES}/cfn/bad/ref-nowhere.yaml: Route: Properties.Spec.HttpRoute.Action.WeightedTargets[0].VirtualNode.Fn::GetAtt: `
    + 'Fn::GetAtt CartNode.VirtualNodeName refers to a resource defined nowhere in the template'],
  ['a cycle of conditions', [`${FIXTURES}/cfn/bad/condition-cycle.yaml`],
    `${FIXTURES}/cfn/bad/condition-cycle.yaml: Conditions.IsProd: conditions refer to each other in a cycle: IsProd → IsLive → IsProd (evaluated for Mesh Properties.MeshName.Fn::If)`],
  ['a name App Mesh would reject', [`${FIXTURES}/cfn/bad/invalid-name.yaml`],
    'the imported mesh is not valid; App Mesh would have refused it (1 issue):\n'
    + `  ${FIXTURES}/cfn/bad/invalid-name.yaml: CartNode (virtual node "cart/v1"): virtualNodes["cart/v1"].virtualNodeName: the virtual node name "cart/v1" contains "/" (at position 5); `
    + 'names must not contain "/", which separates the parts of ARNs and node ids (mesh/<mesh>/virtualNode/<name>)'],
  ['inputs of several meshes without --mesh', [`${FIXTURES}/cfn/routing.yaml`, `${FIXTURES}/cfn/orders-gateway.json`],
    'the inputs define resources of several meshes ("store", "orders"); a spec holds one mesh: pass --mesh NAME to choose'],
])('%s: a clear error and nothing written', async (_what, args, message) => {
  const result = await run(...args);
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(`open-app-mesh import: ${message}\nnothing written\n`);
  expect(result.stdout).toBe('');
  expect(written()).toEqual([]);
});

test('a reference to a virtual node no input defines is refused by the validator, naming the route', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-ref-'));
  try {
    const file = path.join(dir, 'route.json');
    fs.writeFileSync(file, JSON.stringify({
      meshName: 'shop',
      virtualRouterName: 'cart',
      routeName: 'default',
      spec: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'cart-v9', weight: 1 }] } } },
    }));
    const router = path.join(dir, 'router.json');
    fs.writeFileSync(router, JSON.stringify({ meshName: 'shop', virtualRouterName: 'cart', spec: { listeners: [{ portMapping: { port: 80, protocol: 'http' } }] } }));
    const result = await run(router, file);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: create/update input \\(route "cart/default"\\): routes\\["cart/default"\\]\\.spec\\.httpRoute\\.action\\.weightedTargets\\[0\\]`));
    expect(result.stderr).toContain('cart-v9');
    expect(written()).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--partial skips what it cannot read, writes the rest and says so', async () => {
  const result = await run(`${FIXTURES}/cfn/routing.yaml`, `${FIXTURES}/cfn/bad/no-appmesh.yaml`, '--partial');
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/^mesh "store": 18 App Mesh resources from 1 file\(s\)/);
  expect(result.stdout).toContain('1 input file(s) skipped (--partial)');
  expect(written()).toEqual(expect.arrayContaining(['store.mesh.json', 'import-report.md']));
  const report = fs.readFileSync(path.join(out, 'import-report.md'), 'utf8');
  expect(report).toContain(`- \`${FIXTURES}/cfn/bad/no-appmesh.yaml\`: skipped (--partial): ${FIXTURES}/cfn/bad/no-appmesh.yaml: no App Mesh resources`);
});

test('--partial with an invalid mesh writes only the report, with the reason', async () => {
  const result = await run(`${FIXTURES}/cfn/bad/invalid-name.yaml`, '--partial');
  expect(result.code).toBe(1);
  expect(written()).toEqual(['import-report.md']);
  expect(fs.readFileSync(path.join(out, 'import-report.md'), 'utf8')).toMatch(/## Not finished\n\n```\nthe imported mesh is not valid/);
});

test('--mesh picks one mesh of several and reports the others as dropped', async () => {
  const result = await run(`${FIXTURES}/cfn/routing.yaml`, `${FIXTURES}/cfn/orders-gateway.json`, '--mesh', 'orders');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^mesh "orders": 23 App Mesh resources from 2 file\(s\): 5 imported, 0 resolved with an assumption, 18 dropped/);
  const report = fs.readFileSync(path.join(out, 'import-report.md'), 'utf8');
  expect(report).toContain('| virtual node "web" | `lib-runtime/test/import/fixtures/cfn/routing.yaml` WebNode | dropped | belongs to mesh "store", not the imported mesh "orders" |');
});

test('usage errors exit 2; --help exits 0', async () => {
  expect((await run()).code).toBe(2);
  expect((await run(`${FIXTURES}/cfn/routing.yaml`, '--format', 'xml')).stderr).toMatch(/^open-app-mesh import: --format must be cfn, cli, k8s or auto, got "xml"/);
  expect((await run(`${FIXTURES}/cfn/routing.yaml`, '--lang', 'py')).code).toBe(2);
  expect((await run(`${FIXTURES}/cfn/routing.yaml`, '--param', 'novalue')).stderr).toMatch(/--param takes KEY=VALUE, got "novalue"/);
  expect((await run('--help')).code).toBe(0);
  expect(written()).toEqual([]);
});

test('a file whose format cannot be told asks for --format', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-format-'));
  try {
    fs.writeFileSync(path.join(dir, 'notes.yaml'), 'title: not a mesh\n');
    const result = await run(path.join(dir, 'notes.yaml'));
    expect(result.stderr).toContain('notes.yaml: cannot tell the format of this .yaml file (no Resources section, no apiVersion/kind, not JSON); pass --format cfn|cli|k8s');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the spec is written as the constructs write it, and the report points at code aws-cdk-lib lacks', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-extension-'));
  try {
    const node = path.join(dir, 'node.json');
    fs.writeFileSync(node, JSON.stringify({
      meshName: 'shop',
      virtualNodeName: 'cart',
      spec: {
        listeners: [{
          portMapping: { port: 8080, protocol: 'http' },
          timeout: { http: { perRequest: { unit: 's', value: 15 } } },
          healthCheck: { protocol: 'http', path: '/ping', port: 9901, healthyThreshold: 2, unhealthyThreshold: 2, intervalMillis: 5000, timeoutMillis: 2000 },
        }],
        serviceDiscovery: { dns: { hostname: 'cart.shop.local' } },
      },
    }));
    const result = await run(node);
    expect(result.code).toBe(0);
    const spec = JSON.parse(fs.readFileSync(path.join(out, 'shop.mesh.json'), 'utf8'));
    expect(spec.virtualNodes[0].spec.listeners[0].timeout.http.perRequest).toEqual({ unit: 'ms', value: 15000 });
    const stack = fs.readFileSync(path.join(out, 'lib', 'shop-mesh-stack.ts'), 'utf8').split('\n');
    const report = fs.readFileSync(path.join(out, 'import-report.md'), 'utf8');
    const note = report.match(/`lib\/shop-mesh-stack\.ts:(\d+)`: a health check port other than the listener's/);
    expect(note).not.toBeNull();
    expect(stack[Number(note![1]) - 1]).toMatch(/port: 9901/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
