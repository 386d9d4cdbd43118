import type { ProtoJson } from '../translate';

/**
 * Filter chain selection on an Envoy listener (`filter_chain_match`), in Envoy's order of
 * criteria, each narrowing to the most specific candidates: destination port (a chain naming the
 * port beats one naming none), server name (exact beats the longest `*.` wildcard beats none),
 * transport protocol (named beats none). Criteria a rendered chain does not use (destination and
 * source addresses, application protocols) are not simulated: a chain that sets them is reported
 * as not taken. The listener's `default_filter_chain` takes what no chain matches.
 */

export interface Connection {
  /** Destination port: the original destination of an intercepted connection, or the listener's port. */
  readonly port: number;
  /** TLS SNI, when the client speaks TLS. */
  readonly serverName?: string;
  /** `tls` or `raw_buffer`, as the TLS inspector reports it. */
  readonly transportProtocol: 'tls' | 'raw_buffer';
}

export interface ChainChoice {
  readonly chain: ProtoJson;
  /** Why it was taken, in words. */
  readonly why: string;
}

const UNSIMULATED = ['prefix_ranges', 'source_prefix_ranges', 'direct_source_prefix_ranges', 'source_ports', 'application_protocols'];

function matchOf(chain: ProtoJson): ProtoJson {
  return (chain.filter_chain_match ?? {}) as ProtoJson;
}

function portOf(match: ProtoJson): number | undefined {
  const port = match.destination_port as { value?: number } | number | undefined;
  return typeof port === 'number' ? port : port?.value;
}

/** Keeps the candidates with the best score; drops those that score undefined (no match). */
function narrow(chains: ProtoJson[], score: (match: ProtoJson) => number | undefined): ProtoJson[] {
  let best = -1;
  let kept: ProtoJson[] = [];
  for (const chain of chains) {
    const s = score(matchOf(chain));
    if (s === undefined || s < best) continue;
    if (s > best) {
      best = s;
      kept = [];
    }
    kept.push(chain);
  }
  return kept;
}

function serverNameScore(names: readonly string[] | undefined, serverName: string | undefined): number | undefined {
  if (!names || names.length === 0) return 0;
  if (serverName === undefined) return undefined;
  const sni = serverName.toLowerCase();
  let best: number | undefined;
  for (const name of names.map(n => n.toLowerCase())) {
    if (name === sni) return Number.MAX_SAFE_INTEGER;
    if (name.startsWith('*.') && sni.endsWith(name.slice(1))) best = Math.max(best ?? 0, name.length);
  }
  return best;
}

export function selectFilterChain(listener: ProtoJson, connection: Connection): ChainChoice | undefined {
  let candidates = ((listener.filter_chains ?? []) as ProtoJson[]).filter(chain => !UNSIMULATED.some(field => {
    const value = matchOf(chain)[field];
    return Array.isArray(value) ? value.length > 0 : value !== undefined;
  }));
  candidates = narrow(candidates, match => {
    const port = portOf(match);
    return port === undefined ? 0 : port === connection.port ? 1 : undefined;
  });
  candidates = narrow(candidates, match => serverNameScore(match.server_names as string[] | undefined, connection.serverName));
  candidates = narrow(candidates, match => {
    const protocol = match.transport_protocol as string | undefined;
    return protocol === undefined || protocol === '' ? 0 : protocol === connection.transportProtocol ? 1 : undefined;
  });
  const chain = candidates[0];
  if (chain) return { chain, why: describeMatch(matchOf(chain)) };
  const fallback = listener.default_filter_chain as ProtoJson | undefined;
  return fallback ? { chain: fallback, why: 'the listener\'s default filter chain (no chain matched)' } : undefined;
}

function describeMatch(match: ProtoJson): string {
  const parts: string[] = [];
  const port = portOf(match);
  if (port !== undefined) parts.push(`destination port ${port}`);
  const names = match.server_names as string[] | undefined;
  if (names?.length) parts.push(`server name ${names.join(' or ')}`);
  if (match.transport_protocol) parts.push(`transport ${String(match.transport_protocol)}`);
  return parts.length === 0 ? 'matches any connection' : parts.join(', ');
}

/** `8080, 443 (server name *.amazonaws.com), any` — what the listener's chains accept, for a refusal. */
export function describeChains(listener: ProtoJson): string {
  const chains = (listener.filter_chains ?? []) as ProtoJson[];
  if (chains.length === 0) return 'none';
  return chains.map(chain => `${String(chain.name ?? '(unnamed)')} (${describeMatch(matchOf(chain))})`).join(', ');
}
