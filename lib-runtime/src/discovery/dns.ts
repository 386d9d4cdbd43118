import { promises as dnsPromises } from 'node:dns';
import { Logger, SILENT_LOGGER } from '../log';
import { familiesToQuery, selectAddresses } from './ip-preference';
import { PollTiming, Scheduler } from './poller';
import { PollingDiscovery } from './polling-discovery';
import { DiscoveredEndpoint, DiscoveryErrorKind, DiscoveryTarget } from './types';

export interface DnsDiscoveryOptions {
  /** DNS servers as `ip` or `ip:port` (default: the system's resolvers). */
  readonly servers?: readonly string[];
  /** Per-query timeout in ms (default 2000). */
  readonly queryTimeoutMs?: number;
  readonly timing?: Partial<PollTiming>;
  readonly log?: Logger;
  readonly scheduler?: Scheduler;
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

  constructor(options: DnsDiscoveryOptions = {}) {
    super({ ...DNS_TIMING, ...options.timing }, options.log ?? SILENT_LOGGER, options.scheduler);
    this.resolver = new dnsPromises.Resolver({ timeout: options.queryTimeoutMs ?? 2000, tries: 2 });
    if (options.servers && options.servers.length > 0) this.resolver.setServers([...options.servers]);
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

  protected classify(_error: unknown): DiscoveryErrorKind {
    return 'error';
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
