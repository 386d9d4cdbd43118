import { Construct } from 'constructs';
import * as spec from '../spec';

/** What `HeaderRule.bind` returns: a header to write, or one to remove. */
export interface HeaderRuleConfig {
  /**
   * The header to write.
   * @default - the rule removes a header
   */
  readonly write?: spec.HeaderValueRule;
  /**
   * The header to remove.
   * @default - the rule writes a header
   */
  readonly remove?: string;
}

/**
 * One change to request or response headers on a route or gateway route. Header names are
 * lower case; pseudo-headers (`:path`…) and `host` cannot be changed (checked at synth).
 * Values may use Envoy's `%…%` substitutions (e.g. `%UPSTREAM_CLUSTER%`).
 */
export abstract class HeaderRule {
  /** Write `name: value`, replacing any value already there. */
  public static set(name: string, value: string): HeaderRule {
    return new WriteHeaderRule({ name, value, action: 'SET' });
  }

  /** Add `name: value`, keeping any value already there. */
  public static append(name: string, value: string): HeaderRule {
    return new WriteHeaderRule({ name, value, action: 'APPEND' });
  }

  /** Write `name: value` only when the header is missing. */
  public static addIfAbsent(name: string, value: string): HeaderRule {
    return new WriteHeaderRule({ name, value, action: 'ADD_IF_ABSENT' });
  }

  /** Remove the header `name`. */
  public static remove(name: string): HeaderRule {
    return new RemoveHeaderRule(name);
  }

  /** Render the rule. */
  public abstract bind(scope: Construct): HeaderRuleConfig;
}

class WriteHeaderRule extends HeaderRule {
  constructor(private readonly rule: spec.HeaderValueRule) {
    super();
  }

  public bind(_scope: Construct): HeaderRuleConfig {
    return { write: this.rule };
  }
}

class RemoveHeaderRule extends HeaderRule {
  constructor(private readonly name: string) {
    super();
  }

  public bind(_scope: Construct): HeaderRuleConfig {
    return { remove: this.name };
  }
}
