import { ProtoJson } from '../types';

/**
 * The order of policy HTTP filters in an HCM, before the router: who the caller is, then whether
 * they may, then how much, then faults (so a refused request never waits out an injected delay).
 * A filter whose name is not listed goes after the listed ones, in the order first seen.
 */
const ORDER: readonly string[] = [
  'envoy.filters.http.jwt_authn',
  'envoy.filters.http.ext_authz',
  'envoy.filters.http.rbac',
  'envoy.filters.http.local_ratelimit',
  'envoy.filters.http.fault',
];

/** Filters of several sources merged: one per name (the first seen), in ORDER. */
export function mergeHttpFilters(...lists: readonly (readonly ProtoJson[])[]): ProtoJson[] {
  const byName = new Map<string, ProtoJson>();
  for (const list of lists) for (const filter of list) if (!byName.has(String(filter.name))) byName.set(String(filter.name), filter);
  const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
  // Array.prototype.sort is stable: unlisted names keep the order they were first seen in.
  return [...byName.values()].sort((a, b) => rank(String(a.name)) - rank(String(b.name)));
}
