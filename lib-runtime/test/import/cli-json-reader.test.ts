import { readCliJson } from '../../src/import/cli-json-reader';
import { ImportError } from '../../src/import/import-error';
import { assembleMesh } from '../../src/import/mesh-assembly';

function readError(file: string, value: unknown, vars = {}): ImportError {
  try {
    readCliJson(file, JSON.stringify(value), { vars });
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('expected an ImportError');
}

const NODE_SPEC = { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'cart.shop.local' } } };

describe('create/update inputs', () => {
  test('the kind comes from the name fields; $VAR and ${VAR} come from --var', () => {
    const result = readCliJson('in.json', JSON.stringify({
      meshName: 'shop-$ENV',
      virtualNodeName: 'cart',
      spec: { ...NODE_SPEC, serviceDiscovery: { dns: { hostname: 'cart.${DOMAIN}' } } },
    }), { vars: { ENV: 'prod', DOMAIN: 'shop.internal' } });
    expect(result.resources).toHaveLength(1);
    expect(result.resources[0]).toMatchObject({ kind: 'virtualNode', meshName: 'shop-prod', name: 'cart', spec: { serviceDiscovery: { dns: { hostname: 'cart.shop.internal' } } } });
  });

  test('a placeholder without --var is an error naming the field; a regex keeps its $', () => {
    expect(readError('in.json', { virtualNodeName: 'cart', spec: { ...NODE_SPEC, serviceDiscovery: { dns: { hostname: 'cart.$DOMAIN' } } } }).message)
      .toBe('in.json: create/update input: spec.serviceDiscovery.dns.hostname: $DOMAIN has no value; pass --var DOMAIN=VALUE');
    const route = readCliJson('r.json', JSON.stringify({
      virtualRouterName: 'cart', routeName: 'r', spec: { httpRoute: { match: { path: { regex: '^/items/[0-9]+$' } }, action: { weightedTargets: [{ virtualNode: 'cart', weight: 1 }] } } },
    }));
    expect(route.resources[0].spec).toMatchObject({ httpRoute: { match: { path: { regex: '^/items/[0-9]+$' } } } });
  });

  test('without names the kind comes from the file name; a missing resource name is an error', () => {
    const mesh = readCliJson('create-mesh.json', JSON.stringify({ spec: { egressFilter: { type: 'ALLOW_ALL' } } }));
    expect(mesh.resources[0]).toMatchObject({ kind: 'mesh', meshName: undefined, spec: { egressFilter: { type: 'ALLOW_ALL' } } });
    expect(readError('update-virtual-node.json', { spec: NODE_SPEC }).message)
      .toBe('update-virtual-node.json: create/update input: virtualNodeName: the virtual node name is missing; App Mesh needs it');
    expect(readError('input.json', { spec: NODE_SPEC }).message).toMatch(/^input\.json: cannot tell which resource this input is for/);
  });

  test('a missing mesh name comes from --mesh, or is an error asking for it', () => {
    const read = readCliJson('n.json', JSON.stringify({ virtualNodeName: 'cart', spec: NODE_SPEC }));
    const assembly = assembleMesh(read.resources, { meshName: 'shop' });
    expect(assembly.doc.virtualNodes[0].meshName).toBe('shop');
    expect(assembly.outcomes.find((o) => o.resource.kind === 'virtualNode')).toMatchObject({ status: 'assumed', notes: ['mesh name taken from --mesh ("shop")'] });
    expect(() => assembleMesh(read.resources)).toThrow('n.json: create/update input (virtual node "cart"): meshName: the mesh name is missing: the input does not name its mesh; pass --mesh NAME');
  });

  test('an unknown field is an error naming it', () => {
    expect(readError('n.json', { virtualNodeName: 'cart', meshName: 'shop', spec: { ...NODE_SPEC, listener: [] } }).message)
      .toMatch(/^n\.json: create\/update input: spec\.listener: unknown field "listener"/);
    expect(readError('n.json', { virtualNodeName: 'cart', meshName: 'shop', spec: NODE_SPEC, owner: 'x' }).message)
      .toMatch(/^n\.json: create\/update input: owner: unknown field for a virtual node/);
  });

  test('a later update replaces the earlier definition', () => {
    const create = readCliJson('1-create.json', JSON.stringify({ meshName: 'shop', virtualNodeName: 'cart', spec: NODE_SPEC }));
    const update = readCliJson('2-update.json', JSON.stringify({
      meshName: 'shop', virtualNodeName: 'cart', spec: { ...NODE_SPEC, listeners: [{ portMapping: { port: 9090, protocol: 'grpc' } }] },
    }));
    const assembly = assembleMesh([...create.resources, ...update.resources]);
    expect(assembly.doc.virtualNodes).toHaveLength(1);
    expect(assembly.doc.virtualNodes[0].spec.listeners).toEqual([{ portMapping: { port: 9090, protocol: 'grpc' } }]);
    expect(assembly.outcomes[0]).toMatchObject({ status: 'dropped', notes: ['replaced by the later definition in 2-update.json (create/update input)'] });
  });
});

describe('describe and list outputs', () => {
  test('metadata and status are left out; a DELETED resource is excluded', () => {
    const result = readCliJson('d.json', JSON.stringify([
      { virtualNode: { meshName: 'shop', virtualNodeName: 'cart', spec: NODE_SPEC, metadata: { version: 3 }, status: { status: 'ACTIVE' } } },
      { virtualNode: { meshName: 'shop', virtualNodeName: 'old', spec: NODE_SPEC, metadata: { version: 9 }, status: { status: 'DELETED' } } },
    ]));
    expect(result.resources.map((r) => [r.name, r.excluded])).toEqual([['cart', undefined], ['old', 'its describe output says status DELETED']]);
    expect(result.resources[0].source.origin).toBe('[0].virtualNode describe output');
  });

  test('a shared mesh keeps its owner', () => {
    const result = readCliJson('m.json', JSON.stringify({
      mesh: { meshName: 'shop', spec: {}, metadata: { meshOwner: '111122223333', resourceOwner: '444455556666' }, status: { status: 'ACTIVE' } },
    }));
    expect(result.resources[0]).toMatchObject({ kind: 'mesh', meshOwner: '111122223333' });
  });

  test('list outputs name resources without a spec', () => {
    const result = readCliJson('l.json', JSON.stringify({
      routes: [{ meshName: 'shop', virtualRouterName: 'cart', routeName: 'default', arn: 'arn:aws:appmesh:eu-west-1:111122223333:mesh/shop/virtualRouter/cart/route/default' }],
    }));
    expect(result.resources).toEqual([]);
    expect(result.listed).toEqual([{ kind: 'route', meshName: 'shop', name: 'default', parentName: 'cart', file: 'l.json' }]);
  });

  test('a file that is not JSON, or holds no App Mesh resources, is an error naming it', () => {
    expect(() => readCliJson('x.json', '{ nope')).toThrow(/^x\.json: not valid JSON: /);
    expect(() => readCliJson('x.json', '[]')).toThrow('x.json: no App Mesh resources in the file (expected create-*/update-* input, describe-* or list-* output)');
  });
});
