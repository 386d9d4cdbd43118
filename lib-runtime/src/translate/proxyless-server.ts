import { ResourceCollector } from './collector';
import { routerFilter } from './http-connection-manager';
import { proxylessRbacHttpFilter } from './policies/rbac';
import { bool, packed, socketAddress, TYPE } from './proto-json';
import { MESH_CERTIFICATE_PROVIDER } from './proxyless-tls';
import { tlsTransportSocket } from './tls';
import { ProtoJson } from './types';
import { Listener, ListenerTls, VirtualNodeSpec } from '../../../src/spec/appmesh-types';
import { AuthorizationPolicy } from '../../../src/spec/extensions/authorization';

/**
 * Listeners for xDS-enabled gRPC servers (gRFC A36) of a virtual node. Such a server, bound to
 * `<ip>:<port>`, asks for the Listener its bootstrap's `server_listener_resource_name_template`
 * names, with `%s` replaced by that address; the template is the application's choice, and the
 * one this control plane serves is SERVER_LISTENER_NAME_TEMPLATE. For each listener port P of the
 * node there are two: for `0.0.0.0:P` and for `[::]:P`, each with its own address, since gRPC
 * refuses a Listener whose socket address differs from the one it bound.
 *
 * One filter chain without a match (gRPC never selects a chain that matches on the destination
 * port), whose inline route sends every RPC to the server itself (`non_forwarding_action`, the only
 * server-side action A36 accepts). TLS (gRFC A29, server side): gRPC takes key material only from
 * the certificate providers of its own bootstrap, so whatever source the spec names (`acm`: the
 * mesh CA's certificate the agent writes; `file`; `sds`), the server presents, and verifies client
 * certificates with, provider `default`, which the bootstrap points at those files. A bootstrap
 * without it makes gRPC refuse the Listener, so the server never serves in plaintext what the spec
 * says is TLS. STRICT with validation requires a client certificate of that trust (App Mesh mTLS);
 * STRICT without validation, and PERMISSIVE, present the certificate and ask for none: one gRPC
 * port cannot accept both TLS and plaintext, so PERMISSIVE is served as TLS, which the mesh's
 * Envoy clients originate to such a listener. gRPC does not check client SANs on the server side:
 * any client certificate of the trust is accepted.
 */

/** The bootstrap template whose Listeners this control plane serves. */
export const SERVER_LISTENER_NAME_TEMPLATE = 'grpc/server?xds.resource.listening_address=%s';

/** The addresses a server may bind for listener port P, with the socket address its Listener carries. */
const BIND_ADDRESSES: readonly { readonly host: string; readonly bound: (port: number) => string }[] = [
  { host: '0.0.0.0', bound: port => `0.0.0.0:${port}` },
  { host: '::', bound: port => `[::]:${port}` },
];

/** The Listener name a server bound to `address` (`0.0.0.0:8080`, `[::]:8080`) asks for. */
export function serverListenerName(address: string): string {
  return SERVER_LISTENER_NAME_TEMPLATE.replace('%s', address);
}

/**
 * Made once per spec listener object (the spec is read-only), so re-rendering a node for new
 * endpoints hands the xDS cache the same objects, which it recognises by identity.
 */
const listenersBySpec = new WeakMap<Listener, ProtoJson[]>();

/**
 * The server Listeners of a virtual node: two per listener port, none for a node without
 * listeners. With an authorization policy (gRFC A41) the RBAC filter runs before the router; such
 * Listeners are made per call (the policy lives outside the listener object).
 */
export function proxylessServerListeners(spec: VirtualNodeSpec, meshName?: string, authorization?: AuthorizationPolicy): ProtoJson[] {
  return (spec.listeners ?? []).flatMap(listener => {
    if (authorization && meshName !== undefined) {
      const { port, protocol } = listener.portMapping;
      return serverListeners(listener, proxylessRbacHttpFilter(meshName, authorization, port, protocol === 'tcp'));
    }
    let made = listenersBySpec.get(listener);
    if (!made) {
      made = serverListeners(listener);
      listenersBySpec.set(listener, made);
    }
    return made;
  });
}

function serverListeners(listener: Listener, rbac?: ProtoJson): ProtoJson[] {
  const port = listener.portMapping.port;
  const chain = serverFilterChain(port, listener.tls, rbac);
  return BIND_ADDRESSES.map(({ host, bound }) => ({
    name: serverListenerName(bound(port)),
    address: socketAddress(host, port),
    filter_chains: [chain],
  }));
}

/** Adds the node's server Listeners to its proxyless view (a client and a server may share a node id). */
export function withServerListeners(
  view: ResourceCollector,
  spec: VirtualNodeSpec,
  meshName?: string,
  authorization?: AuthorizationPolicy,
): ResourceCollector {
  for (const listener of proxylessServerListeners(spec, meshName, authorization)) view.addListener(listener);
  return view;
}

function serverFilterChain(port: number, tls: ListenerTls | undefined, rbac?: ProtoJson): ProtoJson {
  const name = `inbound_${port}`;
  const hcm = packed(TYPE.httpConnectionManager, {
    stat_prefix: name,
    route_config: {
      name,
      virtual_hosts: [{ name, domains: ['*'], routes: [{ match: { prefix: '/' }, non_forwarding_action: {} }] }],
    },
    http_filters: rbac ? [rbac, routerFilter()] : [routerFilter()],
  });
  const chain: ProtoJson = { name, filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: hcm }] };
  const socket = serverTransportSocket(tls);
  if (socket) chain.transport_socket = socket;
  return chain;
}

/** A29 server-side TLS from the bootstrap's provider `default`; undefined without TLS or DISABLED. */
function serverTransportSocket(tls: ListenerTls | undefined): ProtoJson | undefined {
  if (!tls || tls.mode === 'DISABLED') return undefined;
  const provider = { instance_name: MESH_CERTIFICATE_PROVIDER };
  const mutual = tls.mode === 'STRICT' && tls.validation !== undefined;
  const common: ProtoJson = { tls_certificate_provider_instance: provider };
  if (!mutual) return tlsTransportSocket(TYPE.downstreamTlsContext, { common_tls_context: common });
  return tlsTransportSocket(TYPE.downstreamTlsContext, {
    common_tls_context: { ...common, validation_context: { ca_certificate_provider_instance: provider } },
    require_client_certificate: bool(true),
  });
}
