/**
 * Incremental ADS (DeltaAggregatedResources) for one stream.
 *
 * Per type the stream keeps the subscription (explicit names, wildcard) and the version of each
 * resource the client holds (from initial_resource_versions on a reconnect, then from what was
 * sent). A response carries only resources whose version differs, and removed_resources lists
 * deleted resources and subscribed names that do not exist. Subscription changes count even when
 * the request's nonce is stale; only the ACK/NACK part of such a request is ignored.
 */
import type { XdsTypeStatus } from './events';
import { frameDeltaResponse } from './framing';
import type { CachedResource, TypeSnapshot } from './resource-cache';
import { allowsLegacyWildcard, CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL } from './type-urls';
import { type DecodedRequest, type PlannedResponse, type TypeStateBase, XdsStream } from './xds-stream';

/** Marks a name the client was told does not exist. */
const ABSENT = null;

interface DeltaTypeState extends TypeStateBase {
  names: Set<string>;
  /** Resource version the client holds, or ABSENT once told the name does not exist. */
  known: Map<string, string | null>;
}

function newState(): DeltaTypeState {
  return {
    requested: true,
    settled: undefined,
    wildcard: false,
    names: new Set(),
    lastNonce: undefined,
    sentVersion: undefined,
    sentAt: undefined,
    ackedVersion: undefined,
    lastNack: undefined,
    known: new Map(),
  };
}

export class DeltaStream extends XdsStream {
  private readonly states = new Map<string, DeltaTypeState>();

  typeStatus(): XdsTypeStatus[] {
    return [...this.states.entries()].map(([typeUrl, s]) => this.describeType(typeUrl, s, [...s.known.values()].filter((v) => v !== ABSENT).length));
  }

  protected applyRequest(typeUrl: string, request: DecodedRequest): void {
    let state = this.states.get(typeUrl);
    const first = !state;
    if (!state) {
      state = newState();
      this.states.set(typeUrl, state);
    }
    const nonce = typeof request.response_nonce === 'string' ? request.response_nonce : '';
    const subscribe = Array.isArray(request.resource_names_subscribe) ? (request.resource_names_subscribe as string[]) : [];
    const unsubscribe = Array.isArray(request.resource_names_unsubscribe) ? (request.resource_names_unsubscribe as string[]) : [];
    const isNack = request.error_detail !== undefined && request.error_detail !== null;
    const stale = nonce !== '' && nonce !== state.lastNonce;
    const kind = nonce === '' ? 'initial' : stale ? 'stale' : isNack ? 'nack' : 'ack';
    this.host.onRequest(this.info!, { typeUrl, kind, versionInfo: '', nonce, resourceNames: subscribe, unsubscribed: unsubscribe });

    if (!stale && nonce !== '') {
      this.answered(nonce);
      if (isNack) this.recordNack(typeUrl, state, request, state.ackedVersion ?? '', nonce);
      else this.recordAck(typeUrl, state, nonce);
    }

    if (first) {
      // Reconnect: the client says what it already has; only differences are sent (X25).
      const initial = (request.initial_resource_versions ?? {}) as Record<string, unknown>;
      for (const [name, version] of Object.entries(initial)) {
        if (typeof version === 'string') state.known.set(name, version);
      }
      if (subscribe.length === 0 && allowsLegacyWildcard(typeUrl)) state.wildcard = true;
    }
    // Keep the snapshot's copy of a name where there is one, not the request's.
    const resources = this.host.snapshot(this.info!.group, typeUrl)?.resources;
    for (const name of subscribe) {
      if (name === '*') state.wildcard = true;
      else state.names.add(resources?.get(name)?.name ?? name);
    }
    state.settled = undefined;
    for (const name of unsubscribe) {
      if (name === '*') {
        state.wildcard = false;
        for (const held of [...state.known.keys()]) if (!state.names.has(held)) state.known.delete(held);
      } else {
        state.names.delete(name);
        if (!state.wildcard) state.known.delete(name);
      }
    }
  }

  private subscribed(state: DeltaTypeState, name: string): boolean {
    return state.wildcard || state.names.has(name);
  }

