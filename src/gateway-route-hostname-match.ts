import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { meshError } from './private/errors';
import * as spec from './spec';

/** What a hostname match contributes to a gateway route's `match.hostname`. */
export interface GatewayRouteHostnameMatchConfig {
  /** The hostname match, as App Mesh's `GatewayRouteHostnameMatch`. */
  readonly hostnameMatch: spec.GatewayRouteHostnameMatch;
}

/** Longest hostname App Mesh accepts in a gateway route match (DNS name limit). */
const MAX_HOSTNAME_LENGTH = 253;

/**
 * Which request hostnames (the `Host` / `:authority` header, port ignored) a gateway route takes.
 */
export abstract class GatewayRouteHostnameMatch {
  /**
   * Matches exactly one hostname.
   *
   * @param name the hostname, e.g. `api.example.com`
   */
  public static exactly(name: string): GatewayRouteHostnameMatch {
    checkHostname('GatewayRouteHostnameMatch.exactly', name);
    return new HostnameMatchImpl({ exact: name });
  }

  /**
   * Matches every hostname that ends with `suffix`.
   *
   * @param suffix the ending, e.g. `.example.com`
   */
  public static endsWith(suffix: string): GatewayRouteHostnameMatch {
    checkHostname('GatewayRouteHostnameMatch.endsWith', suffix);
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

function checkHostname(where: string, value: string): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (value.length < 1 || value.length > MAX_HOSTNAME_LENGTH) {
    throw meshError('HostnameLengthOutOfRange', `${where}: the hostname must be 1–${MAX_HOSTNAME_LENGTH} characters long, got ${value.length}`);
  }
}
