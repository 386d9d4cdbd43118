import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { meshError } from './private/errors';
import * as spec from './spec';

/**
 * What an HTTP gateway route path match contributes to the gateway route spec:
 * the match itself and, when asked for, how the matched path is rewritten.
 */
export interface HttpGatewayRoutePathMatchConfig {
  /**
   * Match on the whole path (exact or regex), rendered as `match.path`.
   *
   * @default - no whole-path match
   */
  readonly wholePathMatch?: spec.HttpPathMatch;

  /**
   * Match on a path prefix, rendered as `match.prefix`.
   *
   * @default - no prefix match
   */
  readonly prefixPathMatch?: string;

  /**
   * Replacement for a whole-path match, rendered as `action.rewrite.path`.
   *
   * @default - the path is forwarded unchanged
   */
  readonly wholePathRewrite?: spec.HttpGatewayRoutePathRewrite;

  /**
   * Replacement for a matched prefix, rendered as `action.rewrite.prefix`.
   *
   * @default - the service default: the matched prefix is rewritten to `/`
   */
  readonly prefixPathRewrite?: spec.HttpGatewayRoutePrefixRewrite;
}

/**
 * How an HTTP or HTTP/2 gateway route matches the request path, and how it
 * rewrites the path before forwarding to the target virtual service.
 */
export abstract class HttpGatewayRoutePathMatch {
  /**
   * Matches paths that start with `prefix`.
   *
   * Without `rewriteTo` the service default applies: the matched prefix is replaced by `/`.
   * `rewriteTo: ''` keeps the path as received; any other value replaces the matched prefix
   * and must start and end with `/` (the match prefix must then end with `/` too).
   *
   * @param prefix the path prefix to match; must start with `/`
   * @param rewriteTo what the matched prefix becomes
   */
  public static startsWith(prefix: string, rewriteTo?: string): HttpGatewayRoutePathMatch {
    return new PrefixGatewayPathMatch(prefix, rewriteTo);
  }

  /**
   * Matches one exact path.
   *
   * @param path the whole path to match; must start with `/`
   * @param rewriteTo the path sent to the target instead; must start with `/`
   */
  public static exactly(path: string, rewriteTo?: string): HttpGatewayRoutePathMatch {
    // As in aws-cdk-lib, an empty path passes here; the spec schema refuses it at synth.
    if (path) checkLeadingSlash('HttpGatewayRoutePathMatch.exactly', 'ExactPathMustStartWithSlash', 'Exact Path for the match', path);
    return new WholeGatewayPathMatch({ exact: path }, 'HttpGatewayRoutePathMatch.exactly', rewriteTo);
  }

  /**
   * Matches paths against a regular expression.
   *
   * @param regex the regular expression the whole path must match
   * @param rewriteTo the path sent to the target instead; must start with `/`
   */
  public static regex(regex: string, rewriteTo?: string): HttpGatewayRoutePathMatch {
    return new WholeGatewayPathMatch({ regex }, 'HttpGatewayRoutePathMatch.regex', rewriteTo);
  }

  /** Renders the match (and rewrite) for the gateway route being built in `scope`. */
  public abstract bind(scope: Construct): HttpGatewayRoutePathMatchConfig;
}

class PrefixGatewayPathMatch extends HttpGatewayRoutePathMatch {
  constructor(private readonly prefix: string, private readonly rewriteTo?: string) {
    super();
    const where = 'HttpGatewayRoutePathMatch.startsWith';
    checkLeadingSlash(where, 'PrefixPathMustStartWithSlash', 'Prefix path for the match', prefix);
    // '' keeps the matched prefix and, as in aws-cdk-lib, asks nothing of the prefix.
    if (!rewriteTo || Token.isUnresolved(rewriteTo)) {
      return;
    }
    if (!Token.isUnresolved(prefix) && !prefix.endsWith('/')) {
      throw meshError('PrefixPathMustEndWithSlash', `${where}: When prefix path for the rewrite is specified, prefix path for the match must end with '/', got: ${prefix}`);
    }
    if (!rewriteTo.startsWith('/') || !rewriteTo.endsWith('/')) {
      throw meshError('PrefixPathRewriteMustStartAndEndWithSlash', `${where}: Prefix path for the rewrite must start and end with '/', got: ${rewriteTo}`);
    }
  }

  public bind(_scope: Construct): HttpGatewayRoutePathMatchConfig {
    return {
      prefixPathMatch: this.prefix,
      prefixPathRewrite: this.renderRewrite(),
    };
  }

  private renderRewrite(): spec.HttpGatewayRoutePrefixRewrite | undefined {
    if (this.rewriteTo === undefined) {
      return undefined;
    }
    // '' asks to keep the matched prefix, which App Mesh expresses by turning its default off.
    return this.rewriteTo === '' ? { defaultPrefix: 'DISABLED' } : { value: this.rewriteTo };
  }
}

class WholeGatewayPathMatch extends HttpGatewayRoutePathMatch {
  constructor(private readonly match: spec.HttpPathMatch, where: string, private readonly rewriteTo?: string) {
    super();
    if (rewriteTo === undefined || Token.isUnresolved(rewriteTo)) {
      return;
    }
    if (rewriteTo === '') {
      // Unlike prefixes there is no service default for a whole-path rewrite to fall back on.
      throw meshError('ExactPathRewriteCannotBeEmpty', `${where}: Exact Path for the rewrite cannot be empty. Unlike startsWith() method, no automatic rewrite on whole path match (omit rewriteTo to forward the path unchanged)`);
    }
    if (!rewriteTo.startsWith('/')) {
      throw meshError('ExactPathRewriteMustStartWithSlash', `${where}: Exact Path for the rewrite must start with '/', got: ${rewriteTo}`);
    }
  }

  public bind(_scope: Construct): HttpGatewayRoutePathMatchConfig {
    return {
      wholePathMatch: this.match,
      wholePathRewrite: this.rewriteTo === undefined ? undefined : { exact: this.rewriteTo },
    };
  }
}

/**
 * aws-cdk-lib's one check on a match path at this call. Lengths and reserved paths are App Mesh's
 * to refuse: the spec schema and the rule gateway-reserved-names report them at synth.
 */
function checkLeadingSlash(where: string, code: string, what: string, path: string): void {
  if (!Token.isUnresolved(path) && !path.startsWith('/')) {
    throw meshError(code, `${where}: ${what} must start with '/', got: ${path}`);
  }
}
