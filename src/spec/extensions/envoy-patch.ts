/**
 * The escape hatch to raw Envoy: patches the control plane applies, after every other step of
 * translation, to the Envoy resources it rendered for one virtual node or gateway. A patch names
 * its target by the resource names translation produces (docs/envoy-patches.md lists them).
 * Values are Envoy v3 proto-JSON: snake_case field names, enums as strings, Durations as
 * `{seconds, nanos}`, Any as `{"@type": "type.googleapis.com/<message>", ...fields}`.
 */

/** What a patch addresses. */
export type EnvoyPatchTarget = 'listener' | 'cluster' | 'routeConfiguration' | 'httpFilter';

/**
 * What a patch does:
 * - `add`: a new resource (`value` is the whole resource, its `name` new), or an HTTP filter
 *   inserted into the filter chain (before `before`, by default before the router);
 * - `merge`: `value` merged into the named resource or HTTP filter (JSON merge patch, RFC 7386:
 *   objects merge key by key, `null` deletes a field, lists and scalars replace);
 * - `remove`: the named resource or HTTP filter removed.
 */
export type EnvoyPatchOperation = 'add' | 'merge' | 'remove';

/** A proto-JSON object. */
export type EnvoyJson = { [field: string]: unknown };

/** One patch of a node's Envoy view. */
export interface EnvoyPatchSpec {
  readonly target: EnvoyPatchTarget;
  readonly operation: EnvoyPatchOperation;
  /**
   * The resource's name (`lds_ingress_0.0.0.0_15000`, `cds_egress_<mesh>_<node>_http_8080`,
   * `rds_ingress_http_8080`, …) for `merge` and `remove`; for an `httpFilter`, the listener whose
   * HTTP connection managers hold the filter. Absent for `add` of a resource (the name is `value.name`).
   */
  readonly name?: string;
  /** `httpFilter` only: the filter chain (`ingress_http_8080`, …). Default: every chain of the listener that has an HTTP connection manager. */
  readonly filterChain?: string;
  /** `httpFilter` `merge`/`remove`: the filter's name (`envoy.filters.http.router`, …). */
  readonly filterName?: string;
  /** `httpFilter` `add`: the filter to insert before. Default: `envoy.filters.http.router`. */
  readonly before?: string;
  /** `add`: the resource or filter; `merge`: the fields to merge. Absent for `remove`. */
  readonly value?: EnvoyJson;
}

/** The Envoy message each target's `value` is (an HTTP filter's is `HttpFilter`, its config an Any). */
export const ENVOY_PATCH_MESSAGES: Readonly<Record<EnvoyPatchTarget, string>> = {
  listener: 'envoy.config.listener.v3.Listener',
  cluster: 'envoy.config.cluster.v3.Cluster',
  routeConfiguration: 'envoy.config.route.v3.RouteConfiguration',
  httpFilter: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter',
};

/** Most patches one node or gateway may carry. */
export const MAX_ENVOY_PATCHES = 50;

/** Extension-schema definitions of Envoy patches (same dialect as the App Mesh schema). */
export const ENVOY_PATCH_SCHEMA_DEFS: Record<string, unknown> = {
  EnvoyPatch: {
    type: 'object',
    additionalProperties: false,
    properties: {
      target: { type: 'string', enum: ['listener', 'cluster', 'routeConfiguration', 'httpFilter'] },
      operation: { type: 'string', enum: ['add', 'merge', 'remove'] },
      name: { type: 'string', minLength: 1, maxLength: 1024 },
      filterChain: { type: 'string', minLength: 1, maxLength: 1024 },
      filterName: { type: 'string', minLength: 1, maxLength: 1024 },
      before: { type: 'string', minLength: 1, maxLength: 1024 },
      value: { type: 'object' },
    },
    required: ['target', 'operation'],
  },
  EnvoyPatches: { type: 'array', items: { $ref: '#/$defs/EnvoyPatch' }, minItems: 1, maxItems: MAX_ENVOY_PATCHES },
};

/** A resource's patches, or undefined when it has none. */
export function envoyPatchesOf(resource: object): readonly EnvoyPatchSpec[] | undefined {
  const extensions = (resource as { extensions?: { envoyPatches?: readonly EnvoyPatchSpec[] } }).extensions;
  const patches = extensions?.envoyPatches;
  return Array.isArray(patches) && patches.length > 0 ? patches : undefined;
}
