import { Construct } from 'constructs';
import * as spec from './spec';

/** What HeaderMatch.bind returns. */
export interface HeaderMatchConfig {
  /** The header (or gRPC metadata) matcher, App Mesh `HttpRouteHeader` shape. */
  readonly headerMatch: spec.HttpRouteHeader;
}

/**
 * A condition on one HTTP header, or on one gRPC metadata entry.
 * The `...Not...` forms match when the condition is false (`invert: true`).
 */
export abstract class HeaderMatch {
  /** The header's value is exactly `headerValue`. */
  public static valueIs(headerName: string, headerValue: string): HeaderMatch {
    return new HeaderMatchImpl(headerName, { exact: headerValue }, false);
  }

  /** The header's value is anything but `headerValue`. */
  public static valueIsNot(headerName: string, headerValue: string): HeaderMatch {
    return new HeaderMatchImpl(headerName, { exact: headerValue }, true);
  }

  /** The header's value starts with `prefix`. */
  public static valueStartsWith(headerName: string, prefix: string): HeaderMatch {
    return new HeaderMatchImpl(headerName, { prefix }, false);
  }

  /** The header's value does not start with `prefix`. */
  public static valueDoesNotStartWith(headerName: string, prefix: string): HeaderMatch {
    return new HeaderMatchImpl(headerName, { prefix }, true);
  }

  /** The header's value ends with `suffix`. */
  public static valueEndsWith(headerName: string, suffix: string): HeaderMatch {
    return new HeaderMatchImpl(headerName, { suffix }, false);
  }

  /** The header's value does not end with `suffix`. */
  public static valueDoesNotEndWith(headerName: string, suffix: string): HeaderMatch {
    return new HeaderMatchImpl(headerName, { suffix }, true);
  }

  /** The header's value matches the regular expression `regex`. */
  public static valueMatchesRegex(headerName: string, regex: string): HeaderMatch {
    return new HeaderMatchImpl(headerName, { regex }, false);
  }

  /** The header's value does not match the regular expression `regex`. */
  public static valueDoesNotMatchRegex(headerName: string, regex: string): HeaderMatch {
    return new HeaderMatchImpl(headerName, { regex }, true);
  }

  /** The header's value is an integer in `[start, end)`. */
  public static valuesIsInRange(headerName: string, start: number, end: number): HeaderMatch {
    return new HeaderMatchImpl(headerName, { range: { start, end } }, false);
  }

  /** The header's value is not an integer in `[start, end)`. */
  public static valuesIsNotInRange(headerName: string, start: number, end: number): HeaderMatch {
    return new HeaderMatchImpl(headerName, { range: { start, end } }, true);
  }

  /** Render the matcher. */
  public abstract bind(scope: Construct): HeaderMatchConfig;
}

class HeaderMatchImpl extends HeaderMatch {
  constructor(
    private readonly headerName: string,
    private readonly matchMethod: spec.HeaderMatchMethod,
    private readonly invert: boolean,
  ) {
    super();
  }

  public bind(_scope: Construct): HeaderMatchConfig {
    return { headerMatch: { name: this.headerName, invert: this.invert, match: this.matchMethod } };
  }
}
