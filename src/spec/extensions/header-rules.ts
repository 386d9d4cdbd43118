/** One header to write. */
export interface HeaderValueRule {
  /** Header name (lower case; not a `:` pseudo-header, not `host`). */
  readonly name: string;
  /** Value to write (Envoy's `%…%` substitutions apply). */
  readonly value: string;
  /**
   * How to write it: `APPEND` adds a value (keeping any already there), `SET` replaces them,
   * `ADD_IF_ABSENT` writes only when the header is missing.
   */
  readonly action: 'APPEND' | 'SET' | 'ADD_IF_ABSENT';
}

/** Request and response headers a route or gateway route adds, sets or removes. */
export interface HeaderRulesPolicy {
  /** Headers written on the request before it is forwarded. */
  readonly requestHeadersToAdd?: HeaderValueRule[];
  /** Headers removed from the request before it is forwarded. */
  readonly requestHeadersToRemove?: string[];
  /** Headers written on the response. */
  readonly responseHeadersToAdd?: HeaderValueRule[];
  /** Headers removed from the response. */
  readonly responseHeadersToRemove?: string[];
}

/** Extension-schema definitions of header rules. */
export const HEADER_RULES_SCHEMA_DEFS: Record<string, unknown> = {
  HeaderValueRule: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: { $ref: '#/$defs/PolicyHeaderName' },
      value: { type: 'string', maxLength: 16384 },
      action: { type: 'string', enum: ['APPEND', 'SET', 'ADD_IF_ABSENT'] },
    },
    required: ['name', 'value', 'action'],
  },
  HeaderRulesPolicy: {
    type: 'object',
    additionalProperties: false,
    properties: {
      requestHeadersToAdd: { type: 'array', items: { $ref: '#/$defs/HeaderValueRule' }, maxItems: 1000 },
      requestHeadersToRemove: { type: 'array', items: { $ref: '#/$defs/PolicyHeaderName' }, maxItems: 1000 },
      responseHeadersToAdd: { type: 'array', items: { $ref: '#/$defs/HeaderValueRule' }, maxItems: 1000 },
      responseHeadersToRemove: { type: 'array', items: { $ref: '#/$defs/PolicyHeaderName' }, maxItems: 1000 },
    },
    minProperties: 1,
  },
};
