/**
 * DNS endpoint discovery, and what it does when names stop resolving.
 *
 * A resolver outage can answer NXDOMAIN for every name (a broken forwarder, a lost zone, a
 * misconfigured split horizon), and that looks exactly like every service being deleted at once.
 * Emptying every cluster on such an answer turns a DNS fault into a mesh-wide outage. Production
 * resolvers and proxies lean the other way: Envoy's DNS clusters keep their hosts when a
 * resolution fails, RFC 8767 resolvers serve stale answers while upstreams fail, and load
 * balancers stop trusting health data when most of it is bad at once (Envoy's panic threshold).
 * The policy here:
 *
 * 1. A failed lookup (timeout, SERVFAIL, refused, unreachable server) keeps the name's last known
 *    endpoints, reports an error and backs off.
 * 2. An empty answer (NXDOMAIN or NODATA) for a name that has endpoints keeps them until the name
 *    has answered empty 3 times in a row over at least 15 s (`DNS_NO_RECORDS_POLICY`); then they
 *    are removed. A name that never resolved simply has none.
 * 3. Panic: while at least half of the names that have endpoints, and at least 2 of them, failed
 *    their latest lookup (empty or error), nothing is removed and the removal counts start over
 *    afterwards. Entering panic is logged and reported once (`kind: 'panic'`); leaving it is logged.
 *
 * So one service that really disappears while the others resolve is removed after about 15 s;
 * a resolver answering NXDOMAIN for everything changes nothing. Names that vanish from DNS
 * together (half of them or more) stay until DNS answers again or the spec stops naming them.
 */
import { promises as dnsPromises } from 'node:dns';
import { Logger, SILENT_LOGGER } from '../log';
import { familiesToQuery, selectAddresses } from './ip-preference';
import { DNS_NO_RECORDS_POLICY, NoRecordsGuard, NoRecordsPolicy } from './no-records-guard';
import { PollTiming, Scheduler } from './poller';
import { PollingDiscovery } from './polling-discovery';
import { DiscoveredEndpoint, DiscoveryTarget, LookupErrorKind } from './types';

export interface DnsDiscoveryOptions {
  /** DNS servers as `ip` or `ip:port` (default: the system's resolvers). */
  readonly servers?: readonly string[];
  /** Per-query timeout in ms (default 2000). */
  readonly queryTimeoutMs?: number;
  readonly timing?: Partial<PollTiming>;
  readonly log?: Logger;
  readonly scheduler?: Scheduler;
  /** When an empty answer removes endpoints (default `DNS_NO_RECORDS_POLICY`). */
  readonly noRecords?: Partial<NoRecordsPolicy>;
  /** Clock for the removal delay (default Date.now); replaceable in tests. */
  readonly now?: () => number;
}

/** Poll every 5 s ± 20 % (close to Envoy's 5 s dns_refresh_rate); back off up to 30 s on failures. */
export const DNS_TIMING: PollTiming = { intervalMs: 5000, jitter: 0.2, backoffBaseMs: 1000, backoffMaxMs: 30_000 };

/** Answers that mean "this name has no such records" — an empty answer, not an outage. */
const NO_RECORDS = new Set(['ENODATA', 'ENOTFOUND']);

/**
 * Endpoints from DNS for nodes with `serviceDiscovery.dns`. A plain hostname is resolved to
 * A/AAAA records (per ipPreference; unset = IPv6 first, like Envoy's AUTO) and paired with
 * the node's first listener port. A hostname starting with `_` (`_grpc._tcp.orders.local`) is
 * an SRV name: the targets of the lowest priority are resolved and carry the SRV port.
 * responseType does not change the lookup: every address returned is an endpoint.
 */
export class DnsDiscovery extends PollingDiscovery {
  readonly name = 'dns' as const;
  private readonly resolver: dnsPromises.Resolver;
  private readonly guard: NoRecordsGuard;

  constructor(options: DnsDiscoveryOptions = {}) {
    super({ ...DNS_TIMING, ...options.timing }, options.log ?? SILENT_LOGGER, options.scheduler);
    this.resolver = new dnsPromises.Resolver({ timeout: options.queryTimeoutMs ?? 2000, tries: 2 });
    if (options.servers && options.servers.length > 0) this.resolver.setServers([...options.servers]);
    const policy = { ...DNS_NO_RECORDS_POLICY, ...options.noRecords };
    this.guard = new NoRecordsGuard(policy, options.now ?? Date.now, this.log, (panicking, failing, names) => {
      if (!panicking) return;
      const error = new Error(`${failing} of ${names} DNS names with endpoints fail at once; keeping every last known endpoint`);
      this.state.reportError({ source: 'dns', kind: 'panic', error });
    });
  }

  /** True while so many names fail that none is removed (see the top of this file). */
  get panic(): boolean {
    return this.guard.panic;
  }

  protected handles(target: DiscoveryTarget): boolean {
    return target.dns !== undefined;
  }

  protected async lookup(target: DiscoveryTarget): Promise<DiscoveredEndpoint[]> {
    const hostname = target.dns!.hostname.replace(/\.$/, '');
    if (hostname.startsWith('_')) return this.lookupSrv(hostname, target);
    const port = target.ports[0];
    if (port === undefined) throw new Error(`virtual node ${target.virtualNodeName} has no listener port to pair with ${hostname}`);
    const addresses = await this.addresses(hostname, target);
    return addresses.map((address) => ({ address, port }));
  }

  protected classify(_error: unknown): LookupErrorKind {
    return 'error';
  }

  protected settle(target: DiscoveryTarget, endpoints: DiscoveredEndpoint[]): DiscoveredEndpoint[] | undefined {
    if (endpoints.length > 0) {
      this.guard.records(target.virtualNodeName);
      return endpoints;
    }
    return this.guard.empty(target.virtualNodeName) ? endpoints : undefined;
  }

  protected lookupFailed(target: DiscoveryTarget): void {
    this.guard.failed(target.virtualNodeName);
  }

  protected targetsRetained(names: ReadonlySet<string>): void {
    this.guard.retain(names);
  }

  private async lookupSrv(name: string, target: DiscoveryTarget): Promise<DiscoveredEndpoint[]> {
    const records = await orEmpty(this.resolver.resolveSrv(name));
    if (records.length === 0) return [];
    const best = Math.min(...records.map((r) => r.priority));
    const chosen = records.filter((r) => r.priority === best);
    const resolved = await Promise.all(chosen.map(async (r) => {
      const addresses = await this.addresses(r.name, target);
      return addresses.map((address) => ({ address, port: r.port }));
    }));
    return resolved.flat();
  }

  private async addresses(hostname: string, target: DiscoveryTarget): Promise<string[]> {
    const families = familiesToQuery(target.ipPreference);
    const [v4, v6] = await Promise.all([
      families.v4 ? orEmpty(this.resolver.resolve4(hostname)) : Promise.resolve([]),
      families.v6 ? orEmpty(this.resolver.resolve6(hostname)) : Promise.resolve([]),
    ]);
    return selectAddresses(v4, v6, target.ipPreference, 'IPv6_PREFERRED');
  }
}

async function orEmpty<T>(query: Promise<T[]>): Promise<T[]> {
  try {
    return await query;
  } catch (error) {
    if (NO_RECORDS.has((error as { code?: string }).code ?? '')) return [];
    throw error;
  }
}
