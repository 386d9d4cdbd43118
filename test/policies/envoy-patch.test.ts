import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as ts from 'typescript';
import * as appmesh from '../../src';
import { synthEntryFile } from '../../src/policies/envoy-patch-synth-check';
import { contributeExtensions } from '../../src/private/extensions';
import { buildMeshSpecs } from '../../src/private/spec-builder';
import { SPEC_VERSION_EXTENSIONS } from '../../src/spec';
import { onlyDocument } from '../helpers';

function meshApp() {
  const app = new App();
  const stack = new Stack(app, 'Stack');
  const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'm' });
  const node = mesh.addVirtualNode('node', {
    virtualNodeName: 'node',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local'),
    listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
  });
  const gateway = mesh.addVirtualGateway('gateway', {
    virtualGatewayName: 'gateway',
    listeners: [appmesh.VirtualGatewayListener.http({ port: 8443 })],
  });
  return { app, stack, node, gateway };
}

const LOCAL_CLUSTER = 'cds_ingress_m_node_http_8080';
const FAULT_FILTER = {
  name: 'envoy.filters.http.fault',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault', 'max_active_faults': { value: 10 } },
};

describe('constructs put patches into the spec', () => {
  test('every factory renders its patch, in the order added, and the document becomes v2', () => {
    const { app, stack, node, gateway } = meshApp();
    const cluster = { per_connection_buffer_limit_bytes: { value: 65536 } };
    node.addEnvoyPatch(appmesh.EnvoyPatch.mergeCluster(LOCAL_CLUSTER, cluster));
    cluster.per_connection_buffer_limit_bytes.value = 1; // copied when added: later changes do not leak in
    node.addEnvoyPatch(appmesh.EnvoyPatch.addHttpFilter({ listenerName: 'lds_ingress_0.0.0.0_15000', filterChainName: 'ingress_http_8080', filter: FAULT_FILTER }));
    node.addEnvoyPatch(appmesh.EnvoyPatch.mergeHttpFilter({ listenerName: 'lds_ingress_0.0.0.0_15000', filterName: 'envoy.filters.http.fault', value: { typed_config: { max_active_faults: { value: 5 } } } }));
    gateway.addEnvoyPatch(appmesh.EnvoyPatch.mergeRouteConfiguration('rds_ingress_http_8443', { validate_clusters: { value: false } }));
    gateway.addEnvoyPatch(appmesh.EnvoyPatch.addHttpFilter({ listenerName: 'lds_ingress_0.0.0.0_8443', filter: FAULT_FILTER }));
    gateway.addEnvoyPatch(appmesh.EnvoyPatch.removeHttpFilter({ listenerName: 'lds_ingress_0.0.0.0_8443', filterName: 'envoy.filters.http.fault' }));
    const doc = onlyDocument(stack);
    expect(doc.specVersion).toBe(SPEC_VERSION_EXTENSIONS);
    expect(doc.virtualNodes[0].extensions?.envoyPatches).toEqual([
      { target: 'cluster', operation: 'merge', name: LOCAL_CLUSTER, value: { per_connection_buffer_limit_bytes: { value: 65536 } } },
      { target: 'httpFilter', operation: 'add', name: 'lds_ingress_0.0.0.0_15000', filterChain: 'ingress_http_8080', value: FAULT_FILTER },
      { target: 'httpFilter', operation: 'merge', name: 'lds_ingress_0.0.0.0_15000', filterName: 'envoy.filters.http.fault', value: { typed_config: { max_active_faults: { value: 5 } } } },
    ]);
    expect(doc.virtualGateways[0].extensions?.envoyPatches?.map(p => `${p.operation} ${p.target}`)).toEqual(['merge routeConfiguration', 'add httpFilter', 'remove httpFilter']);
    expect(() => app.synth()).not.toThrow();
  });

  test.each<[string, () => appmesh.EnvoyPatch, string]>([
    ['an empty name', () => appmesh.EnvoyPatch.removeCluster(''), 'Envoy patch (remove cluster): name must be a non-empty string, got ""'],
    ['an add without a name', () => appmesh.EnvoyPatch.addCluster({ type: 'STATIC' }), 'Envoy patch (add cluster): the value\'s name must be a non-empty string, got undefined'],
    ['a list as value', () => appmesh.EnvoyPatch.mergeListener('l', [] as any), 'Envoy patch (merge listener): the value must be a proto-JSON object, got a list'],
    ['a filter merge without a filter name', () => appmesh.EnvoyPatch.mergeHttpFilter({ listenerName: 'l', filterName: '', value: {} }), 'Envoy patch (merge httpFilter): filterName must be a non-empty string, got ""'],
  ])('%s is refused when added, naming the construct path', (_, patch, message) => {
    const { node } = meshApp();
    expect(() => node.addEnvoyPatch(patch())).toThrow(`[Stack/mesh/node] ${message}`);
  });
});

