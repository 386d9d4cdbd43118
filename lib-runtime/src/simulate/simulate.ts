import { walkEnvoy } from './envoy-walk';
import { walkProxyless } from './proxyless-walk';
import type { SimRequest } from './request';
import type { Simulation } from './simulation';
import { clusterLabels } from './targets';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { DiscoveredEndpoints, EnvoyConfig, translateNode } from '../translate';

/**
 * One request from one node, simulated on the configuration the control plane serves that node:
 * rendered here by `translateNode` (`simulate`), or as a running control plane dumps it
 * (`simulateServed`). The walk reads only the xDS resources. An HTTP request or a gRPC call to
 * `host:port` goes through the Envoy view (the sidecar or gateway), a gRPC call to
 * `xds:///<name>` through the proxyless view (a gRPC client with the node's id).
 */
export interface SimulateInput {
  readonly doc: MeshSpecDocument;
  /** Short node id, `mesh/<mesh>/virtualNode/<name>` or `mesh/<mesh>/virtualGateway/<name>`. */
  readonly nodeId: string;
  readonly request: SimRequest;
  readonly endpoints?: DiscoveredEndpoints;
  /** The spec's version as the control plane reports it. */
  readonly version: string;
}

export function simulate(input: SimulateInput): Simulation {
  const config = translateNode({ spec: input.doc, nodeId: input.nodeId, endpoints: input.endpoints ?? {} });
  return simulateServed({ ...input, config });
}

/** Both views of the node, as rendered (or as `/config_dump?node=…` returns them). */
export interface ServedInput extends SimulateInput {
  readonly config: { readonly envoy: EnvoyConfig; readonly proxyless: EnvoyConfig };
}

export function simulateServed(input: ServedInput): Simulation {
  const labels = clusterLabels(input.doc);
  const proxyless = input.request.xdsTarget !== undefined;
  const walk = proxyless ? walkProxyless(input.config.proxyless, input.request, labels) : walkEnvoy(input.config.envoy, input.request, labels);
  return {
    request: input.request.text,
    nodeId: input.nodeId,
    view: proxyless ? 'proxyless' : 'envoy',
    semantics: proxyless ? 'a gRPC client\'s rules (gRFC A28, as @grpc/grpc-js-xds applies them)' : 'Envoy\'s rules',
    meshVersion: input.version,
    outcome: walk.outcome,
    ...(walk.reason !== undefined ? { reason: walk.reason } : {}),
    hops: walk.hops,
    targets: walk.targets,
    notes: [...new Set(walk.notes)],
  };
}
