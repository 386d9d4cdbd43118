/**
 * Envoy patches (docs/envoy-patches.md): the last step of translating a node's Envoy view. Pure:
 * the rendered view in, a patched copy out. Rendered objects may be shared with other nodes
 * (shared-output.ts), so nothing is changed in place: every object on the way to a change is
 * copied, everything else stays shared.
 */
import { EnvoyJson, EnvoyPatchSpec } from '../../../../src/spec/extensions/envoy-patch';
import { TYPE } from '../proto-json';
import { EnvoyConfig, ProtoJson } from '../types';

/** The filter `add` inserts before when the patch names none: the router is always last. */
export const ROUTER_FILTER = 'envoy.filters.http.router';

/** A patch that cannot be applied; `index` is its position in the node's list (absent: the patches together). */
export class EnvoyPatchError extends Error {
  constructor(readonly index: number | undefined, problem: string) {
    super(index === undefined ? `envoyPatches: ${problem}` : `envoyPatches[${index}]: ${problem}`);
    this.name = 'EnvoyPatchError';
  }
}

type ResourceList = 'listeners' | 'clusters' | 'routes';

const LIST_OF: Record<'listener' | 'cluster' | 'routeConfiguration', ResourceList> = {
  listener: 'listeners',
  cluster: 'clusters',
  routeConfiguration: 'routes',
};

/**
 * The view with every patch applied, in order (a later patch sees the earlier ones' result).
 * Throws `EnvoyPatchError` for a patch that targets nothing or cannot be applied as written.
 */
export function applyEnvoyPatches(view: EnvoyConfig, patches: readonly EnvoyPatchSpec[] | undefined): EnvoyConfig {
  if (!patches || patches.length === 0) return view;
  let out: EnvoyConfig = view;
  patches.forEach((patch, index) => {
    out = patch.target === 'httpFilter' ? patchHttpFilter(out, patch, index) : patchResource(out, patch, index);
  });
  return out;
}

function patchResource(view: EnvoyConfig, patch: EnvoyPatchSpec, index: number): EnvoyConfig {
  const list = LIST_OF[patch.target as keyof typeof LIST_OF];
  const resources = view[list];
  if (patch.operation === 'add') {
    const value = requireValue(patch, index);
    const name = value.name;
    if (typeof name !== 'string' || name === '') throw new EnvoyPatchError(index, `add ${patch.target}: value.name must name the new resource`);
    if (resources.some(r => r.name === name)) throw new EnvoyPatchError(index, `add ${patch.target}: ${JSON.stringify(name)} exists already (merge into it instead)`);
    return { ...view, [list]: sortByName([...resources, value as ProtoJson]) };
  }
  const name = patch.name;
  const at = resources.findIndex(r => r.name === name);
  if (at < 0) {
    throw new EnvoyPatchError(index, `${patch.operation} ${patch.target}: this node has no ${patch.target} named ${JSON.stringify(name)} `
      + `(it has ${namesOf(resources)})`);
  }
  if (patch.operation === 'remove') return { ...view, [list]: resources.filter((_, i) => i !== at) };
  const merged = mergePatch(resources[at], requireValue(patch, index)) as ProtoJson;
  if (merged.name !== name) throw new EnvoyPatchError(index, `merge ${patch.target}: a merge may not rename ${JSON.stringify(name)} (remove it and add the new one)`);
  return { ...view, [list]: resources.map((r, i) => (i === at ? merged : r)) };
}

