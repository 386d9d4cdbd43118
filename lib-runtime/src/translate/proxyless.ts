import { ResourceCollector } from './collector';
import { CompiledMesh } from './compile';
import { routerFilter } from './http-connection-manager';
import { packed, TYPE } from './proto-json';
import { ServicePortTable } from './service-routes';
import { sharedOutput } from './shared-output';
import { DiscoveredEndpoints, ProtoJson } from './types';
import { addRemoteClusters, ClusterRequest } from './virtual-node';
import { ClientPolicy, VirtualGatewayClientPolicy } from '../../../src/spec/appmesh-types';

/** A virtual service a proxyless client may call, with the client policy that would apply. */
export interface ProxylessTarget {
  readonly serviceName: string;
  readonly policy: ClientPolicy | VirtualGatewayClientPolicy | undefined;
  /** Preferred port (gateway route targets), if any. */
  readonly port?: number;
}

const PROTOCOL_PREFERENCE: { readonly [protocol: string]: number } = { grpc: 0, http2: 1, http: 2 };

/**
 * The table a gRPC client uses for a service: the requested port's, else the lowest-numbered
 * grpc listener, else http2, else http. TCP tables are never used.
 */
export function proxylessTable(tables: readonly ServicePortTable[], port?: number): ServicePortTable | undefined {
  const http = tables.filter(t => t.protocol !== 'tcp');
  const onPort = port !== undefined ? http.find(t => t.port === port) : undefined;
  if (onPort) return onPort;
  return [...http].sort((a, b) => PROTOCOL_PREFERENCE[a.protocol] - PROTOCOL_PREFERENCE[b.protocol] || a.port - b.port)[0];
}

/**
 * The proxyless view (xds-protocol.md X26–X30): per callable virtual service a Listener named
 * exactly after it, holding an api_listener HttpConnectionManager with an inline route config
 * (virtual host domains `[<vs>, <vs>:<port>]`) and the router filter as its only filter; EDS
 * clusters over ADS (LOGICAL_DNS for DNS nodes without supplied endpoints); TLS only for a mesh CA
 * (`acm`) trust, through the bootstrap's certificate provider (proxyless-tls.ts).
 * A service without routes still gets a listener (an empty virtual host) so RPCs fail at once
 * instead of waiting out the does-not-exist timer; TCP-only services get none.
 */
export function renderProxyless(mesh: CompiledMesh, targets: readonly ProxylessTarget[], endpoints: DiscoveredEndpoints): ResourceCollector {
  const out = new ResourceCollector();
  const requests: ClusterRequest[] = [];
  for (const { serviceName, policy, port } of targets) {
    const tables = mesh.tablesOf(serviceName);
    const table = proxylessTable(tables, port);
    if (!table && tables.length > 0) continue;
    // Made from the service's table alone, so every caller that picks that table shares it.
    out.addListener(sharedOutput(mesh, `proxylessListener\u0000${serviceName}\u0000${table?.port ?? ''}`, () => proxylessListener(serviceName, table)));
    for (const target of table?.targets ?? []) requests.push({ target, policy });
  }
  addRemoteClusters(out, mesh, requests, endpoints, 'proxyless');
  return out;
}

function proxylessListener(serviceName: string, table: ServicePortTable | undefined): ProtoJson {
  const domains = table ? [serviceName, `${serviceName}:${table.port}`] : [serviceName];
  const routeConfig: ProtoJson = {
    name: serviceName,
    virtual_hosts: [{ name: serviceName, domains, routes: table ? table.proxylessRoutes : [] }],
  };
  return {
    name: serviceName,
    api_listener: {
      api_listener: packed(TYPE.httpConnectionManager, {
        stat_prefix: serviceName,
        route_config: routeConfig,
        http_filters: [routerFilter()],
      }),
    },
  };
}
