import { MeshSpecDocument } from '../../../src/spec/document';
import { EnvoyConfig, NodeConfig, ProtoJson, translateNode, TYPE_URLS } from '../../src/translate';
import { encodeResource } from '../../src/xds/protos';
import { formatViolation, validationRuleViolations } from '../../src/xds/validation-rules';

/**
 * Encodes every resource of a view through the real Envoy protos and applies Envoy's own
 * validation rules to it; returns the problems found.
 */
export function encodingProblems(config: EnvoyConfig): string[] {
  const problems: string[] = [];
  const lists: [string, ProtoJson[]][] = [
    [TYPE_URLS.listener, config.listeners],
    [TYPE_URLS.routeConfiguration, config.routes],
    [TYPE_URLS.cluster, config.clusters],
    [TYPE_URLS.clusterLoadAssignment, config.endpoints],
    [TYPE_URLS.secret, config.secrets],
  ];
  for (const [typeUrl, resources] of lists) {
    for (const resource of resources) {
      try {
        encodeResource(typeUrl, resource);
      } catch (err) {
        problems.push((err as Error).message);
      }
      problems.push(...validationRuleViolations(typeUrl, resource).map(formatViolation));
    }
  }
  return problems;
}

/** Every object nested anywhere in a value, depth first. */
export function* walk(value: unknown): Generator<ProtoJson> {
  if (Array.isArray(value)) {
    for (const item of value) yield* walk(item);
  } else if (typeof value === 'object' && value !== null) {
    yield value as ProtoJson;
    for (const child of Object.values(value)) yield* walk(child);
  }
}

/**
 * Referential consistency (docs/xds-rules.md, "Snapshot consistency"): every cluster a route or TCP proxy names
 * exists, every EDS cluster has an assignment, every RDS name a listener uses exists, names are
 * unique per type, router filter last.
 */
export function consistencyProblems(config: EnvoyConfig): string[] {
  const problems: string[] = [];
  const clusters = new Set(config.clusters.map(c => String(c.name)));
  const assignments = new Set(config.endpoints.map(e => String(e.cluster_name)));
  const routeNames = new Set(config.routes.map(r => String(r.name)));
  for (const [kind, list, key] of [['listener', config.listeners, 'name'], ['route', config.routes, 'name'], ['cluster', config.clusters, 'name'], ['endpoint', config.endpoints, 'cluster_name']] as const) {
    const names = list.map(r => String(r[key]));
    if (new Set(names).size !== names.length) problems.push(`duplicate ${kind} names`);
  }
  for (const cluster of config.clusters) {
    if (cluster.type === 'EDS' && !assignments.has(String(cluster.name))) problems.push(`EDS cluster ${String(cluster.name)} has no assignment`);
  }
  for (const obj of walk([config.listeners, config.routes])) {
    if (typeof obj.route === 'object' && obj.route !== null) {
      const action = obj.route as ProtoJson;
      if (typeof action.cluster === 'string' && !clusters.has(action.cluster)) problems.push(`route names missing cluster ${action.cluster}`);
      const weighted = (action.weighted_clusters as ProtoJson | undefined)?.clusters as ProtoJson[] | undefined;
      for (const c of weighted ?? []) if (!clusters.has(String(c.name))) problems.push(`route names missing cluster ${String(c.name)}`);
    }
    if (obj['@type'] === TYPE_URLS.tcpProxy) {
      if (typeof obj.cluster === 'string' && !clusters.has(obj.cluster)) problems.push(`tcp_proxy names missing cluster ${obj.cluster}`);
      for (const c of ((obj.weighted_clusters as ProtoJson | undefined)?.clusters as ProtoJson[] | undefined) ?? []) {
        if (!clusters.has(String(c.name))) problems.push(`tcp_proxy names missing cluster ${String(c.name)}`);
      }
    }
    if (obj['@type'] === TYPE_URLS.httpConnectionManager) {
      const rds = obj.rds as ProtoJson | undefined;
      if (rds && !routeNames.has(String(rds.route_config_name))) problems.push(`HCM names missing route config ${String(rds.route_config_name)}`);
      const filters = obj.http_filters as ProtoJson[];
      if (filters[filters.length - 1]?.name !== 'envoy.filters.http.router') problems.push('router filter is not last');
    }
  }
  return problems;
}

/** Translates the node and expects both views to encode, keep Envoy's validation rules and be consistent. */
export function checkedTranslation(spec: MeshSpecDocument, nodeId: string): NodeConfig {
  const config = translateNode({ spec, nodeId });
  for (const view of [config.envoy, config.proxyless]) {
    expect(encodingProblems(view)).toEqual([]);
    expect(consistencyProblems(view)).toEqual([]);
  }
  return config;
}
