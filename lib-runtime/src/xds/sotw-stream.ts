/**
 * State-of-the-World ADS (StreamAggregatedResources) for one stream.
 *
 * Per type the stream remembers the subscription (names, wildcard) and what the client holds
 * (the resources of the responses sent, whatever the client answered: a NACKed version is never
 * pushed again, and a corrected one is). Listeners and clusters are always sent as the full
 * subscribed set; routes, endpoints and secrets only where they changed.
 *
 * Memory: a server holds thousands of these, most of them alike (the streams of one group
 * subscribe to the same names and hold the same resources), so the state avoids private copies
 * where it can: names are the snapshot's strings, not the request's; what a client holds is the
 * snapshot's own (immutable) map whenever it holds exactly that snapshot, copied only when it
 * diverges; empty sets are shared constants.
 */
import type { XdsTypeStatus } from './events';
import { frameSotwResponse } from './framing';
import { type CachedResource, type TypeSnapshot, versionOfSet } from './resource-cache';
import { allowsLegacyWildcard, CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, isFullStateType } from './type-urls';
import { type DecodedRequest, type PlannedResponse, type TypeStateBase, XdsStream } from './xds-stream';

interface SotwTypeState extends TypeStateBase {
  /** The client once sent a non-empty name list: an empty list no longer means wildcard. */
  everNamed: boolean;
  /**
   * What the client holds, by name, as of the last response. While `heldShared`, this map is not
   * the stream's own (a snapshot's resources, or the empty constant) and must not be modified:
   * ownHeld() copies it first.
   */
  held: ReadonlyMap<string, CachedResource>;
  heldShared: boolean;
  /** Names to send even if unchanged (newly subscribed; endpoints of a changed cluster); undefined when none. */
  force: Set<string> | undefined;
  /** A new stream: send the full subscribed state on the first occasion. */
  resendAll: boolean;
  /** The last response of this type was NACKed (and nothing was sent since). */
  afterNack: boolean;
  /**
   * The snapshot for which nothing was to add or change (there may be something to remove):
   * the addition check is skipped until it or the state changes (see unsettle). The pump asks
   * every type in turn after each request, and recomputing a wildcard type's set each time was
   * most of what planning allocated.
   */
  quiet: TypeSnapshot | undefined;
}

const NO_NAMES: ReadonlySet<string> = new Set();
const NOTHING_HELD: ReadonlyMap<string, CachedResource> = new Map();

function newState(): SotwTypeState {
  return {
    requested: false,
    settled: undefined,
    wildcard: false,
    names: NO_NAMES,
    lastNonce: undefined,
    sentVersion: undefined,
    sentAt: undefined,
    ackedVersion: undefined,
    lastNack: undefined,
    everNamed: false,
    held: NOTHING_HELD,
    heldShared: true,
    force: undefined,
    resendAll: false,
    afterNack: false,
    quiet: undefined,
  };
}

/** The state changed: plan its type again. */
function unsettle(state: SotwTypeState): void {
  state.settled = undefined;
  state.quiet = undefined;
}

/** The held map of a state, made the stream's own first if it is shared. */
function ownHeld(state: SotwTypeState): Map<string, CachedResource> {
  if (state.heldShared) {
    state.held = new Map(state.held);
    state.heldShared = false;
  }
  return state.held as Map<string, CachedResource>;
}

