/**
 * What the code generator refuses (naming the spec field) and the constructs form it promises. The round trip itself is round-trip.test.ts.
 */
import { CodegenError, constructsForm, generateCdkApp } from '../../../lib-runtime/src/import/codegen';
import { MeshSpecDocument, SPEC_VERSION } from '../../../src/spec/document';

function mesh(parts: Partial<MeshSpecDocument> = {}): MeshSpecDocument {
  return {
    specVersion: SPEC_VERSION,
    mesh: { meshName: 'm', spec: {} },
    virtualNodes: [],
    virtualServices: [],
    virtualRouters: [],
    routes: [],
    virtualGateways: [],
    gatewayRoutes: [],
    ...parts,
  };
}

const node = (spec: MeshSpecDocument['virtualNodes'][number]['spec']) => mesh({ virtualNodes: [{ meshName: 'm', virtualNodeName: 'n', spec }] });

function codegenError(doc: MeshSpecDocument): CodegenError {
  try {
    generateCdkApp(doc);
  } catch (error) {
    if (error instanceof CodegenError) return error;
    throw error;
  }
  throw new Error('generateCdkApp accepted the document');
}

test('a deploy-time value (CloudFormation intrinsic) is refused by its path', () => {
  const error = codegenError(node({ serviceDiscovery: { dns: { hostname: { 'Fn::GetAtt': ['Lb', 'DNSName'] } as unknown as string } } }));
  expect(error.issues).toEqual([expect.objectContaining({ path: 'virtualNodes[0].spec.serviceDiscovery.dns.hostname' })]);
  expect(error.message).toMatch(/deploy-time values.*\n.*Fn::GetAtt.*CloudFormation intrinsic/);
});

test('an invalid document is refused with the validator\'s issues', () => {
  const doc = node({ listeners: [{ portMapping: { port: 70000, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'n.local' } } });
  const error = codegenError(doc);
  expect(error.message).toMatch(/^the mesh spec is not valid:/);
  expect(error.issues.map((i) => i.path)).toContain('virtualNodes["n"].spec.listeners[0].portMapping.port');
});

test('a mesh shared from another account is refused', () => {
  const doc = mesh({ mesh: { meshName: 'm', meshOwner: '111122223333', spec: {} } });
  expect(codegenError(doc).issues).toEqual([{ path: 'mesh.meshOwner', message: expect.stringMatching(/shared from account 111122223333/) }]);
});

test('a listener timeout of another protocol is refused, naming the field', () => {
  const doc = node({
    serviceDiscovery: { dns: { hostname: 'n.local' } },
    listeners: [{ portMapping: { port: 8080, protocol: 'http' }, timeout: { grpc: { idle: { unit: 's', value: 1 } } } }],
  });
  expect(codegenError(doc).issues.map((i) => i.path)).toEqual(['virtualNodes["n"].spec.listeners[0].timeout.grpc']);
});

test('an unknown language is refused', () => {
  expect(() => generateCdkApp(mesh(), { lang: 'py' as 'ts' })).toThrow(/unknown language "py"; only 'ts' is written/);
});

test('a gRPC health check\'s path, which App Mesh ignores, is refused by the validator, naming the field', () => {
  const doc = node({
    serviceDiscovery: { dns: { hostname: 'n.local' } },
    listeners: [{
      portMapping: { port: 8080, protocol: 'grpc' },
      healthCheck: { protocol: 'grpc', path: '/ignored', healthyThreshold: 2, unhealthyThreshold: 2, intervalMillis: 5000, timeoutMillis: 2000 },
    }],
  });
  expect(codegenError(doc).issues.map((i) => i.path)).toEqual(['virtualNodes["n"].spec.listeners[0].healthCheck.path']);
});

test('the import path is open-app-mesh unless told otherwise, in the stack and in package.json', () => {
  const byDefault = generateCdkApp(mesh());
  const stack = (app: typeof byDefault) => app.files.find((f) => f.path === app.stackFile)!.content;
  expect(stack(byDefault)).toContain("import * as appmesh from 'open-app-mesh';");
  expect(JSON.parse(byDefault.files.find((f) => f.path === 'package.json')!.content).dependencies).toHaveProperty('open-app-mesh');
  const swapped = generateCdkApp(mesh(), { importFrom: 'aws-cdk-lib/aws-appmesh' });
  expect(stack(swapped)).toContain("import * as appmesh from 'aws-cdk-lib/aws-appmesh';");
  expect(JSON.parse(swapped.files.find((f) => f.path === 'package.json')!.content).dependencies).not.toHaveProperty('open-app-mesh');
  expect(byDefault.files.map((f) => f.path)).toEqual(['bin/app.ts', 'cdk.json', 'lib/m-mesh-stack.ts', 'package.json', 'tsconfig.json']);
});

test('the stack class is a valid identifier whatever the mesh name', () => {
  expect(generateCdkApp(mesh({ mesh: { meshName: '2024-mesh', spec: {} } })).stackClass).toBe('Mesh2024MeshMeshStack');
  expect(generateCdkApp(mesh({ mesh: { meshName: 'my_mesh.prod', spec: {} } })).stackClass).toBe('MyMeshProdMeshStack');
});

test('the constructs form states App Mesh defaults, counts in milliseconds and leaves the input alone', () => {
  const doc = node({
    serviceDiscovery: { awsCloudMap: { namespaceName: 'ns', serviceName: 's', attributes: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }] } },
    listeners: [{
      portMapping: { port: 8080, protocol: 'http' },
      healthCheck: { protocol: 'http', healthyThreshold: 2, unhealthyThreshold: 2, intervalMillis: 5000, timeoutMillis: 2000 },
      timeout: { http: { perRequest: { unit: 's', value: 15 } } },
    }],
    backendDefaults: { clientPolicy: { tls: { validation: { trust: { file: { certificateChain: '/ca.pem' } } } } } },
  });
  const before = JSON.stringify(doc);
  const form = constructsForm(doc);
  expect(JSON.stringify(doc)).toBe(before);
  expect(form.mesh.spec).toEqual({ egressFilter: { type: 'DROP_ALL' } });
  const spec = form.virtualNodes[0].spec;
  expect(spec.serviceDiscovery!.awsCloudMap!.attributes!.map((a) => a.key)).toEqual(['a', 'b']);
  expect(spec.listeners![0].healthCheck).toMatchObject({ port: 8080, path: '/' });
  expect(spec.listeners![0].timeout).toEqual({ http: { perRequest: { unit: 'ms', value: 15000 } } });
  expect(spec.backendDefaults!.clientPolicy!.tls!.enforce).toBe(true);
});