  protected planAddition(typeUrl: string, snapshot: TypeSnapshot): PlannedResponse | undefined {
    const state = this.states.get(typeUrl);
    if (!state || state.settled === snapshot) return undefined;
    const changed: CachedResource[] = [];
    const consider = (r: CachedResource | undefined): void => {
      if (r && state.known.get(r.name) !== r.version) changed.push(r);
    };
    if (state.wildcard) {
      for (const r of snapshot.resources.values()) consider(r);
    } else {
      for (const name of state.names) consider(snapshot.resources.get(name));
    }
    if (changed.length === 0) return undefined;
    return this.plan(typeUrl, state, snapshot, changed, []);
  }

  protected planRemoval(typeUrl: string, snapshot: TypeSnapshot): PlannedResponse | undefined {
    const state = this.states.get(typeUrl);
    if (!state || state.settled === snapshot) return undefined;
    const removed: string[] = [];
    // Deleted resources the client still holds.
    for (const [name, version] of state.known) {
      if (version !== ABSENT && !snapshot.resources.has(name) && this.subscribed(state, name)) removed.push(name);
    }
    // Subscribed names that do not exist and the client was not told about yet.
    for (const name of state.names) {
      if (!snapshot.resources.has(name) && !state.known.has(name)) removed.push(name);
    }
    if (removed.length === 0) {
      state.settled = snapshot; // nothing to add (checked first) and nothing to remove
      return undefined;
    }
    return this.plan(typeUrl, state, snapshot, [], removed);
  }

  private plan(typeUrl: string, state: DeltaTypeState, snapshot: TypeSnapshot, resources: CachedResource[], removed: string[]): PlannedResponse {
    const version = snapshot.version;
    const controlPlaneId = this.host.controlPlaneId;
    return {
      typeUrl,
      version,
      resourceNames: resources.map((r) => r.name),
      removedResources: removed,
      contentKey: () => `${typeUrl}\n${version}\n${resources.map((r) => r.name).join('\n')}\n-\n${removed.join('\n')}`,
      frame: (nonce) => frameDeltaResponse({
        systemVersionInfo: version,
        typeUrl,
        nonce,
        resources,
        removedResources: removed,
        ...(controlPlaneId ? { controlPlaneId } : {}),
      }),
      commit: (nonce) => {
        if (typeUrl === CLUSTER_TYPE_URL) this.forceEndpointsOf(resources);
        for (const r of resources) state.known.set(r.name, r.version);
        for (const name of removed) state.known.set(name, ABSENT);
        state.settled = undefined;
        state.lastNonce = nonce;
        state.sentVersion = version;
        state.sentAt = Date.now();
      },
    };
  }

  protected clustersAwaitingEndpointSubscription(): number | undefined {
    const clusters = this.states.get(CLUSTER_TYPE_URL);
    const endpoints = this.states.get(ENDPOINT_TYPE_URL);
    if (!clusters?.sentAt || !endpoints || endpoints.wildcard) return undefined;
    if (clusters.lastNack && clusters.lastNack.nonce === clusters.lastNonce) return undefined;
    const clusterSnapshot = this.host.snapshot(this.info!.group, CLUSTER_TYPE_URL);
    const endpointSnapshot = this.host.snapshot(this.info!.group, ENDPOINT_TYPE_URL);
    if (!clusterSnapshot || !endpointSnapshot) return undefined;
    for (const [name, version] of clusters.known) {
      const cluster = clusterSnapshot.resources.get(name);
      if (!cluster || cluster.version !== version || cluster.edsName === undefined) continue;
      if (!endpoints.names.has(cluster.edsName) && endpointSnapshot.resources.has(cluster.edsName)) return clusters.sentAt;
    }
    return undefined;
  }

  /** Envoy warms a changed cluster only on a fresh EDS response: forget the endpoints it holds (X21). */
  private forceEndpointsOf(clusters: CachedResource[]): void {
    const endpoints = this.states.get(ENDPOINT_TYPE_URL);
    if (!endpoints) return;
    for (const cluster of clusters) {
      if (cluster.edsName !== undefined && endpoints.known.get(cluster.edsName) !== ABSENT) endpoints.known.delete(cluster.edsName);
    }
    endpoints.settled = undefined;
  }
}
