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
  /**
   * A port the client dials (a gateway route's target port): the listener is then named
   * `<service>:<port>`, as a client dialing `xds:///<service>:<port>` asks for, and uses that port's table.
   */
  readonly port?: number;
}

const PROTOCOL_PREFERENCE: { readonly [protocol: string]: number } = { grpc: 0, http2: 1, http: 2 };

/**
 * The table a gRPC client uses for a service: the requested port's (none if it has none), else the
 * lowest-numbered grpc listener, else http2, else http. TCP tables are never used.
 */
export function proxylessTable(tables: readonly ServicePortTable[], port?: number): ServicePortTable | undefined {
  const http = tables.filter(t => t.protocol !== 'tcp');
  if (port !== undefined) return http.find(t => t.port === port);
  return [...http].sort((a, b) => PROTOCOL_PREFERENCE[a.protocol] - PROTOCOL_PREFERENCE[b.protocol] || a.port - b.port)[0];
}

/**
 * The proxyless view (docs/xds-rules.md X26–X30): per callable virtual service a Listener named
 * exactly after it, holding an api_listener HttpConnectionManager with an inline route config
 * (virtual host domains `[<vs>, <vs>:<port>]`) and the router filter (after the fault filter when a
 * route injects faults, gRFC A33); EDS
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
    if (!table && tables.length > 0 && port === undefined) continue;
    const name = port === undefined ? serviceName : `${serviceName}:${port}`;
    // Made from the service's table alone, so every caller that picks that table shares it.
    out.addListener(sharedOutput(mesh, `proxylessListener\u0000${name}\u0000${table?.port ?? ''}`, () => proxylessListener(name, serviceName, table)));
    for (const target of table?.targets ?? []) requests.push({ target, policy });
  }
  addRemoteClusters(out, mesh, requests, endpoints, 'proxyless');
  return out;
}

/** `name` is the service name, or `<service>:<port>` for a dialed port (the only domain then). */
function proxylessListener(name: string, serviceName: string, table: ServicePortTable | undefined): ProtoJson {
  const domains = name !== serviceName || !table ? [name] : [serviceName, `${serviceName}:${table.port}`];
  const routeConfig: ProtoJson = {
    name,
    virtual_hosts: [{ name, domains, routes: table ? table.proxylessRoutes : [] }],
  };
  return {
    name,
    api_listener: {
      api_listener: packed(TYPE.httpConnectionManager, {
        stat_prefix: name,
        route_config: routeConfig,
        // Route policies a gRPC client implements (fault injection, A33) need their filter here.
        http_filters: [...(table?.proxylessHttpFilters ?? []), routerFilter()],
      }),
    },
  };
}