describe('the spec rule envoy-patch-shape (both sides: synth and the control plane)', () => {
  test.each<[string, object, string]>([
    ['remove with a value', { target: 'cluster', operation: 'remove', name: 'c', value: {} }, 'envoyPatches[0].value: not allowed: remove takes nothing but the target'],
    ['merge without a name', { target: 'listener', operation: 'merge', value: {} }, 'envoyPatches[0].name: missing: merge names the listener it changes'],
    ['add with a name beside value.name', { target: 'cluster', operation: 'add', name: 'c', value: { name: 'c' } }, 'envoyPatches[0].name: not allowed: add takes the new cluster\'s name from value.name'],
    ['a filter field on a cluster', { target: 'cluster', operation: 'remove', name: 'c', filterName: 'f' }, 'envoyPatches[0].filterName: not allowed: filterName addresses an HTTP filter'],
    ['an httpFilter without its listener', { target: 'httpFilter', operation: 'remove', filterName: 'f' }, 'envoyPatches[0].name: missing: an httpFilter patch names the listener'],
    ['an unknown operation', { target: 'cluster', operation: 'replace', name: 'c' }, 'envoyPatches[0].operation'],
  ])('%s is refused with the construct path and the spec field', (_, patch, message) => {
    const { stack, node } = meshApp();
    contributeExtensions(node, () => ({ envoyPatches: [patch] }));
    expect(() => buildMeshSpecs(stack)).toThrow('[Stack/mesh/node] virtualNodes["node"].extensions.' + message);
  });
});

