import * as fs from 'fs';
import * as path from 'path';
import { encodingProblems } from './envoy-checks';
import { EnvoyPatchSpec } from '../../../src/spec/extensions/envoy-patch';
import { EnvoyConfig, ProtoJson, translateNode, TYPE_URLS } from '../../src/translate';
import { applyEnvoyPatches, EnvoyPatchError, mergePatch } from '../../src/translate/policies/envoy-patch';
import { envoyPatchProblems } from '../../src/translate/policies/envoy-patch-synth';

/** The routing fixture with `patches` on virtual node `frontend` (and nothing else changed). */
function routingWith(patches: EnvoyPatchSpec[] | undefined): any {
  const spec = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'routing.json'), 'utf8'));
  if (patches) {
    spec.specVersion = 'open-app-mesh/v2';
    const node = spec.virtualNodes.find((n: any) => n.virtualNodeName === 'frontend');
    node.extensions = { envoyPatches: patches };
  }
  return spec;
}

const NODE = 'mesh/routing/virtualNode/frontend';
const plain = translateNode({ spec: routingWith(undefined), nodeId: NODE });

function envoyOf(patches: EnvoyPatchSpec[]): EnvoyConfig {
  return translateNode({ spec: routingWith(patches), nodeId: NODE }).envoy;
}

function named(list: ProtoJson[], name: string): ProtoJson {
  const found = list.find(r => r.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
}

function hcmFilters(listener: ProtoJson, chain: string): string[] {
  const c = (listener.filter_chains as ProtoJson[]).find(x => x.name === chain)!;
  const hcm = (c.filters as ProtoJson[])[0].typed_config as ProtoJson;
  return (hcm.http_filters as ProtoJson[]).map(f => f.name as string);
}

const LOCAL_CLUSTER = 'cds_ingress_routing_frontend_http_8080';
const FAULT = {
  name: 'envoy.filters.http.fault',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault', 'max_active_faults': { value: 100 } },
};

describe('merge, add and remove of resources', () => {
  test('merge changes only the named cluster; every other object stays shared with the plain render', () => {
    const envoy = envoyOf([{ target: 'cluster', operation: 'merge', name: LOCAL_CLUSTER, value: { per_connection_buffer_limit_bytes: { value: 32768 }, connect_timeout: { seconds: 2 } } }]);
    const cluster = named(envoy.clusters, LOCAL_CLUSTER);
    expect(cluster.per_connection_buffer_limit_bytes).toEqual({ value: 32768 });
    // Key by key, as RFC 7386 (and proto's own MergeFrom) do: the rendered nanos stay.
    expect(cluster.connect_timeout).toEqual({ seconds: 2, nanos: 250000000 });
    expect(cluster.type).toEqual(named(plain.envoy.clusters, LOCAL_CLUSTER).type);
    expect(envoy.clusters.filter(c => c.name !== LOCAL_CLUSTER)).toEqual(plain.envoy.clusters.filter(c => c.name !== LOCAL_CLUSTER));
    expect(encodingProblems(envoy)).toEqual([]);
  });

  test('merge follows RFC 7386: null deletes a field, a list replaces the list', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [9] })).toEqual({ a: 1, b: { d: 3, e: 4 }, l: [9] });
    const before = { a: { b: 1 } };
    mergePatch(before, { a: { b: 2 } });
    expect(before).toEqual({ a: { b: 1 } });
  });

  test('merge keys named after Object.prototype members are plain fields, never the prototype', () => {
    const merged = mergePatch({ a: 1 }, JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"x": 1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(merged)).toEqual(['a', '__proto__', 'constructor']);
    expect(merged.constructor).toEqual({ x: 1 });
  });

  test('add puts a new cluster in name order; remove takes a route configuration away', () => {
    const extra = {
      name: 'cds_extra_statsd',
      type: 'STRICT_DNS',
      connect_timeout: { seconds: 1 },
      load_assignment: { cluster_name: 'cds_extra_statsd', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'statsd.local', port_value: 8125 } } } }] }] },
    };
    const envoy = envoyOf([
      { target: 'cluster', operation: 'add', value: extra },
      { target: 'routeConfiguration', operation: 'remove', name: 'rds_ingress_http_8080' },
    ]);
    const names = envoy.clusters.map(c => c.name as string);
    expect(names).toContain('cds_extra_statsd');
    expect(names).toEqual([...names].sort());
    expect(envoy.routes.map(r => r.name)).toEqual(['rds_egress_http_8080']);
  });

  test('the proxyless view is never patched', () => {
    const config = translateNode({ spec: routingWith([{ target: 'cluster', operation: 'remove', name: LOCAL_CLUSTER }]), nodeId: NODE });
    expect(config.proxyless).toEqual(plain.proxyless);
  });

  test('patches leave the shared objects of other nodes untouched', () => {
    const spec = routingWith([{ target: 'listener', operation: 'merge', name: 'lds_egress_0.0.0.0_15001', value: { per_connection_buffer_limit_bytes: { value: 1024 } } }]);
    const before = JSON.stringify(translateNode({ spec, nodeId: 'mesh/routing/virtualNode/api-v1' }));
    translateNode({ spec, nodeId: NODE });
    expect(JSON.stringify(translateNode({ spec, nodeId: 'mesh/routing/virtualNode/api-v1' }))).toBe(before);
  });
});

