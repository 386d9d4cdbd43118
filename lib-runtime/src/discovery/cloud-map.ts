import { isIPv4, isIPv6 } from 'node:net';
import { DiscoverInstancesCommand, HttpInstanceSummary, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { Logger, SILENT_LOGGER } from '../log';
import { isPort, show } from './endpoint-check';
import { selectAddresses } from './ip-preference';
import { PollTiming, Scheduler } from './poller';
import { DropReporter, PollingDiscovery } from './polling-discovery';
import { DiscoveredEndpoint, DiscoveryTarget, LookupErrorKind } from './types';

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
 * port) and `AVAILABILITY_ZONE` (as ECS registers it). An instance whose address or port
 * attribute is malformed is left out, with the reason logged; the others are served.
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

  protected async lookup(target: DiscoveryTarget, drop: DropReporter): Promise<DiscoveredEndpoint[]> {
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
      const problem = instanceProblem(instance, target);
      if (problem) drop(`instance ${show(instance.InstanceId)}: ${problem}`);
      else endpoints.push(...instanceEndpoints(instance, target));
    }
    return endpoints;
  }

  protected classify(error: unknown): LookupErrorKind {
    return isThrottling(error) ? 'throttled' : 'error';
  }
}

export function isThrottling(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: string; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } };
  return (e.name !== undefined && THROTTLING_NAMES.has(e.name)) || e.$retryable?.throttling === true || e.$metadata?.httpStatusCode === 429;
}

/** Why an instance's registration cannot give an endpoint, if it cannot. */
function instanceProblem(instance: HttpInstanceSummary, target: DiscoveryTarget): string | undefined {
  const attrs = instance.Attributes ?? {};
  const { AWS_INSTANCE_IPV4: ipv4, AWS_INSTANCE_IPV6: ipv6, AWS_INSTANCE_PORT: port } = attrs;
  if (ipv4 === undefined && ipv6 === undefined) return 'neither AWS_INSTANCE_IPV4 nor AWS_INSTANCE_IPV6 is set';
  if (ipv4 !== undefined && !isIPv4(ipv4)) return `AWS_INSTANCE_IPV4 ${show(ipv4)} is not an IPv4 address`;
  if (ipv6 !== undefined && !isIPv6(ipv6)) return `AWS_INSTANCE_IPV6 ${show(ipv6)} is not an IPv6 address`;
  // Number('') is 0 and Number(' 80') is 80: only plain decimal digits are a port.
  if (port !== undefined && !(/^[0-9]{1,5}$/.test(port) && isPort(Number(port)))) return `AWS_INSTANCE_PORT ${show(port)} is not a port 1-65535`;
  if (port === undefined && target.ports[0] === undefined) return 'no AWS_INSTANCE_PORT, and the virtual node has no listener port';
  return undefined;
}

/** The endpoints of an instance instanceProblem found nothing wrong with. */
function instanceEndpoints(instance: HttpInstanceSummary, target: DiscoveryTarget): DiscoveredEndpoint[] {
  const attrs = instance.Attributes ?? {};
  const ipv4 = attrs.AWS_INSTANCE_IPV4 ? [attrs.AWS_INSTANCE_IPV4] : [];
  const ipv6 = attrs.AWS_INSTANCE_IPV6 ? [attrs.AWS_INSTANCE_IPV6] : [];
  const port = attrs.AWS_INSTANCE_PORT !== undefined ? Number(attrs.AWS_INSTANCE_PORT) : target.ports[0]!;
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
