/**
 * The answer `simulate` gives: plain data, written as text or JSON by `report.ts`. Everything in
 * it was read from the rendered xDS resources (names, matchers, weights, policies).
 */

/** Which rendering was walked, and whose matching rules apply. */
export type SimView = 'envoy' | 'proxyless';

export type Outcome = 'routed' | 'no-route' | 'refused';

/** One check of a route's match: path, a header, a query parameter, a runtime fraction. */
export interface MatchCheck {
  readonly ok: boolean;
  /** `prefix "/admin/" vs path "/items/42"`. */
  readonly text: string;
}

/** A route tried in order. */
export interface RouteVerdict {
  /** Route name, or `#<index>` when the route has none. */
  readonly name: string;
  readonly matched: boolean;
  readonly checks: readonly MatchCheck[];
  /** A runtime fraction: the route matches only this share of requests. */
  readonly probability?: number;
}

/** What the chosen route does to the request before it leaves this hop. */
export interface Rewrite {
  readonly path?: { readonly from: string; readonly to: string; readonly by: string };
  readonly authority?: { readonly from: string; readonly to: string };
  readonly headersAdded?: readonly string[];
  readonly headersRemoved?: readonly string[];
}

export interface RetryInEffect {
  readonly retryOn: readonly string[];
  readonly numRetries: number;
  readonly perTryTimeout?: string;
  readonly retriableStatusCodes?: readonly number[];
  /** Other settings, each in words (host predicates, back-off). */
  readonly notes: readonly string[];
}

export interface PolicyInEffect {
  /** The request's deadline at this hop, in words (`15 s`, `none (the application's deadline)`). */
  readonly timeout: string;
  readonly idleTimeout?: string;
  /** Undefined when the route has no retry policy (or, for a gRPC client, none it can apply). */
  readonly retry?: RetryInEffect;
}

/** One pass through a listener of the node (a gateway makes two: its listener, then its own 15001). */
export interface Hop {
  readonly listener: string;
  /** How the connection reached this listener. */
  readonly entry: string;
  readonly filterChain?: string;
  /** The request as this hop sees it. */
  readonly request: { readonly method: string; readonly authority: string; readonly path: string };
  /** Path normalisation the connection manager applied before routing. */
  readonly normalizedPath?: string;
  readonly routeConfiguration?: string;
  readonly virtualHost?: { readonly name: string; readonly domains: readonly string[]; readonly matchedBy: string };
  /** Routes in order, up to and including the first match. */
  readonly routes: readonly RouteVerdict[];
  /** Routes after the match, never tried (first match wins). */
  readonly notTried: number;
  readonly route?: string;
  readonly rewrite?: Rewrite;
  readonly policy?: PolicyInEffect;
  /** What the route also does, in words (mirroring, fault injection, rate limits); not simulated. */
  readonly also?: readonly string[];
  /** TCP proxy chains: no HTTP routing happens. */
  readonly tcpProxy?: { readonly idleTimeout?: string };
  /** Where the request goes next when it stays on this node (a gateway's self-redirect). */
  readonly next?: string;
}

/** A cluster the request may reach, with its share. */
export interface Target {
  readonly cluster: string;
  readonly weight: number;
  /** weight / sum of the route's weights. */
  readonly probability: number;
  /** The mesh resource behind the cluster, when its name is one of the spec's. */
  readonly virtualNode?: string;
  readonly port?: number;
  readonly protocol?: string;
  /** `EDS (3 endpoints: …)`, `LOGICAL_DNS catalog-v1.store.local:8080`, … */
  readonly discovery: string;
  readonly endpoints?: readonly string[];
  readonly tls?: string;
  readonly outlierDetection?: string;
  readonly healthCheck?: string;
  readonly connectTimeout?: string;
}

export interface Simulation {
  readonly request: string;
  readonly nodeId: string;
  readonly view: SimView;
  /** Whose matching rules were applied, in words (`Envoy's rules`, `a gRPC client's rules (…)`). */
  readonly semantics: string;
  readonly meshVersion: string;
  readonly outcome: Outcome;
  /** Why the request was not routed. */
  readonly reason?: string;
  readonly hops: readonly Hop[];
  readonly targets: readonly Target[];
  /** Remarks that change how to read the answer (client differences, unknowns). */
  readonly notes: readonly string[];
}