/** Whether a held map has exactly the resources of a snapshot (same names, same versions' objects). */
function holdsExactly(held: ReadonlyMap<string, CachedResource>, snapshot: TypeSnapshot): boolean {
  if (held.size !== snapshot.resources.size) return false;
  for (const r of held.values()) if (snapshot.resources.get(r.name) !== r) return false;
  return true;
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
    unsettle(state);
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
    // The snapshot's copy of each name where it has one: the request's copies would be this stream's alone.
    const resources = this.host.snapshot(this.info!.group, typeUrl)?.resources;
    let explicit: Set<string> | undefined;
    for (const name of names) {
      if (name !== '*') (explicit ??= new Set()).add(resources?.get(name)?.name ?? name);
    }
    const next: ReadonlySet<string> = explicit ?? NO_NAMES;
    for (const name of next) {
      if (!state.names.has(name)) (state.force ??= new Set()).add(name); // X14: send a newly named resource even if unchanged
    }
    // The client drops resources it no longer subscribes to; forget we sent them (X15).
    if (!state.wildcard) {
      const dropped = [...state.held.keys()].filter((name) => !next.has(name) && (wasWildcard || state.names.has(name)));
      if (dropped.length > 0) {
        const held = ownHeld(state);
        for (const name of dropped) held.delete(name);
      }
    }
    state.names = next;
  }

  private subscribed(state: SotwTypeState, name: string): boolean {
    return state.wildcard || state.names.has(name);
  }

  /** Subscribed resources the client holds that the snapshot no longer has; undefined when none. */
  private leaving(state: SotwTypeState, snapshot: TypeSnapshot): CachedResource[] | undefined {
    let leaving: CachedResource[] | undefined;
    for (const r of state.held.values()) {
      if (!snapshot.resources.has(r.name) && this.subscribed(state, r.name)) (leaving ??= []).push(r);
    }
    return leaving;
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

  /** Subscribed resources of the snapshot the client does not hold at their version, or must get again; undefined when none. */
  private changed(state: SotwTypeState, snapshot: TypeSnapshot): CachedResource[] | undefined {
    let changed: CachedResource[] | undefined;
    const consider = (r: CachedResource): void => {
      if (state.held.get(r.name)?.version !== r.version || state.force?.has(r.name) === true) (changed ??= []).push(r);
    };
    if (state.wildcard) {
      for (const r of snapshot.resources.values()) consider(r);
    } else {
      for (const name of state.names) {
        const r = snapshot.resources.get(name);
        if (r) consider(r);
      }
    }
    return changed;
  }

  protected planAddition(typeUrl: string, snapshot: TypeSnapshot): PlannedResponse | undefined {
    const state = this.states.get(typeUrl);
    if (!state?.requested || state.settled === snapshot || state.quiet === snapshot) return undefined;
    const changed = this.changed(state, snapshot);
    if (isFullStateType(typeUrl)) {
      // Full state: a first response is due even when empty (it tells the client what exists).
      if (!changed && !state.resendAll) {
        state.quiet = snapshot;
        return undefined;
      }
      // Keep resources that are going away until the removal phase (make-before-break, X20).
      const desired = this.desired(state, snapshot);
      const leaving = this.leaving(state, snapshot);
      return this.plan(typeUrl, state, snapshot, leaving ? desired.concat(leaving) : desired, changed ?? []);
    }
    if (!changed) {
      state.quiet = snapshot;
      return undefined;
    }
    // Only what changed: resources the client rejected are not sent again at the rejected version
    // (gRPC and Envoy keep the valid resources of a partly rejected response).
    return this.plan(typeUrl, state, snapshot, changed, changed);
  }

  protected planRemoval(typeUrl: string, snapshot: TypeSnapshot): PlannedResponse | undefined {
    const state = this.states.get(typeUrl);
    if (!state?.requested || state.settled === snapshot) return undefined;
    // SotW RDS/EDS have no deletion signal
    if (!isFullStateType(typeUrl) || !this.leaving(state, snapshot)) {
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
    const whole = fullState && resources.length === snapshot.resources.size && resources.every((r) => snapshot.resources.get(r.name) === r);
    // Full state: the version names exactly the set sent (the group version when it is the whole
    // snapshot), so it changes only when this client's content does (X19).
    const version = !fullState || whole ? snapshot.version : versionOfSet(resources);
    const controlPlaneId = this.host.controlPlaneId;
    return {
      typeUrl,
      version,
      resourceNames: resources.map((r) => r.name),
      contentKey: () => `${typeUrl}\n${version}\n${resources.map((r) => r.name).join('\n')}`,
      frame: (nonce) => frameSotwResponse({ versionInfo: version, typeUrl, nonce, resources, ...(controlPlaneId ? { controlPlaneId } : {}) }),
      commit: (nonce) => {
        if (typeUrl === CLUSTER_TYPE_URL) this.forceEndpointsOf(changed);
        if (whole) {
          state.held = snapshot.resources;
          state.heldShared = true;
        } else if (fullState) {
          state.held = new Map(resources.map((r) => [r.name, r]));
          state.heldShared = false;
        } else {
          const held = ownHeld(state);
          for (const r of resources) held.set(r.name, r);
          // Usually the client now holds the whole snapshot, like the other streams of its group.
          if (holdsExactly(held, snapshot)) {
            state.held = snapshot.resources;
            state.heldShared = true;
          }
        }
        state.force = undefined;
        unsettle(state);
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
      if (cluster.edsName !== undefined) (endpoints.force ??= new Set()).add(cluster.edsName);
    }
    unsettle(endpoints);
  }
}
