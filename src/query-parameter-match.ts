import { Construct } from 'constructs';
import * as spec from './spec';

/** What QueryParameterMatch.bind returns. */
export interface QueryParameterMatchConfig {
  /** The matcher, App Mesh `HttpQueryParameter` shape. */
  readonly queryParameterMatch: spec.HttpQueryParameter;
}

/** A condition on one query parameter of an HTTP request. */
export abstract class QueryParameterMatch {
  /** The query parameter's value is exactly `queryParameterValue`. */
  public static valueIs(queryParameterName: string, queryParameterValue: string): QueryParameterMatch {
    return new QueryParameterMatchImpl({ name: queryParameterName, match: { exact: queryParameterValue } });
  }

  /** Render the matcher. */
  public abstract bind(scope: Construct): QueryParameterMatchConfig;
}

class QueryParameterMatchImpl extends QueryParameterMatch {
  constructor(private readonly queryParameter: spec.HttpQueryParameter) {
    super();
  }

  public bind(_scope: Construct): QueryParameterMatchConfig {
    return { queryParameterMatch: this.queryParameter };
  }
}
