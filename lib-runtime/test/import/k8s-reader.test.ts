import { ImportError } from '../../src/import/import-error';
import { readK8sManifests } from '../../src/import/k8s/k8s-reader';

/** Manifests for the App Mesh controller, one feature each. */

const MESH = `apiVersion: appmesh.k8s.aws/v1beta2
kind: Mesh
metadata:
  name: shop
spec:
  namespaceSelector:
    matchLabels:
      mesh: shop
`;

const NAMESPACES = `apiVersion: v1
kind: Namespace
metadata:
  name: store
  labels:
    mesh: shop
    gateway: edge
`;

function docs(...parts: string[]): string {
  return parts.join('\n---\n');
}

function node(name: string, namespace: string, extra = ''): string {
  return `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualNode
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  podSelector:
    matchLabels:
      app: ${name}
  listeners:
    - portMapping: { port: 8080, protocol: http }
  serviceDiscovery:
    dns: { hostname: ${name}.${namespace}.svc.cluster.local }
${extra}`;
}

function readError(text: string, vars = {}): ImportError {
  try {
    readK8sManifests('m.yaml', text, { vars });
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('expected an ImportError');
}

test('names default to <name>_<namespace> (<name>.<namespace> for services); awsName wins', () => {
  const result = readK8sManifests('m.yaml', docs(MESH, NAMESPACES, node('cart', 'store'), node('web', 'store', '  awsName: web-frontend\n'), `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualService
metadata: { name: cart, namespace: store }
spec:
  provider:
    virtualNode:
      virtualNodeRef: { name: cart }
`));
  expect(result.resources.map((r) => [r.kind, r.name, r.meshName])).toEqual([
    ['mesh', 'shop', 'shop'],
    ['virtualNode', 'cart_store', 'shop'],
    ['virtualNode', 'web-frontend', 'shop'],
    ['virtualService', 'cart.store', 'shop'],
  ]);
  expect(result.resources[3].spec).toEqual({ provider: { virtualNode: { virtualNodeName: 'cart_store' } } });
  expect(result.ignored).toEqual({});
});

test('a reference with a namespace override, or to an object not in the inputs, takes the controller\'s name', () => {
  const result = readK8sManifests('m.yaml', docs(MESH, NAMESPACES, node('web', 'store', `  backends:
    - virtualService:
        virtualServiceRef: { name: payments, namespace: billing }
    - virtualService:
        virtualServiceARN: arn:aws:appmesh:eu-west-1:111122223333:mesh/shop/virtualService/audit.example
`)));
  const web = result.resources.find((r) => r.kind === 'virtualNode')!;
  expect(web.spec.backends).toEqual([
    { virtualService: { virtualServiceName: 'payments.billing' } },
    { virtualService: { virtualServiceName: 'audit.example' } },
  ]);
  expect(web.assumptions).toEqual([
    'spec.backends[0].virtualService.virtualServiceRef: VirtualService billing/payments is not in the inputs; its App Mesh name taken as the controller\'s default "payments.billing"',
  ]);
  expect(web.dropped).toEqual(['spec.podSelector: the spec has no selectors; which pods run the proxy is decided where the workload is deployed']);
});

test('a router\'s inline routes become routes named by their name, targets by ref or ARN', () => {
  const result = readK8sManifests('m.yaml', docs(MESH, NAMESPACES, node('v1', 'store'), `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualRouter
metadata: { name: cart, namespace: store }
spec:
  listeners:
    - portMapping: { port: 8080, protocol: http }
  routes:
    - name: split
      httpRoute:
        match: { prefix: / }
        action:
          weightedTargets:
            - virtualNodeRef: { name: v1 }
              weight: 3
            - virtualNodeARN: arn:aws:appmesh:eu-west-1:111122223333:mesh/shop/virtualNode/v2_store
              weight: 1
`));
  const route = result.resources.find((r) => r.kind === 'route')!;
  expect(route).toMatchObject({ name: 'split', parentName: 'cart_store', meshName: 'shop' });
  expect(route.spec).toEqual({ httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'v1_store', weight: 3 }, { virtualNode: 'v2_store', weight: 1 }] } } });
  expect(result.resources.find((r) => r.kind === 'virtualRouter')!.spec).toEqual({ listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] });
});

const GATEWAY = `apiVersion: appmesh.k8s.aws/v1beta2
kind: VirtualGateway
metadata: { name: edge, namespace: ingress }
spec:
  namespaceSelector:
    matchLabels: { gateway: edge }
  listeners:
    - portMapping: { port: 8088, protocol: http }
`;

