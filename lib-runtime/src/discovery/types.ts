/**
 * What endpoint discovery hands to translation: per virtual node name, the addresses where
 * that node's instances listen. Structurally the same as translate's `DiscoveredEndpoints`.
 */

export interface DiscoveredEndpoint {
  /** IPv4 or IPv6 literal. */
  readonly address: string;
  readonly port: number;
  /** Availability zone, when the source knows it (Cloud Map `AVAILABILITY_ZONE`). */
  readonly zone?: string;
  /** False when the source reports the instance unhealthy; absent = unknown (treated healthy). */
  readonly healthy?: boolean;
}

/**
 * Per virtual node name, its endpoints (sorted by address, then port). Discovery hands these out
 * with a null prototype, so any node name (`constructor`, `__proto__`) is only a key: read them
 * with `Object.hasOwn` or `Object.entries`, never `name in map`.
 */
export type DiscoveredEndpoints = Record<string, DiscoveredEndpoint[]>;

export type ChangeListener = (endpoints: DiscoveredEndpoints) => void;

/** Why a lookup failed: throttled by the API (backs off the same way, counted apart) or any other error. */
export type LookupErrorKind = 'throttled' | 'error';

/**
 * A failed lookup's kind, or `panic`: so many names failed at once that the source keeps every
 * last known endpoint rather than believe a mass deletion (reported once as it starts; see dns.ts).
 */
export type DiscoveryErrorKind = LookupErrorKind | 'panic';

export interface DiscoveryError {
  readonly source: 'static' | 'dns' | 'cloudmap';
  /** Virtual node whose lookup failed (absent for whole-source events: an unreadable static file, a DNS panic). */
  readonly virtualNodeName?: string;
  readonly kind: DiscoveryErrorKind;
  readonly error: unknown;
}

export type ErrorListener = (event: DiscoveryError) => void;

/**
 * One endpoint source. `setTargets` tells it which virtual nodes to look up (from the spec);
 * `onChange` fires with the full map only when some node's endpoints changed; a failed lookup
 * keeps that node's last known endpoints.
 */
export interface EndpointDiscovery {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  setTargets(targets: readonly DiscoveryTarget[]): void;
  onChange(listener: ChangeListener): () => void;
  onError(listener: ErrorListener): () => void;
  current(): DiscoveredEndpoints;
  /** True once every current target has had at least one answer (or none need one). */
  ready(): boolean;
}

export type IpPreference = 'IPv6_PREFERRED' | 'IPv4_PREFERRED' | 'IPv4_ONLY' | 'IPv6_ONLY';

/** A virtual node to discover, as the spec describes it. */
export interface DiscoveryTarget {
  readonly virtualNodeName: string;
  /** Listener ports, in spec order; the first is used when the answer carries no port. */
  readonly ports: readonly number[];
  readonly dns?: {
    readonly hostname: string;
    readonly responseType?: 'LOADBALANCER' | 'ENDPOINTS';
  };
  readonly cloudMap?: {
    readonly namespaceName: string;
    readonly serviceName: string;
    readonly attributes: Readonly<Record<string, string>>;
  };
  /** The node's preference, else the mesh's; absent = both families, IPv4 first. */
  readonly ipPreference?: IpPreference;
}
