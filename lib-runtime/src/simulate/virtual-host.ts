import type { Semantics } from './route-match';
import type { ProtoJson } from '../translate';

/**
 * Virtual host selection: the request's host against every `domains` entry of a
 * RouteConfiguration. Both Envoy and gRPC prefer an exact domain, then the longest suffix wildcard
 * (`*.example.com`), then the longest prefix wildcard (`example.*`), then `*`. Envoy compares the
 * host in lower case and a wildcard never matches an empty part; grpc-js compares as written. The
 * port is part of the host unless the configuration says to strip it (done by the caller).
 */

export interface VirtualHostChoice {
  readonly virtualHost: ProtoJson;
  readonly pattern: string;
  /** `exact`, `suffix wildcard`, `prefix wildcard`, `any host (*)`. */
  readonly kind: string;
}

const KINDS = ['exact', 'suffix wildcard', 'prefix wildcard', 'any host (*)'];

function patternRank(pattern: string): number {
  if (!pattern.includes('*')) return 0;
  if (pattern === '*') return 3;
  if (pattern.startsWith('*')) return 1;
  if (pattern.endsWith('*')) return 2;
  return -1;
}

function patternMatches(rank: number, pattern: string, host: string, semantics: Semantics): boolean {
  const strict = semantics === 'envoy';
  switch (rank) {
    case 0: return host === pattern;
    case 1: return host.endsWith(pattern.slice(1)) && (!strict || host.length > pattern.length - 1);
    case 2: return host.startsWith(pattern.slice(0, -1)) && (!strict || host.length > pattern.length - 1);
    case 3: return true;
    default: return false;
  }
}

/** The virtual host a request for `host` uses; undefined when no domain matches. */
export function selectVirtualHost(virtualHosts: readonly ProtoJson[], host: string, semantics: Semantics): VirtualHostChoice | undefined {
  const subject = semantics === 'envoy' ? host.toLowerCase() : host;
  let best: VirtualHostChoice | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  let bestLength = -1;
  for (const virtualHost of virtualHosts) {
    for (const raw of (virtualHost.domains ?? []) as string[]) {
      const pattern = semantics === 'envoy' ? raw.toLowerCase() : raw;
      const rank = patternRank(pattern);
      if (rank < 0 || rank > bestRank || (rank === bestRank && pattern.length <= bestLength)) continue;
      if (!patternMatches(rank, pattern, subject, semantics)) continue;
      best = { virtualHost, pattern: raw, kind: KINDS[rank] };
      bestRank = rank;
      bestLength = pattern.length;
    }
  }
  return best;
}
