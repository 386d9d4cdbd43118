import { DiscoverInstancesCommand, HttpInstanceSummary, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { Logger, SILENT_LOGGER } from '../log';
import { selectAddresses } from './ip-preference';
import { PollTiming, Scheduler } from './poller';
import { PollingDiscovery } from './polling-discovery';
import { DiscoveredEndpoint, DiscoveryErrorKind, DiscoveryTarget } from './types';

/**
 * Which instances to ask Cloud Map for. HEALTHY matches App Mesh (callers only ever saw
 * healthy instances); HEALTHY_OR_ELSE_ALL fails open when every instance is unhealthy,
 * like Envoy's panic mode.
 */
export type CloudMapHealthFilter = 'HEALTHY' | 'HEALTHY_OR_ELSE_ALL' | 'ALL';

export interface CloudMapDiscoveryOptions {
  readonly client: ServiceDiscoveryClient;
  readonly healthStatus?: CloudMapHealthFilter;
  readonly timing?: Partial<PollTiming>;
  readonly log?: Logger;
  readonly scheduler?: Scheduler;
}

/** Poll every 5 s ± 20 %; back off 1 s → 2 s → … up to 60 s while the API fails. */
export const CLOUD_MAP_TIMING: PollTiming = { intervalMs: 5000, jitter: 0.2, backoffBaseMs: 1000, backoffMaxMs: 60_000 };

/** Error names the SDK and the service use for rate limiting. */
const THROTTLING_NAMES = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'RequestLimitExceeded', 'TooManyRequestsException']);

/** DiscoverInstances returns at most this many instances per call (API maximum). */
const MAX_RESULTS = 1000;

/**
 * Endpoints from AWS Cloud Map, through DiscoverInstances (the data-plane API meant for
 * frequent polling). Every attribute of the node's `awsCloudMap.attributes` must match
 * (`QueryParameters`). An instance gives `AWS_INSTANCE_IPV4` / `AWS_INSTANCE_IPV6` (chosen by
 * the node's or mesh's ipPreference), `AWS_INSTANCE_PORT` (else the node's first listener
 * port) and `AVAILABILITY_ZONE` (as ECS registers it).
 */
export class CloudMapDiscovery extends PollingDiscovery {
  readonly name = 'cloudmap' as const;
  private readonly client: ServiceDiscoveryClient;
  private readonly healthStatus: CloudMapHealthFilter;

  constructor(options: CloudMapDiscoveryOptions) {
    super({ ...CLOUD_MAP_TIMING, ...options.timing }, options.log ?? SILENT_LOGGER, options.scheduler);
    this.client = options.client;
    this.healthStatus = options.healthStatus ?? 'HEALTHY';
  }

  protected handles(target: DiscoveryTarget): boolean {
    return target.cloudMap !== undefined;
  }

  protected async lookup(target: DiscoveryTarget): Promise<DiscoveredEndpoint[]> {
    const cm = target.cloudMap!;
    const response = await this.client.send(new DiscoverInstancesCommand({
      NamespaceName: cm.namespaceName,
      ServiceName: cm.serviceName,
      ...(Object.keys(cm.attributes).length > 0 ? { QueryParameters: { ...cm.attributes } } : {}),
      HealthStatus: this.healthStatus,
      MaxResults: MAX_RESULTS,
    }));
    const endpoints: DiscoveredEndpoint[] = [];
    for (const instance of response.Instances ?? []) {
      endpoints.push(...instanceEndpoints(instance, target));
    }
    return endpoints;
  }

  protected classify(error: unknown): DiscoveryErrorKind {
    return isThrottling(error) ? 'throttled' : 'error';
  }
}

export function isThrottling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } };
  return (e.name !== undefined && THROTTLING_NAMES.has(e.name)) || e.$retryable?.throttling === true || e.$metadata?.httpStatusCode === 429;
}

function instanceEndpoints(instance: HttpInstanceSummary, target: DiscoveryTarget): DiscoveredEndpoint[] {
  const attrs = instance.Attributes ?? {};
  const ipv4 = attrs.AWS_INSTANCE_IPV4 ? [attrs.AWS_INSTANCE_IPV4] : [];
  const ipv6 = attrs.AWS_INSTANCE_IPV6 ? [attrs.AWS_INSTANCE_IPV6] : [];
  const port = attrs.AWS_INSTANCE_PORT !== undefined ? Number(attrs.AWS_INSTANCE_PORT) : target.ports[0];
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) return [];
  const zone = attrs.AVAILABILITY_ZONE;
  // With HEALTHY_OR_ELSE_ALL the answer may hold unhealthy instances; say so, translate decides.
  const healthy = instance.HealthStatus === undefined ? undefined : instance.HealthStatus !== 'UNHEALTHY';
  return selectAddresses(ipv4, ipv6, target.ipPreference, 'IPv4_PREFERRED').map((address) => ({
    address,
    port,
    ...(zone ? { zone } : {}),
    ...(healthy !== undefined ? { healthy } : {}),
  }));
}