const GATEWAY_ROUTE = `apiVersion: appmesh.k8s.aws/v1beta2
kind: GatewayRoute
metadata: { name: cart, namespace: store }
spec:
  httpRoute:
    match: { prefix: /cart }
    action:
      target:
        virtualService:
          virtualServiceRef: { name: cart }
`;

test('a gateway route\'s gateway is found through the gateway\'s namespaceSelector', () => {
  const result = readK8sManifests('m.yaml', docs(MESH, NAMESPACES, GATEWAY, GATEWAY_ROUTE));
  const route = result.resources.find((r) => r.kind === 'gatewayRoute')!;
  expect(route).toMatchObject({ name: 'cart_store', parentName: 'edge_ingress', meshName: 'shop' });
  expect(route.spec).toEqual({ httpRoute: { match: { prefix: '/cart' }, action: { target: { virtualService: { virtualServiceName: 'cart.store' } } } } });
  expect(route.assumptions).toContain('gateway found through VirtualGateway ingress/edge\'s namespaceSelector');
});

test('no gateway selecting the route\'s namespace is an error naming the route and the field', () => {
  const error = readError(docs(MESH, NAMESPACES.replace('gateway: edge', 'gateway: other'), GATEWAY, GATEWAY_ROUTE));
  expect(error.message).toBe('m.yaml: GatewayRoute store/cart (document 4): spec.virtualGatewayRef: no VirtualGateway\'s namespaceSelector selects namespace "store"; set spec.virtualGatewayRef');
});

test('a namespace no mesh selects, with one mesh in the file, is assumed in it and reported', () => {
  const result = readK8sManifests('m.yaml', docs(MESH, node('cart', 'elsewhere')));
  expect(result.resources[1].meshName).toBe('shop');
  expect(result.resources[1].assumptions).toEqual([
    'namespace "elsewhere" has no manifest in the file, so its labels are unknown; taken as in mesh "shop", the only mesh of the file',
  ]);
});

test('meshRef names the mesh; without any mesh the name is left to --mesh', () => {
  const withRef = readK8sManifests('m.yaml', node('cart', 'store', '  meshRef: { name: payments, uid: 1234 }\n'));
  expect(withRef.resources[0].meshName).toBe('payments');
  expect(readK8sManifests('m.yaml', node('cart', 'store')).resources[0].meshName).toBeUndefined();
});

test('fields the CRD does not define are stripped and reported; other objects are counted', () => {
  const result = readK8sManifests('m.yaml', docs(MESH, node('cart', 'store', '  replicas: 3\n'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: cart }\nspec: {}\n'));
  expect(result.resources[1].spec).not.toHaveProperty('replicas');
  expect(result.resources[1].dropped).toContain('spec.replicas: not a field of the VirtualNode CRD; stripped as the API server would');
  expect(result.ignored).toEqual({ 'apps/v1 Deployment': 1 });
});

test('${VAR} placeholders come from --var; a missing one is an error naming the line', () => {
  const text = docs(MESH, node('cart', 'store').replace('port: 8080', 'port: ${PORT}'));
  expect(readK8sManifests('m.yaml', text, { vars: { PORT: '9090' } }).resources[1].spec.listeners).toEqual([{ portMapping: { port: 9090, protocol: 'http' } }]);
  expect(readError(text).message).toBe('m.yaml: line 21: ${PORT} has no value; pass --var PORT=VALUE');
});

test('an older API version, and a file without App Mesh objects, are errors', () => {
  expect(readError(MESH.replace('v1beta2', 'v1beta1')).message)
    .toBe('m.yaml: Mesh shop (document 1): apiVersion: only appmesh.k8s.aws/v1beta2 is read; convert older manifests with the controller\'s upgrade first');
  expect(readError(NAMESPACES).message).toBe('m.yaml: no App Mesh resources (appmesh.k8s.aws/v1beta2) in the file (0 other objects)');
});

test('an object without a namespace is taken as in "default", and the report says so', () => {
  const result = readK8sManifests('m.yaml', docs(MESH, node('cart', 'store').replace('  namespace: store\n', '')));
  expect(result.resources[1]).toMatchObject({ name: 'cart_default' });
  expect(result.resources[1].assumptions[0]).toBe('metadata.namespace not given; taken as "default", where kubectl puts it without a context namespace');
});
