import { Construct } from 'constructs';

/**
 * Where an HTTP filter lives: the HTTP connection managers of one listener of the node's Envoy
 * view, in every filter chain or in one.
 */
export interface EnvoyHttpFilterLocation {
  /** The listener, by the name translation gives it: `lds_ingress_0.0.0.0_15000`, `lds_egress_0.0.0.0_15001`, `lds_ingress_0.0.0.0_<port>` on a gateway. */
  readonly listenerName: string;
  /**
   * One filter chain of the listener (`ingress_http_8080`, `egress_http_8080`, …).
   * @default - every filter chain of the listener that has an HTTP connection manager
   */
  readonly filterChainName?: string;
}

/** Options of `EnvoyPatch.addHttpFilter`. */
export interface AddEnvoyHttpFilterOptions extends EnvoyHttpFilterLocation {
  /**
   * The filter, an Envoy `HttpFilter` in proto-JSON: `name`, and `typed_config` with its `@type`.
   * TypeScript: `HttpFilter` and `Packed<…>` of `open-app-mesh/lib/policies/envoy-patch-types.generated`.
   */
  readonly filter: { [field: string]: any };
  /**
   * The filter to insert it before.
   * @default 'envoy.filters.http.router' (the router stays last)
   */
  readonly before?: string;
}

/** Options of `EnvoyPatch.mergeHttpFilter`. */
export interface MergeEnvoyHttpFilterOptions extends EnvoyHttpFilterLocation {
  /** The filter's name, e.g. `envoy.filters.http.router`. */
  readonly filterName: string;
  /** Fields merged into the filter (JSON merge patch: objects merge, `null` deletes, lists replace). */
  readonly value: { [field: string]: any };
}

/** Options of `EnvoyPatch.removeHttpFilter`. */
export interface RemoveEnvoyHttpFilterOptions extends EnvoyHttpFilterLocation {
  /** The filter's name. */
  readonly filterName: string;
}

/** What an Envoy patch renders into the spec (`extensions.envoyPatches[]`). */
export interface EnvoyPatchConfig {
  /** `listener`, `cluster`, `routeConfiguration` or `httpFilter`. */
  readonly target: string;
  /** `add`, `merge` or `remove`. */
  readonly operation: string;
  /** The resource's name; for an HTTP filter, its listener's. @default - the name in `value` (add) */
  readonly name?: string;
  /** HTTP filter: the filter chain. @default - every chain with an HTTP connection manager */
  readonly filterChain?: string;
  /** HTTP filter merge and remove: the filter. @default - none */
  readonly filterName?: string;
  /** HTTP filter add: the filter to insert before. @default - the router */
  readonly before?: string;
  /** The resource, filter or fields to merge, in proto-JSON. @default - none (remove) */
  readonly value?: { [field: string]: any };
}

/**
 * A change to the Envoy resources the control plane renders for one virtual node or gateway:
 * the escape hatch for Envoy settings the App Mesh model does not have. Patches are applied
 * after everything else, to the Envoy view only (proxyless gRPC clients never get them), and
 * are checked at synth: a patch that targets nothing, or leaves a resource that breaks Envoy's
 * own validation rules, fails the synth with the construct path. Resources are addressed by
 * the names translation produces (docs/envoy-patches.md lists every pattern); values are
 * Envoy v3 proto-JSON (snake_case fields, enums by name, `{seconds, nanos}` durations,
 * wrappers as `{value}`, Any as `{'@type': 'type.googleapis.com/…', …}`).
 */
export abstract class EnvoyPatch {
  /** Adds a listener; `listener.name` must be new. */
  public static addListener(listener: { [field: string]: any }): EnvoyPatch {
    return new ResourcePatch('listener', 'add', undefined, listener);
  }

  /** Merges `value` into the listener `name` (JSON merge patch). */
  public static mergeListener(name: string, value: { [field: string]: any }): EnvoyPatch {
    return new ResourcePatch('listener', 'merge', name, value);
  }

  /** Removes the listener `name`. */
  public static removeListener(name: string): EnvoyPatch {
    return new ResourcePatch('listener', 'remove', name, undefined);
  }

  /** Adds a cluster; `cluster.name` must be new. */
  public static addCluster(cluster: { [field: string]: any }): EnvoyPatch {
    return new ResourcePatch('cluster', 'add', undefined, cluster);
  }

  /** Merges `value` into the cluster `name` (JSON merge patch). */
  public static mergeCluster(name: string, value: { [field: string]: any }): EnvoyPatch {
    return new ResourcePatch('cluster', 'merge', name, value);
  }