function patchHttpFilter(view: EnvoyConfig, patch: EnvoyPatchSpec, index: number): EnvoyConfig {
  const at = view.listeners.findIndex(l => l.name === patch.name);
  if (at < 0) throw new EnvoyPatchError(index, `httpFilter: this node has no listener named ${JSON.stringify(patch.name)} (it has ${namesOf(view.listeners)})`);
  const listener = view.listeners[at];
  let touched = 0;
  const chains = (listener.filter_chains as ProtoJson[] | undefined ?? []).map(chain => {
    if (patch.filterChain !== undefined && chain.name !== patch.filterChain) return chain;
    const filters = chain.filters as ProtoJson[] | undefined ?? [];
    let changed = false;
    const next = filters.map(filter => {
      const typed = filter.typed_config as ProtoJson | undefined;
      if (typed?.['@type'] !== TYPE.httpConnectionManager) return filter;
      const httpFilters = patchFilterList(typed.http_filters as ProtoJson[] | undefined ?? [], patch, index, `${chain.name as string}`);
      if (httpFilters === undefined) return filter;
      changed = true;
      return { ...filter, typed_config: { ...typed, http_filters: httpFilters } };
    });
    if (!changed) return chain;
    touched++;
    return { ...chain, filters: next };
  });
  if (touched === 0) {
    const where = patch.filterChain === undefined
      ? `no filter chain of listener ${JSON.stringify(patch.name)} has an HTTP connection manager`
      : `listener ${JSON.stringify(patch.name)} has no filter chain ${JSON.stringify(patch.filterChain)} with an HTTP connection manager`
        + ` (its chains: ${namesOf(listener.filter_chains as ProtoJson[] | undefined ?? [])})`;
    const what = patch.operation === 'add' ? '' : ` holding ${JSON.stringify(patch.filterName)}`;
    throw new EnvoyPatchError(index, `httpFilter ${patch.operation}: ${where}${what}`);
  }
  const listeners = view.listeners.map((l, i) => (i === at ? { ...listener, filter_chains: chains } : l));
  return { ...view, listeners };
}

/**
 * One HCM's filter list with the patch applied; undefined when the filter a merge or remove
 * names is not in it (another chain may hold it). An add whose `before` is missing is an error.
 */
function patchFilterList(filters: ProtoJson[], patch: EnvoyPatchSpec, index: number, chain: string): ProtoJson[] | undefined {
  if (patch.operation === 'add') {
    const value = requireValue(patch, index);
    if (typeof value.name !== 'string' || value.name === '') throw new EnvoyPatchError(index, 'httpFilter add: value.name must name the filter');
    if (filters.some(f => f.name === value.name)) {
      throw new EnvoyPatchError(index, `httpFilter add: chain ${JSON.stringify(chain)} has a filter ${JSON.stringify(value.name)} already (merge into it instead)`);
    }
    const before = patch.before ?? ROUTER_FILTER;
    const at = filters.findIndex(f => f.name === before);
    if (at < 0) throw new EnvoyPatchError(index, `httpFilter add: chain ${JSON.stringify(chain)} has no filter ${JSON.stringify(before)} to insert before (it has ${namesOf(filters)})`);
    return [...filters.slice(0, at), value as ProtoJson, ...filters.slice(at)];
  }
  const at = filters.findIndex(f => f.name === patch.filterName);
  if (at < 0) return undefined;
  if (patch.operation === 'remove') return filters.filter((_, i) => i !== at);
  const merged = mergePatch(filters[at], requireValue(patch, index)) as ProtoJson;
  if (merged.name !== patch.filterName) throw new EnvoyPatchError(index, `httpFilter merge: a merge may not rename ${JSON.stringify(patch.filterName)}`);
  return filters.map((f, i) => (i === at ? merged : f));
}

/**
 * JSON merge patch (RFC 7386): objects merge key by key, `null` deletes, anything else
 * (lists included) replaces. The target is not changed; untouched branches stay shared.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const base: EnvoyJson = isObject(target) ? target : {};
  const out: EnvoyJson = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete out[key];
      continue;
    }
    // Own properties only, and defined rather than assigned: a key `__proto__` or `constructor`
    // is a field name like any other (Envoy's rules then refuse it), never the object's prototype.
    const merged = mergePatch(Object.prototype.hasOwnProperty.call(base, key) ? base[key] : undefined, value);
    Object.defineProperty(out, key, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function requireValue(patch: EnvoyPatchSpec, index: number): EnvoyJson {
  if (!isObject(patch.value)) throw new EnvoyPatchError(index, `${patch.operation} ${patch.target}: value is required`);
  return patch.value;
}

function isObject(value: unknown): value is EnvoyJson {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function namesOf(resources: readonly ProtoJson[]): string {
  const names = resources.map(r => JSON.stringify(r.name));
  return names.length === 0 ? 'none' : names.join(', ');
}

function sortByName(resources: ProtoJson[]): ProtoJson[] {
  return resources.sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : (a.name as string) > (b.name as string) ? 1 : 0));
}
