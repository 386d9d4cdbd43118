import { Construct } from 'constructs';
import * as spec from './spec';

/** What a hostname match contributes to a gateway route's `match.hostname`. */
export interface GatewayRouteHostnameMatchConfig {
  /** The hostname match, as App Mesh's `GatewayRouteHostnameMatch`. */
  readonly hostnameMatch: spec.GatewayRouteHostnameMatch;
}

/**
 * Which request hostnames (the `Host` / `:authority` header, port ignored) a gateway route takes.
 * The length limit (1–253 characters) is App Mesh's; the spec schema checks it at synth.
 */
export abstract class GatewayRouteHostnameMatch {
  /**
   * Matches exactly one hostname.
   *
   * @param name the hostname, e.g. `api.example.com`
   */
  public static exactly(name: string): GatewayRouteHostnameMatch {
    return new HostnameMatchImpl({ exact: name });
  }

  /**
   * Matches every hostname that ends with `suffix`.
   *
   * @param suffix the ending, e.g. `.example.com`
   */
  public static endsWith(suffix: string): GatewayRouteHostnameMatch {
    return new HostnameMatchImpl({ suffix });
  }

  /** Renders the match for the gateway route being built in `scope`. */
  public abstract bind(scope: Construct): GatewayRouteHostnameMatchConfig;
}

class HostnameMatchImpl extends GatewayRouteHostnameMatch {
  constructor(private readonly match: spec.GatewayRouteHostnameMatch) {
    super();
  }

  public bind(_scope: Construct): GatewayRouteHostnameMatchConfig {
    return { hostnameMatch: this.match };
  }
}
