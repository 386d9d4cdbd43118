/**
 * Bounds on what a peer can make the server hold before (and after) it is authorized: the node it
 * presents, the names it asks for, the streams it opens. A stream that exceeds one is ended with a
 * gRPC status naming the limit, before anything keeps its node.
 */

export interface XdsLimits {
  /** Encoded size of the Node in a stream's first request, in bytes. */
  readonly maxNodeBytes: number;
  /** Length of node.id, in characters. */
  readonly maxNodeIdLength: number;
  /** Nesting depth of node.metadata (each Struct or list value is one level; metadata itself is 1). */
  readonly maxMetadataDepth: number;
  /** resource_names (SotW), or subscribe + unsubscribe + initial_resource_versions (delta), per request. */
  readonly maxResourceNamesPerRequest: number;
  /** Concurrent ADS streams on one HTTP/2 connection (one remote address and port). */
  readonly maxStreamsPerConnection: number;
  /** Concurrent ADS streams in total. */
  readonly maxStreams: number;
}

export const DEFAULT_XDS_LIMITS: XdsLimits = {
  maxNodeBytes: 256 * 1024,
  maxNodeIdLength: 1024,
  maxMetadataDepth: 16,
  maxResourceNamesPerRequest: 20000,
  maxStreamsPerConnection: 16,
  maxStreams: 20000,
};

/** The command-line flag that sets each limit, named in refusals so an operator knows what to raise. */
export const XDS_LIMIT_FLAGS: Readonly<Record<keyof XdsLimits, string>> = {
  maxNodeBytes: '--max-node-bytes',
  maxNodeIdLength: '--max-node-id-length',
  maxMetadataDepth: '--max-metadata-depth',
  maxResourceNamesPerRequest: '--max-resource-names-per-request',
  maxStreamsPerConnection: '--max-streams-per-connection',
  maxStreams: '--max-streams',
};

/** The defaults with `overrides` applied; throws naming the option when a value is not a positive integer. */
export function resolveXdsLimits(overrides: Partial<XdsLimits> = {}): XdsLimits {
  const limits = { ...DEFAULT_XDS_LIMITS };
  for (const key of Object.keys(DEFAULT_XDS_LIMITS) as Array<keyof XdsLimits>) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(`limits.${key} (${XDS_LIMIT_FLAGS[key]}) must be a positive integer, got ${String(value)}`);
    }
    limits[key] = value;
  }
  return limits;
}

/** The sentence a refusal ends with: "the limit is 1024 (--max-node-id-length)". */
export function limitClause(limits: XdsLimits, key: keyof XdsLimits): string {
  return `the limit is ${limits[key]} (${XDS_LIMIT_FLAGS[key]})`;
}
