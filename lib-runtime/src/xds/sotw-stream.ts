/**
 * State-of-the-World ADS (StreamAggregatedResources) for one stream.
 *
 * Per type the stream remembers the subscription (names, wildcard) and what the client holds
 * (the resources of the responses sent, whatever the client answered: a NACKed version is never
 * pushed again, and a corrected one is). Listeners and clusters are always sent as the full
 * subscribed set; routes, endpoints and secrets only where they changed.
 */
import type { XdsTypeStatus } from './events';
import { frameSotwResponse } from './framing';
import { type CachedResource, type TypeSnapshot, versionOfSet } from './resource-cache';
import { allowsLegacyWildcard, CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, isFullStateType } from './type-urls';
import { type DecodedRequest, type PlannedResponse, type TypeStateBase, XdsStream } from './xds-stream';

interface SotwTypeState extends TypeStateBase {
  /** The client once sent a non-empty name list: an empty list no longer means wildcard. */
  everNamed: boolean;
  /** What the client holds, by name, as of the last response. */
  held: Map<string, CachedResource>;
  /** Names to send even if unchanged (newly subscribed; endpoints of a changed cluster). */
  force: Set<string>;
  /** A new stream: send the full subscribed state on the first occasion. */
  resendAll: boolean;
  /** The last response of this type was NACKed (and nothing was sent since). */
  afterNack: boolean;
}

function newState(): SotwTypeState {
  return {
    requested: false,
    wildcard: false,
    names: new Set(),
    everNamed: false,
    held: new Map(),
    force: new Set(),
    resendAll: false,
    afterNack: false,
  };
}

export class SotwStream extends XdsStream {
  private readonly states = new Map<string, SotwTypeState>();

  typeStatus(): XdsTypeStatus[] {
    return [...this.states.entries()].map(([typeUrl, s]) => this.describeType(typeUrl, s, s.held.size));
  }

  protected applyRequest(typeUrl: string, request: DecodedRequest): void {
    let state = this.states.get(typeUrl);
    if (!state) {
      state = newState();
      this.states.set(typeUrl, state);
    }
    let nonce = typeof request.response_nonce === 'string' ? request.response_nonce : '';
    // version_info may be absent on a first request (proto3 default): same as ''.
    const versionInfo = typeof request.version_info === 'string' ? request.version_info : '';
    const names = Array.isArray(request.resource_names) ? (request.resource_names as string[]) : [];
    const isNack = request.error_detail !== undefined && request.error_detail !== null;
    // A nonce this stream never issued for the type (nothing sent yet) counts as no nonce.
    if (state.lastNonce === undefined) nonce = '';
    const stale = nonce !== '' && nonce !== state.lastNonce;
    const kind = stale ? 'stale' : nonce === '' ? 'initial' : isNack ? 'nack' : 'ack';
    this.host.onRequest(this.info!, { typeUrl, kind, versionInfo, nonce, resourceNames: names });
    // A newer response of this type is on its way; this request is superseded (X12).
    if (stale) return;

    if (nonce !== '') {
      this.answered(nonce);
      if (isNack) {
        this.recordNack(typeUrl, state, request, versionInfo, nonce);
        state.afterNack = true;
      } else {
        this.recordAck(typeUrl, state, nonce);
        state.afterNack = false;
      }
    }
    this.updateSubscription(typeUrl, state, names);
    state.settled = undefined;
    if (!state.requested) {
      // First request of this type on this stream (new client or reconnect): serve full state,
      // whatever version the client says it has (X23).
      state.requested = true;
      state.resendAll = true;
    }
  }

  private updateSubscription(typeUrl: string, state: SotwTypeState, names: string[]): void {
    const wasWildcard = state.wildcard;
    const star = names.includes('*');
    state.wildcard = star || (names.length === 0 && !state.everNamed && allowsLegacyWildcard(typeUrl));
    if (names.length > 0) state.everNamed = true;
    // Most requests are ACKs repeating the same names: nothing to update.
    if (state.wildcard === wasWildcard && names.length - (star ? 1 : 0) === state.names.size && names.every((n) => n === '*' || state.names.has(n))) return;
    const explicit = new Set(names.filter((n) => n !== '*'));
    for (const name of explicit) {
      if (!state.names.has(name)) state.force.add(name); // X14: send a newly named resource even if unchanged
    }
    // The client drops resources it no longer subscribes to; forget we sent them (X15).
    if (!state.wildcard) {
      for (const name of [...state.held.keys()]) {
        if (!explicit.has(name) && (wasWildcard || state.names.has(name))) state.held.delete(name);
      }
    }
    state.names = explicit;
  }

  private subscribed(state: SotwTypeState, name: string): boolean {
    return state.wildcard || state.names.has(name);
  }

