import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';
import * as spec from './spec';

/** IP version a proxy prefers for its connections. */
export enum IpPreference {
  /** IPv4 only. */
  IPV4_ONLY = 'IPv4_ONLY',
  /** IPv4 first, IPv6 as fallback. */
  IPV4_PREFERRED = 'IPv4_PREFERRED',
  /** IPv6 only. */
  IPV6_ONLY = 'IPv6_ONLY',
  /** IPv6 first, IPv4 as fallback. */
  IPV6_PREFERRED = 'IPv6_PREFERRED',
}

/** Mesh-wide service discovery settings. */
export interface MeshServiceDiscovery {
  /**
   * IP preference of every node that sets none.
   * @default - none rendered (the proxy's default, IPv4 preferred)
   */
  readonly ipPreference?: IpPreference;
}

/** How DNS answers are used. */
export enum DnsResponseType {
  /** Use one address and let DNS (a load balancer) spread the load. */
  LOAD_BALANCER = 'LOADBALANCER',
  /** Use every address returned, each as an endpoint. */
  ENDPOINTS = 'ENDPOINTS',
}

/** What ServiceDiscovery.bind returns: one member is set. */
export interface ServiceDiscoveryConfig {
  /** DNS discovery, App Mesh `DnsServiceDiscovery`. */
  readonly dns?: spec.DnsServiceDiscovery;
  /** Cloud Map discovery, App Mesh `AwsCloudMapServiceDiscovery`. */
  readonly cloudmap?: spec.AwsCloudMapServiceDiscovery;
}

/** How callers find the endpoints of a virtual node. */
export abstract class ServiceDiscovery {
  /**
   * Resolve `hostname` with DNS.
   * @param responseType default LOAD_BALANCER (not rendered when unset)
   * @param ipPreference default: the mesh's preference
   */
  public static dns(hostname: string, responseType?: DnsResponseType, ipPreference?: IpPreference): ServiceDiscovery {
    return new DnsServiceDiscovery({
      hostname,
      ...(responseType !== undefined ? { responseType: responseType as 'LOADBALANCER' | 'ENDPOINTS' } : {}),
      ...(ipPreference !== undefined ? { ipPreference } : {}),
    });
  }

  /**
   * Discover instances of a Cloud Map service.
   * @param instanceAttributes only instances carrying all these attributes
   * @param ipPreference default: the mesh's preference
   */
  public static cloudMap(
    service: cloudmap.IService,
    instanceAttributes?: { [key: string]: string },
    ipPreference?: IpPreference,
  ): ServiceDiscovery {
    return new CloudMapServiceDiscovery(service, instanceAttributes, ipPreference);
  }

  /** Render the discovery settings. */
  public abstract bind(scope: Construct): ServiceDiscoveryConfig;
}

class DnsServiceDiscovery extends ServiceDiscovery {
  constructor(private readonly dns: spec.DnsServiceDiscovery) {
    super();
  }

  public bind(_scope: Construct): ServiceDiscoveryConfig {
    return { dns: this.dns };
  }
}

class CloudMapServiceDiscovery extends ServiceDiscovery {
  constructor(
    private readonly service: cloudmap.IService,
    private readonly instanceAttributes?: { [key: string]: string },
    private readonly ipPreference?: IpPreference,
  ) {
    super();
  }

  public bind(_scope: Construct): ServiceDiscoveryConfig {
    const attributes = Object.keys(this.instanceAttributes ?? {}).sort().map((key) => ({
      key,
      value: this.instanceAttributes![key],
    }));
    return {
      cloudmap: {
        namespaceName: this.service.namespace.namespaceName,
        serviceName: this.service.serviceName,
        ...(attributes.length > 0 ? { attributes } : {}),
        ...(this.ipPreference !== undefined ? { ipPreference: this.ipPreference } : {}),
      },
    };
  }
}
