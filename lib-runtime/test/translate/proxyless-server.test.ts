/**
 * Server Listeners for xDS-enabled gRPC servers (gRFC A36, A29 server side): what the proxyless
 * view of a virtual node holds for its listeners, checked against Envoy's protos and validation
 * rules and against grpc-js-xds's own Listener validation (what an XdsServer accepts or NACKs).
 */
import * as grpcXds from '@grpc/grpc-js-xds';
import { ListenerResourceType } from '@grpc/grpc-js-xds/build/src/xds-resource-type/listener-resource-type';
import { encodingProblems } from './envoy-checks';
import { meshDoc, named } from './spec-builder';
import { ListenerTls } from '../../../src/spec/appmesh-types';
import { ProtoJson, translateNode } from '../../src/translate';
import { serverListenerName, SERVER_LISTENER_NAME_TEMPLATE } from '../../src/translate/proxyless-server';
import { encodeResource } from '../../src/xds/protos';
import { LISTENER_TYPE_URL } from '../../src/xds/type-urls';

grpcXds.register(); // registers the HTTP filters (the router) that Listener validation looks up

const ACM_CERTIFICATE = { acm: { certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/y' } };
const FILE_TRUST = { trust: { file: { certificateChain: '/certs/ca.pem' } } };

/** The proxyless view of virtual node `b`, with one grpc listener on 8080 (TLS as given), a backend `svc`. */
function viewOfB(tls?: ListenerTls) {
  const spec = meshDoc({
    nodes: {
      a: { listeners: [{ portMapping: { port: 9090, protocol: 'http' } }] },
      b: {
        listeners: [{ portMapping: { port: 8080, protocol: 'grpc' }, ...(tls ? { tls } : {}) }],
        backends: [{ virtualService: { virtualServiceName: 'svc' } }],
      },
    },
    services: { svc: { provider: { virtualNode: { virtualNodeName: 'a' } } } },
  });
  return translateNode({ spec, nodeId: 'mesh/m/virtualNode/b' }).proxyless;
}

/** The only filter chain of B's server Listener for 0.0.0.0:8080. */
function chainOf(listeners: ProtoJson[]): ProtoJson {
  const listener = named(listeners, serverListenerName('0.0.0.0:8080'));
  const chains = listener.filter_chains as ProtoJson[];
  expect(chains).toHaveLength(1);
  return chains[0];
}

function downstreamTls(chain: ProtoJson): ProtoJson | undefined {
  return (chain.transport_socket as { typed_config: ProtoJson } | undefined)?.typed_config;
}

/** grpc-js-xds's verdict on a Listener, decoded from its wire bytes, with the given certificate providers in its bootstrap. */
function grpcVerdict(listener: ProtoJson, providers: string[] = ['default']): { name?: string; error?: string } {
  const value = Buffer.from(encodeResource(LISTENER_TYPE_URL, listener));
  const context = { bootstrap: { certificateProviders: Object.fromEntries(providers.map(p => [p, {}])) } };
  const decoded = ListenerResourceType.get().decode(context as never, { type_url: LISTENER_TYPE_URL, value } as never);
  return { name: decoded.name, error: decoded.error };
}

test('the template is the one documented, and names the address as bound', () => {
  expect(SERVER_LISTENER_NAME_TEMPLATE).toBe('grpc/server?xds.resource.listening_address=%s');
  expect(serverListenerName('[::]:8080')).toBe('grpc/server?xds.resource.listening_address=[::]:8080');
});

test('a node with a listener gets server Listeners for 0.0.0.0:P and [::]:P beside its client listeners, each with its own address', () => {
  const view = viewOfB();
  expect(view.listeners.map(l => l.name)).toEqual([
    'grpc/server?xds.resource.listening_address=0.0.0.0:8080',
    'grpc/server?xds.resource.listening_address=[::]:8080',
    'svc',
  ]);
  expect(named(view.listeners, serverListenerName('0.0.0.0:8080')).address).toEqual({ socket_address: { address: '0.0.0.0', port_value: 8080 } });
  expect(named(view.listeners, serverListenerName('[::]:8080')).address).toEqual({ socket_address: { address: '::', port_value: 8080 } });
  expect(encodingProblems(view)).toEqual([]);
});

test('rendering the node again (new endpoints) hands out the same Listener objects', () => {
  const spec = meshDoc({ nodes: { b: { listeners: [{ portMapping: { port: 8080, protocol: 'grpc' } }] } } });
  const first = translateNode({ spec, nodeId: 'mesh/m/virtualNode/b' }).proxyless.listeners;
  const again = translateNode({ spec, nodeId: 'mesh/m/virtualNode/b', endpoints: { b: [{ address: '10.0.0.1', port: 8080 }] } }).proxyless.listeners;
  expect(again).toHaveLength(2);
  again.forEach((listener, i) => expect(listener).toBe(first[i]));
});

test('a node without listeners gets no server Listener', () => {
  const spec = meshDoc({ nodes: { c: { backends: [] } } });
  expect(translateNode({ spec, nodeId: 'mesh/m/virtualNode/c' }).proxyless.listeners).toEqual([]);
});

test('the filter chain matches every connection and routes every RPC to the server itself (non_forwarding_action)', () => {
  const chain = chainOf(viewOfB().listeners);
  expect(chain.filter_chain_match).toBeUndefined();
  const hcm = (chain.filters as ProtoJson[])[0].typed_config as ProtoJson;
  const routeConfig = hcm.route_config as { virtual_hosts: ProtoJson[] };
  expect(routeConfig.virtual_hosts).toEqual([
    { name: 'inbound_8080', domains: ['*'], routes: [{ match: { prefix: '/' }, non_forwarding_action: {} }] },
  ]);
  expect((hcm.http_filters as ProtoJson[]).map(f => f.name)).toEqual(['envoy.filters.http.router']);
});

test('without TLS, or with TLS DISABLED, there is no transport socket (the server\'s fallback credentials apply)', () => {
  expect(chainOf(viewOfB().listeners).transport_socket).toBeUndefined();
  expect(chainOf(viewOfB({ mode: 'DISABLED', certificate: ACM_CERTIFICATE }).listeners).transport_socket).toBeUndefined();
});

test('STRICT with a mesh CA certificate and validation: provider `default` for certificate and trust, client certificate required', () => {
  const view = viewOfB({ mode: 'STRICT', certificate: ACM_CERTIFICATE, validation: FILE_TRUST });
  expect(downstreamTls(chainOf(view.listeners))).toEqual({
    '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
    'common_tls_context': {
      tls_certificate_provider_instance: { instance_name: 'default' },
      validation_context: { ca_certificate_provider_instance: { instance_name: 'default' } },
    },
    'require_client_certificate': { value: true },
  });
  expect(encodingProblems(view)).toEqual([]);
});

test('a file certificate maps to provider `default` too (gRPC reads no file named in xDS)', () => {
  const tls = downstreamTls(chainOf(viewOfB({ mode: 'STRICT', certificate: { file: { certificateChain: '/c.pem', privateKey: '/k.pem' } } }).listeners));
  expect(tls).toEqual(expect.objectContaining({ common_tls_context: { tls_certificate_provider_instance: { instance_name: 'default' } } }));
});

test('STRICT without validation, and PERMISSIVE with validation, present the certificate and ask for none', () => {
  for (const tls of [{ mode: 'STRICT', certificate: ACM_CERTIFICATE }, { mode: 'PERMISSIVE', certificate: ACM_CERTIFICATE, validation: FILE_TRUST }] as ListenerTls[]) {
    const context = downstreamTls(chainOf(viewOfB(tls).listeners));
    expect(context).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      'common_tls_context': { tls_certificate_provider_instance: { instance_name: 'default' } },
    });
  }
});

test('grpc-js-xds accepts every server Listener rendered, plain or mTLS', () => {
  for (const tls of [undefined, { mode: 'STRICT', certificate: ACM_CERTIFICATE, validation: FILE_TRUST }] as (ListenerTls | undefined)[]) {
    for (const listener of viewOfB(tls).listeners) {
      expect(grpcVerdict(listener)).toEqual({ name: listener.name, error: undefined });
    }
  }
});

test('grpc-js-xds refuses the mTLS Listener when its bootstrap has no provider `default`: never plaintext instead', () => {
  const listener = named(viewOfB({ mode: 'STRICT', certificate: ACM_CERTIFICATE, validation: FILE_TRUST }).listeners, serverListenerName('0.0.0.0:8080'));
  expect(grpcVerdict(listener, ['other']).error).toMatch(/Unmatched .*instance_name: default/);
});