  /** Removes the cluster `name`. */
  public static removeCluster(name: string): EnvoyPatch {
    return new ResourcePatch('cluster', 'remove', name, undefined);
  }

  /** Adds a route configuration; `routeConfiguration.name` must be new. */
  public static addRouteConfiguration(routeConfiguration: { [field: string]: any }): EnvoyPatch {
    return new ResourcePatch('routeConfiguration', 'add', undefined, routeConfiguration);
  }

  /** Merges `value` into the route configuration `name` (JSON merge patch). */
  public static mergeRouteConfiguration(name: string, value: { [field: string]: any }): EnvoyPatch {
    return new ResourcePatch('routeConfiguration', 'merge', name, value);
  }

  /** Removes the route configuration `name`. */
  public static removeRouteConfiguration(name: string): EnvoyPatch {
    return new ResourcePatch('routeConfiguration', 'remove', name, undefined);
  }

  /** Inserts an HTTP filter into the HTTP connection managers of a listener (before the router by default). */
  public static addHttpFilter(options: AddEnvoyHttpFilterOptions): EnvoyPatch {
    return new HttpFilterPatch('add', options, { before: options.before, value: options.filter });
  }

  /** Merges `value` into an HTTP filter, found by name. */
  public static mergeHttpFilter(options: MergeEnvoyHttpFilterOptions): EnvoyPatch {
    return new HttpFilterPatch('merge', options, { filterName: options.filterName, value: options.value });
  }

  /** Removes an HTTP filter, found by name. */
  public static removeHttpFilter(options: RemoveEnvoyHttpFilterOptions): EnvoyPatch {
    return new HttpFilterPatch('remove', options, { filterName: options.filterName });
  }

  /** The patch as spec data; `scope` is the virtual node or gateway it is added to (named in errors). */
  public abstract bind(scope: Construct): EnvoyPatchConfig;
}

class ResourcePatch extends EnvoyPatch {
  constructor(
    private readonly target: string,
    private readonly operation: string,
    private readonly name: string | undefined,
    private readonly value: { [field: string]: any } | undefined,
  ) {
    super();
  }

  public bind(scope: Construct): EnvoyPatchConfig {
    const what = `${this.operation} ${this.target}`;
    if (this.name !== undefined) requireName(scope, what, 'name', this.name);
    const value = this.value === undefined ? undefined : plainJson(scope, what, this.value);
    if (this.operation === 'add') requireName(scope, what, 'the value\'s name', value?.name);
    return { target: this.target, operation: this.operation, name: this.name, value };
  }
}

class HttpFilterPatch extends EnvoyPatch {
  constructor(
    private readonly operation: string,
    private readonly location: EnvoyHttpFilterLocation,
    private readonly filter: { filterName?: string; before?: string; value?: { [field: string]: any } },
  ) {
    super();
  }

  public bind(scope: Construct): EnvoyPatchConfig {
    const what = `${this.operation} httpFilter`;
    requireName(scope, what, 'listenerName', this.location.listenerName);
    if (this.location.filterChainName !== undefined) requireName(scope, what, 'filterChainName', this.location.filterChainName);
    if (this.operation !== 'add') requireName(scope, what, 'filterName', this.filter.filterName);
    if (this.filter.before !== undefined) requireName(scope, what, 'before', this.filter.before);
    const value = this.filter.value === undefined ? undefined : plainJson(scope, what, this.filter.value);
    if (this.operation === 'add') requireName(scope, what, 'the filter\'s name', value?.name);
    return {
      target: 'httpFilter',
      operation: this.operation,
      name: this.location.listenerName,
      filterChain: this.location.filterChainName,
      filterName: this.filter.filterName,
      before: this.filter.before,
      value,
    };
  }
}

function requireName(scope: Construct, what: string, field: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new Error(`[${scope.node.path}] Envoy patch (${what}): ${field} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
}

/** A JSON copy of the value (later changes to the caller's object do not leak in); refuses what JSON cannot carry. */
function plainJson(scope: Construct, what: string, value: unknown): { [field: string]: any } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`[${scope.node.path}] Envoy patch (${what}): the value must be a proto-JSON object, got ${Array.isArray(value) ? 'a list' : JSON.stringify(value)}`);
  }
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new Error(`[${scope.node.path}] Envoy patch (${what}): the value is not JSON (${(error as Error).message})`);
  }
  return JSON.parse(text);
}