describe('HTTP filters', () => {
  test('add inserts before the router in every HCM chain of the listener, or in the chain named', () => {
    const all = envoyOf([{ target: 'httpFilter', operation: 'add', name: 'lds_egress_0.0.0.0_15001', value: FAULT }]);
    expect(hcmFilters(named(all.listeners, 'lds_egress_0.0.0.0_15001'), 'egress_http_8080')).toEqual(['envoy.filters.http.fault', 'envoy.filters.http.router']);
    const one = envoyOf([{ target: 'httpFilter', operation: 'add', name: 'lds_ingress_0.0.0.0_15000', filterChain: 'ingress_http_8080', value: FAULT }]);
    expect(hcmFilters(named(one.listeners, 'lds_ingress_0.0.0.0_15000'), 'ingress_http_8080')).toEqual(['envoy.filters.http.fault', 'envoy.filters.http.router']);
    expect(encodingProblems(one)).toEqual([]);
  });

  test('merge and remove address a filter by name', () => {
    const envoy = envoyOf([
      { target: 'httpFilter', operation: 'add', name: 'lds_ingress_0.0.0.0_15000', value: FAULT },
      { target: 'httpFilter', operation: 'merge', name: 'lds_ingress_0.0.0.0_15000', filterName: 'envoy.filters.http.router', value: { typed_config: { suppress_envoy_headers: true } } },
    ]);
    const chain = (named(envoy.listeners, 'lds_ingress_0.0.0.0_15000').filter_chains as ProtoJson[])[0];
    const filters = ((chain.filters as ProtoJson[])[0].typed_config as ProtoJson).http_filters as ProtoJson[];
    expect(filters[1].typed_config).toEqual({ '@type': TYPE_URLS.router, 'suppress_envoy_headers': true });
    const removed = envoyOf([
      { target: 'httpFilter', operation: 'add', name: 'lds_ingress_0.0.0.0_15000', value: FAULT },
      { target: 'httpFilter', operation: 'remove', name: 'lds_ingress_0.0.0.0_15000', filterName: 'envoy.filters.http.fault' },
    ]);
    expect(removed.listeners).toEqual(plain.envoy.listeners);
  });
});