describe('checked at synth with the control plane\'s own translation and Envoy\'s rules', () => {
  test.each<[string, () => appmesh.EnvoyPatch, string]>([
    ['a cluster the node does not have', () => appmesh.EnvoyPatch.mergeCluster('cds_egress_m_ghost_http_8080', {}),
      `envoyPatches[0]: merge cluster: this node has no cluster named "cds_egress_m_ghost_http_8080" (it has "cds_egress_m_amazonaws", "${LOCAL_CLUSTER}")`],
    ['a filter chain the listener does not have', () => appmesh.EnvoyPatch.addHttpFilter({ listenerName: 'lds_ingress_0.0.0.0_15000', filterChainName: 'ingress_http_9090', filter: FAULT_FILTER }),
      'listener "lds_ingress_0.0.0.0_15000" has no filter chain "ingress_http_9090"'],
    ['a broken validation rule', () => appmesh.EnvoyPatch.mergeCluster(LOCAL_CLUSTER, { connect_timeout: { seconds: 0, nanos: 0 } }),
      `Cluster "${LOCAL_CLUSTER}".connect_timeout: duration.gt 0s (got 0s)`],
    ['a misspelt field', () => appmesh.EnvoyPatch.mergeCluster(LOCAL_CLUSTER, { conect_timeout: { seconds: 1 } }), 'conect_timeout'],
  ])('%s fails the synth with the construct path', (_, patch, message) => {
    const { app, node } = meshApp();
    node.addEnvoyPatch(patch());
    let error = '';
    try {
      app.synth();
    } catch (e) {
      error = (e as Error).message;
    }
    expect(error).toContain('[Stack/mesh/node] Envoy patches of virtualNode \'node\' would not be served: envoyPatches');
    expect(error).toContain(message);
  });

  test('a gateway\'s patch is checked against the gateway\'s own resources', () => {
    const { app, gateway } = meshApp();
    gateway.addEnvoyPatch(appmesh.EnvoyPatch.removeListener('lds_ingress_0.0.0.0_15000'));
    expect(() => app.synth()).toThrow(/\[Stack\/mesh\/gateway\] Envoy patches of virtualGateway 'gateway' would not be served: .*no listener named "lds_ingress_0.0.0.0_15000" \(it has "lds_egress_0.0.0.0_15001", "lds_ingress_0.0.0.0_8443"\)/);
  });

  test('a node in a stage is checked against its own stage\'s document, even when another stage has a mesh of the same name', () => {
    const app = new App();
    const nodes = ['One', 'Two'].map((stageName, i) => {
      const stack = new Stack(new Stage(app, stageName), 'Stack');
      const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'm' });
      return mesh.addVirtualNode('node', {
        virtualNodeName: 'node',
        serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local'),
        listeners: [appmesh.VirtualNodeListener.http({ port: 8080 + i })],
      });
    });
    nodes[0].addEnvoyPatch(appmesh.EnvoyPatch.removeCluster('cds_ingress_m_node_http_8081'));
    expect(() => app.synth()).toThrow(/\[One\/Stack\/mesh\/node\] .*no cluster named "cds_ingress_m_node_http_8081"/);
  });

  test('this checkout runs the runtime from its sources', () => {
    expect(synthEntryFile()).toBe(path.join(__dirname, '..', '..', 'lib-runtime', 'src', 'translate', 'policies', 'envoy-patch-synth.ts'));
    expect(fs.existsSync(synthEntryFile())).toBe(true);
  });
});

describe('the generated TypeScript types', () => {
  const GENERATED = path.join(__dirname, '..', '..', 'src', 'policies', 'envoy-patch-types.generated.ts');

  test('are up to date with the proto descriptor (node build-tools/gen-envoy-patch-types.js)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { envoyPatchTypesSource } = require('../../build-tools/envoy-patch-types');
    expect(fs.readFileSync(GENERATED, 'utf8')).toBe(envoyPatchTypesSource());
  });

  test('type a patch value: a real field compiles, a misspelt field or a wrong enum does not', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'envoy-types-'));
    const file = path.join(dir, 'use.ts');
    fs.writeFileSync(file, [
      `import { Cluster, HttpFilter, Packed } from ${JSON.stringify(GENERATED.replace(/\.ts$/, ''))};`,
      'export const good: Cluster = { name: "c", type: "STRICT_DNS", connect_timeout: { seconds: 1 }, per_connection_buffer_limit_bytes: { value: 1 } };',
      'const fault: Packed<"envoy.extensions.filters.http.fault.v3.HTTPFault"> = { "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault", max_active_faults: { value: 3 } };',
      'export const filter: HttpFilter = { name: "envoy.filters.http.fault", typed_config: fault };',
      'export const asValue: { [field: string]: any } = good;',
      'export const typo: Cluster = { name: "c", conect_timeout: { seconds: 1 } };',
      'export const badEnum: Cluster = { type: "FASTEST" };',
      '',
    ].join('\n'));
    const options = { strict: true, noEmit: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS };
    const program = ts.createProgram([file], options);
    const errors = ts.getPreEmitDiagnostics(program).map(d => `${d.file ? d.file.getLineAndCharacterOfPosition(d.start!).line + 1 : 0}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    fs.rmSync(dir, { recursive: true });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^6: .*conect_timeout/);
    expect(errors[1]).toMatch(/^7: .*"FASTEST"/);
  });
});