  /** The resources of the snapshot the client subscribes to. */
  private desired(state: SotwTypeState, snapshot: TypeSnapshot): CachedResource[] {
    if (state.wildcard) return [...snapshot.resources.values()];
    const out: CachedResource[] = [];
    for (const name of state.names) {
      const r = snapshot.resources.get(name);
      if (r) out.push(r);
    }
    return out;
  }

  protected planAddition(typeUrl: string, snapshot: TypeSnapshot): PlannedResponse | undefined {
    const state = this.states.get(typeUrl);
    if (!state?.requested || state.settled === snapshot) return undefined;
    const desired = this.desired(state, snapshot);
    const changed = desired.filter((r) => state.held.get(r.name)?.version !== r.version || state.force.has(r.name));
    if (isFullStateType(typeUrl)) {
      // Full state: a first response is due even when empty (it tells the client what exists).
      if (changed.length === 0 && !state.resendAll) return undefined;
      // Keep resources that are going away until the removal phase (make-before-break, X20).
      const leaving = [...state.held.values()].filter((r) => !snapshot.resources.has(r.name) && this.subscribed(state, r.name));
      return this.plan(typeUrl, state, snapshot, desired.concat(leaving), changed);
    }
    if (changed.length === 0) return undefined;
    // Only what changed: resources the client rejected are not sent again at the rejected version
    // (gRPC and Envoy keep the valid resources of a partly rejected response).
    return this.plan(typeUrl, state, snapshot, changed, changed);
  }

  protected planRemoval(typeUrl: string, snapshot: TypeSnapshot): PlannedResponse | undefined {
    const state = this.states.get(typeUrl);
    if (!state?.requested || state.settled === snapshot) return undefined;
    // SotW RDS/EDS have no deletion signal
    const leaving = isFullStateType(typeUrl)
      && [...state.held.values()].some((r) => !snapshot.resources.has(r.name) && this.subscribed(state, r.name));
    if (!leaving) {
      state.settled = snapshot; // nothing to add (checked first) and nothing to remove
      return undefined;
    }
    // The next full-state response simply omits them (X22).
    return this.plan(typeUrl, state, snapshot, this.desired(state, snapshot), []);
  }

  private plan(
    typeUrl: string, state: SotwTypeState, snapshot: TypeSnapshot, resources: CachedResource[], changed: CachedResource[],
  ): PlannedResponse {
    const fullState = isFullStateType(typeUrl);
    // Full state: the version names exactly the set sent (the group version when it is the whole
    // snapshot), so it changes only when this client's content does (X19).
    const version = !fullState || (resources.length === snapshot.resources.size && resources.every((r) => snapshot.resources.get(r.name) === r))
      ? snapshot.version
      : versionOfSet(resources);
    const controlPlaneId = this.host.controlPlaneId;
    return {
      typeUrl,
      version,
      resourceNames: resources.map((r) => r.name),
      contentKey: () => `${typeUrl}\n${version}\n${resources.map((r) => r.name).join('\n')}`,
      frame: (nonce) => frameSotwResponse({ versionInfo: version, typeUrl, nonce, resources, ...(controlPlaneId ? { controlPlaneId } : {}) }),
      commit: (nonce) => {
        if (typeUrl === CLUSTER_TYPE_URL) this.forceEndpointsOf(changed);
        if (fullState) state.held = new Map(resources.map((r) => [r.name, r]));
        else for (const r of resources) state.held.set(r.name, r);
        state.force.clear();
        state.settled = undefined;
        state.resendAll = false;
        state.afterNack = false;
        state.lastNonce = nonce;
        state.sentVersion = version;
        state.sentAt = Date.now();
      },
    };
  }

  protected clustersAwaitingEndpointSubscription(): number | undefined {
    const clusters = this.states.get(CLUSTER_TYPE_URL);
    const endpoints = this.states.get(ENDPOINT_TYPE_URL);
    // Only clients that use EDS at all, and not after the clusters were rejected.
    if (!clusters?.sentAt || !endpoints?.requested || endpoints.wildcard || clusters.afterNack) return undefined;
    const snapshot = this.host.snapshot(this.info!.group, ENDPOINT_TYPE_URL);
    if (!snapshot) return undefined;
    for (const cluster of clusters.held.values()) {
      const edsName = cluster.edsName;
      if (edsName !== undefined && !endpoints.names.has(edsName) && snapshot.resources.has(edsName)) return clusters.sentAt;
    }
    return undefined;
  }

  /** Envoy warms a changed cluster only on a fresh EDS response: re-send its endpoints (X21). */
  private forceEndpointsOf(clusters: CachedResource[]): void {
    const endpoints = this.states.get(ENDPOINT_TYPE_URL);
    if (!endpoints) return;
    for (const cluster of clusters) {
      if (cluster.edsName !== undefined) endpoints.force.add(cluster.edsName);
    }
    endpoints.settled = undefined;
  }
}
