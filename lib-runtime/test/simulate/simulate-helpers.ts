import { toCanonicalJson } from '../../../src/spec/canonical';
import type { MeshSpecDocument } from '../../../src/spec/document';
import { readSpec } from '../../src/diff/spec-inputs';
import { resolveCaller } from '../../src/simulate/caller';
import { parseRequest } from '../../src/simulate/request';
import { simulate } from '../../src/simulate/simulate';
import type { Simulation } from '../../src/simulate/simulation';
import type { DiscoveredEndpoints } from '../../src/translate';

/**
 * Simulates `request` (command-line words: `-H`/`-m` values are headers) from `from` on `doc`,
 * after the document went through the spec validator as text, as the command reads it.
 */
export function sim(doc: MeshSpecDocument, from: string, request: string[], endpoints?: DiscoveredEndpoints): Simulation {
  const spec = readSpec(toCanonicalJson(doc), 'test');
  const words: string[] = [];
  const headers: string[] = [];
  for (let i = 0; i < request.length; i++) {
    if (request[i] === '-H' || request[i] === '-m') headers.push(request[++i]);
    else words.push(request[i]);
  }
  const caller = resolveCaller([spec], from);
  return simulate({ doc: spec.doc, nodeId: caller.nodeId, request: parseRequest(words, headers), endpoints, version: spec.version });
}

/** `name: matched` per route tried on the last hop, and the targets as `node share`. */
export function summary(s: Simulation): { outcome: string; routes: string[]; route?: string; targets: string[] } {
  const hop = s.hops[s.hops.length - 1];
  return {
    outcome: s.outcome,
    routes: (hop?.routes ?? []).map(r => `${r.name}: ${r.matched ? 'match' : 'no match'}`),
    ...(hop?.route !== undefined ? { route: hop.route } : {}),
    targets: s.targets.map(t => `${t.virtualNode ?? t.cluster} ${(t.probability * 100).toFixed(1)}%`),
  };
}

/** The texts of the failed checks of route `name` on hop `hop` (default the last). */
export function whyNot(s: Simulation, name: string, hop = s.hops.length - 1): string[] {
  const route = s.hops[hop].routes.find(r => r.name === name);
  if (!route) throw new Error(`route ${name} was not tried on hop ${hop + 1}`);
  return route.checks.filter(c => !c.ok).map(c => c.text);
}
