import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { meshError } from './private/errors';
import * as spec from './spec';

/** What HttpRoutePathMatch.bind returns: one of the two members is set. */
export interface HttpRoutePathMatchConfig {
  /** Match on the whole path (exact or regex), App Mesh `HttpPathMatch`. */
  readonly wholePathMatch?: spec.HttpPathMatch;
  /** Match on a path prefix, App Mesh `HttpRouteMatch.prefix`. */
  readonly prefixPathMatch?: string;
}

/** How a route matches the request path. */
export abstract class HttpRoutePathMatch {
  /**
   * The path is exactly `path`.
   * @param path must start with `/`
   */
  public static exactly(path: string): HttpRoutePathMatch {
    // An empty path passes here, as in aws-cdk-lib; the spec schema refuses it at synth.
    if (path && !Token.isUnresolved(path) && !path.startsWith('/')) {
      throw meshError('ExactPathMustStartWithSlash', `Exact Path for the match must start with '/', got: ${path}`);
    }
    return new HttpRouteWholePathMatch({ exact: path });
  }

  /** The whole path matches the regular expression `regex`. */
  public static regex(regex: string): HttpRoutePathMatch {
    return new HttpRouteWholePathMatch({ regex });
  }

  /**
   * The path starts with `prefix`; `/` matches every path.
   * @param prefix must start with `/`
   */
  public static startsWith(prefix: string): HttpRoutePathMatch {
    // An empty prefix passes here, as in aws-cdk-lib; rule path-starts-with-slash refuses it at synth.
    if (prefix && !Token.isUnresolved(prefix) && !prefix.startsWith('/')) {
      throw meshError('PrefixPathMustStartWithSlash', `Prefix Path for the match must start with '/', got: ${prefix}`);
    }
    return new HttpRoutePrefixPathMatch(prefix);
  }

  /** Render the matcher. */
  public abstract bind(scope: Construct): HttpRoutePathMatchConfig;
}

class HttpRoutePrefixPathMatch extends HttpRoutePathMatch {
  constructor(private readonly prefix: string) {
    super();
  }

  public bind(_scope: Construct): HttpRoutePathMatchConfig {
    return { prefixPathMatch: this.prefix };
  }
}

class HttpRouteWholePathMatch extends HttpRoutePathMatch {
  constructor(private readonly match: spec.HttpPathMatch) {
    super();
  }

  public bind(_scope: Construct): HttpRoutePathMatchConfig {
    return { wholePathMatch: this.match };
  }
}