describe('a patch that targets nothing is an error', () => {
  test.each<[string, EnvoyPatchSpec, RegExp]>([
    ['unknown cluster', { target: 'cluster', operation: 'merge', name: 'cds_egress_routing_nobody_http_8080', value: {} },
      /envoyPatches\[0\]: merge cluster: this node has no cluster named "cds_egress_routing_nobody_http_8080" \(it has .*"cds_ingress_routing_frontend_http_8080"/],
    ['unknown listener', { target: 'listener', operation: 'remove', name: 'lds_ingress_0.0.0.0_8080' }, /no listener named "lds_ingress_0.0.0.0_8080"/],
    ['existing name on add', { target: 'cluster', operation: 'add', value: { name: LOCAL_CLUSTER } }, /exists already/],
    ['unknown chain', { target: 'httpFilter', operation: 'add', name: 'lds_ingress_0.0.0.0_15000', filterChain: 'ingress_http_9999', value: FAULT },
      /has no filter chain "ingress_http_9999" with an HTTP connection manager \(its chains: "ingress_http_8080"\)/],
    ['unknown filter', { target: 'httpFilter', operation: 'remove', name: 'lds_ingress_0.0.0.0_15000', filterName: 'envoy.filters.http.cors' }, /holding "envoy.filters.http.cors"/],
    ['rename by merge', { target: 'cluster', operation: 'merge', name: LOCAL_CLUSTER, value: { name: 'other' } }, /may not rename/],
  ])('%s', (_, patch, message) => {
    expect(() => envoyOf([patch])).toThrow(EnvoyPatchError);
    expect(() => envoyOf([patch])).toThrow(message);
  });

  test('later patches see earlier ones: a cluster removed cannot be merged', () => {
    expect(() => applyEnvoyPatches(plain.envoy, [
      { target: 'cluster', operation: 'remove', name: LOCAL_CLUSTER },
      { target: 'cluster', operation: 'merge', name: LOCAL_CLUSTER, value: {} },
    ])).toThrow(/envoyPatches\[1\]: merge cluster/);
  });
});

describe("patched resources are checked against Envoy's rules", () => {
  test.each<[string, EnvoyPatchSpec, string]>([
    ['a wrapper given as a bare number', { target: 'cluster', operation: 'merge', name: LOCAL_CLUSTER, value: { per_connection_buffer_limit_bytes: 1024 } }, 'expected an object for google.protobuf.UInt32Value'],
    ['a validation rule (connect_timeout must be > 0)', { target: 'cluster', operation: 'merge', name: LOCAL_CLUSTER, value: { connect_timeout: { seconds: 0, nanos: 0 } } },
      'Cluster "cds_ingress_routing_frontend_http_8080".connect_timeout: duration.gt'],
    ['an unknown field', { target: 'cluster', operation: 'merge', name: LOCAL_CLUSTER, value: { conect_timeout: { seconds: 1 } } }, 'conect_timeout'],
    ['an unknown enum value', { target: 'cluster', operation: 'merge', name: LOCAL_CLUSTER, value: { lb_policy: 'FASTEST' } }, 'FASTEST'],
    ['an Any of a type Envoy does not know here', {
      target: 'httpFilter',
      operation: 'add',
      name: 'lds_ingress_0.0.0.0_15000',
      value: { name: 'x', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.nothing.v3.Nothing' } },
    }, 'Nothing'],
  ])('%s', (_, patch, text) => {
    let message = '';
    try {
      envoyOf([patch]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^envoyPatches: the patched resources break Envoy's rules:/);
    expect(message).toContain(text);
  });
});

test('envoyPatchProblems renders each patched node as the control plane would and names the failing ones', () => {
  expect(envoyPatchProblems(routingWith([{ target: 'cluster', operation: 'merge', name: LOCAL_CLUSTER, value: { connect_timeout: { seconds: 3 } } }]))).toEqual([]);
  const problems = envoyPatchProblems(routingWith([{ target: 'cluster', operation: 'remove', name: 'cds_nothing' }]));
  expect(problems).toEqual([{ kind: 'virtualNode', name: 'frontend', message: expect.stringContaining('no cluster named "cds_nothing"') }]);
});
