import { byName } from './proto-json';
import { EnvoyConfig, ProtoJson } from './types';

/**
 * Gathers the resources of one view. Each name is kept once (first one wins: callers add in a
 * deterministic order), and `build()` returns every list sorted by name.
 */
export class ResourceCollector {
  private readonly listeners = new Map<string, ProtoJson>();
  private readonly routes = new Map<string, ProtoJson>();
  private readonly clusters = new Map<string, ProtoJson>();
  private readonly endpoints = new Map<string, ProtoJson>();

  public addListener(resource: ProtoJson): void {
    addOnce(this.listeners, String(resource.name), resource);
  }
  public addRoute(resource: ProtoJson): void {
    addOnce(this.routes, String(resource.name), resource);
  }
  public addCluster(resource: ProtoJson): void {
    addOnce(this.clusters, String(resource.name), resource);
  }
  public addEndpoints(resource: ProtoJson): void {
    addOnce(this.endpoints, String(resource.cluster_name), resource);
  }
  public hasCluster(name: string): boolean {
    return this.clusters.has(name);
  }

  public build(): EnvoyConfig {
    return {
      listeners: sorted(this.listeners),
      routes: sorted(this.routes),
      clusters: sorted(this.clusters),
      endpoints: sorted(this.endpoints),
      secrets: [],
    };
  }
}

function addOnce(map: Map<string, ProtoJson>, name: string, resource: ProtoJson): void {
  if (!map.has(name)) map.set(name, resource);
}

function sorted(map: Map<string, ProtoJson>): ProtoJson[] {
  return [...map.values()].sort(byName);
}
