import { EnvoyProxyIdentity, proxyIdentityOf } from './envoy-proxy-identity';
import { EnvoyStatsSink } from './envoy-stats-sink';
import { EnvoyTracing } from './envoy-tracing';

/** Tracing and stats settings of one Envoy. */
export interface EnvoyObservabilityOptions {
  /**
   * Tracer Envoy reports spans to. `EnvoyTracing.openTelemetry()` for new meshes.
   * @default - no tracing
   */
  readonly tracing?: EnvoyTracing;

  /**
   * Where Envoy pushes its stats, besides its admin endpoint.
   * @default - none
   */
  readonly statsSinks?: EnvoyStatsSink[];

  /**
   * Tag every stat with the mesh and proxy names: `appmesh.mesh` and `appmesh.virtual_node` or
   * `appmesh.virtual_gateway`, as App Mesh's image did with `ENABLE_ENVOY_STATS_TAGS=1`.
   * @default true
   */
  readonly statsTags?: boolean;
}

/** The bootstrap fields of tracing and stats, and the static clusters they send to. */
export interface RenderedObservability {
  /** Top-level bootstrap fields (`tracing`, `stats_sinks`, `stats_config`), only those in use. */
  readonly fields: { [field: string]: any };
  /** Static clusters of the collectors. */
  readonly clusters: any[];
}

/** Tracing and stats of the proxy `nodeId` as bootstrap fields (proto3 JSON). */
export function renderObservability(nodeId: string, options: EnvoyObservabilityOptions): RenderedObservability {
  const statsTags = options.statsTags ?? true;
  const sinks = options.statsSinks ?? [];
  const tracing = options.tracing?.bind(identityFor(nodeId, 'tracing'));
  return {
    fields: {
      ...(tracing ? { tracing: { http: tracing.http } } : {}),
      ...(sinks.length > 0 ? { stats_sinks: sinks.map((s) => s.bind().sink) } : {}),
      ...(statsTags ? { stats_config: { stats_tags: appMeshStatsTags(identityFor(nodeId, 'statsTags')) } } : {}),
    },
    clusters: tracing?.clusters ?? [],
  };
}

/**
 * The same settings as variables of App Mesh's image, for when its agent writes the bootstrap
 * itself. Throws (starting with `where`) for a setting the agent cannot express.
 */
export function appMeshImageObservabilityEnvironment(
  where: string, nodeId: string, options: EnvoyObservabilityOptions,
): { [name: string]: string } {
  const environment: { [name: string]: string } = {};
  if (options.statsTags ?? true) environment.ENABLE_ENVOY_STATS_TAGS = '1';
  const tracing = options.tracing?.bind(identityFor(nodeId, 'tracing'));
  if (tracing !== undefined) {
    if (tracing.appMeshImageEnvironment === undefined) {
      throw new Error(`${where}: the image's agent cannot render this tracer (${tracing.http.name}); keep useOwnBootstrap at its default (true)`);
    }
    Object.assign(environment, tracing.appMeshImageEnvironment);
  }
  const sinks = (options.statsSinks ?? []).map((s) => s.bind());
  if (sinks.length > 1) {
    throw new Error(`${where}: the image's agent renders at most one stats sink, got ${sinks.length}; keep useOwnBootstrap at its default (true)`);
  }
  for (const sink of sinks) {
    if (sink.appMeshImageEnvironment === undefined) {
      throw new Error(`${where}: the image's agent cannot render this stats sink (${sink.sink.name}); keep useOwnBootstrap at its default (true)`);
    }
    Object.assign(environment, sink.appMeshImageEnvironment);
  }
  return environment;
}

/** App Mesh's fixed tags: the mesh, and the virtual node or gateway. */
function appMeshStatsTags(proxy: EnvoyProxyIdentity): any[] {
  const kindTag = proxy.proxyKind === 'virtualGateway' ? 'appmesh.virtual_gateway' : 'appmesh.virtual_node';
  return [
    { tag_name: 'appmesh.mesh', fixed_value: proxy.meshName },
    { tag_name: kindTag, fixed_value: proxy.proxyName },
  ];
}

function identityFor(nodeId: string, option: string): EnvoyProxyIdentity {
  const proxy = proxyIdentityOf(nodeId);
  if (proxy === undefined) {
    throw new Error(`EnvoyBootstrap: nodeId '${nodeId}' is not mesh/<mesh>/virtualNode/<name> or mesh/<mesh>/virtualGateway/<name> `
      + `(or the ARN of one), which ${option} needs to name the proxy${option === 'statsTags' ? ' (or set statsTags: false)' : ''}`);
  }
  return proxy;
}
