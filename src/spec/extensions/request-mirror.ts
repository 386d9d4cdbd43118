/** A share of a route's requests copied to another virtual node; the copies' responses are dropped. */
export interface RequestMirrorPolicy {
  /** Virtual node that receives the copies (must exist in the mesh). */
  readonly virtualNode: string;
  /** Listener port of that node. Default: its only listener (required when it has several). */
  readonly port?: number;
  /** Share of requests copied, in percent (0–100, fractions allowed down to 0.0001). */
  readonly percentage: number;
}

/** Extension-schema definitions of request mirroring. */
export const REQUEST_MIRROR_SCHEMA_DEFS: Record<string, unknown> = {
  RequestMirrorPolicy: {
    type: 'object',
    additionalProperties: false,
    properties: {
      virtualNode: { $ref: '#/$defs/ResourceName' },
      port: { $ref: '#/$defs/ListenerPort' },
      percentage: { type: 'number', minimum: 0, maximum: 100 },
    },
    required: ['virtualNode', 'percentage'],
  },
};
