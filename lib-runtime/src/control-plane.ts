import type { ServerCredentials } from '@grpc/grpc-js';
import { AdminServer, AdminState } from './admin/admin-server';
import { ChangeNotice } from './admin/dashboard/change-notice';
import { readPushLatency } from './admin/dashboard/push-latency';
import { SpecHistory } from './admin/dashboard/spec-history';
import { ControlPlaneMetrics } from './admin/metrics';
import { discoveryTargets } from './discovery/targets';
import { DiscoveredEndpoints, EndpointDiscovery } from './discovery/types';
import { streamIdentityRefusal } from './identity/stream-authorizer';
import { describeError, Logger, SILENT_LOGGER } from './log';
import { NodeContentCache } from './node-content-cache';
import { SlicedQueue } from './sliced-queue';
import { SpecRejection, SpecSnapshot, SpecSource } from './sources/spec-source';
import {
  affectedNodes, choicesKey, choicesOfKey, clientProfile, CompiledMesh, compiledMeshOf, configForClient, EnvoyConfig,
  formatNodeId, listNodeIds, NodeConfig, nodesUsingEndpoints, parseNodeId, renderNode, resolveNode, UnknownNodeError,
} from './translate';
import { abbreviate } from './xds/abbreviate';
import { XdsAuthDecision, XdsAuthRequest, XdsNode, XdsRefusalEvent } from './xds/events';
import type { XdsLimits } from './xds/limits';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL, SECRET_TYPE_URL } from './xds/type-urls';
import { XdsServer } from './xds/xds-server';
import type { ProxyAccess } from '../../src/spec/document';

/** A group's configuration under a new spec, rendered while validating it, waiting to be installed. */
interface PendingInstall {
  readonly group: string;
  readonly nodeId: string;
  readonly view: ClientView;
  /** Only the group's view: the other one is not held while the installs run. */
  readonly config: EnvoyConfig;
}

/**
 * What a client receives: its rendering choices as translate's key, the view (`envoy` or
 * `proxyless`) plus any older spellings it needs, e.g. `proxyless+total-weight+legacy-header-match`.
 */
export type ClientView = string;

export interface ControlPlaneOptions {
  readonly spec: SpecSource;
  readonly discovery: EndpointDiscovery;
  /** xDS gRPC listen address, host:port (port 0 = any). */
  readonly xdsAddress: string;
  readonly adminHost: string;
  /** Admin HTTP port (0 = any). */
  readonly adminPort: number;
  readonly log?: Logger;
  /** Max time streams get to end on shutdown before the gRPC server is forced down. */
  readonly drainMs?: number;
  /** Delay that batches bursts of endpoint changes into one re-render (a spec change is rendered at once). */
  readonly renderDebounceMs?: number;
  /** How long start() waits for the first discovery round before opening the ports (default 5 s). */
  readonly discoveryStartTimeoutMs?: number;
  /** How long one slice of a new spec's installs and pushes may run before the event loop gets a turn (default 4 ms). */
  readonly installSliceMs?: number;
  /** Bounds on what an xDS peer can make the server hold (defaults: the xDS server's). */
  readonly xdsLimits?: Partial<XdsLimits>;
  /** xDS transport credentials (mutual TLS); default plaintext. */
  readonly xdsCredentials?: ServerCredentials;
  /**
   * When set, every stream must present a client certificate whose SPIFFE ID in this trust
   * domain names the node it claims (give xdsCredentials that require client certificates).
   */
  readonly trustDomain?: string;
  /** When set, every admin path but /healthz needs `Authorization: Bearer <token>`. */
  readonly adminToken?: string;
}

/** Why the last spec offered was not applied; readiness reports it while no spec is served. */
interface LastRejection {
  readonly origin: string;
  readonly version: string | undefined;
  readonly reasons: readonly string[];
}

/** What applying a spec needs, all computed before anything changes, so any failure rejects it whole. */
interface PreparedSpec {
  readonly mesh: CompiledMesh;
  readonly meshName: string;
  readonly nodeIds: Set<string>;
  /** Node ids whose rendering may differ under the new spec. */
  readonly affected: readonly string[];
  readonly removed: number;
  /** Renders of installed nodes the spec changes. */
  readonly renders: Map<string, NodeConfig>;
  readonly targets: ReturnType<typeof discoveryTargets>;
}

/** A failure to render one node while validating a spec. */
class NodeRenderError extends Error {
  constructor(readonly nodeId: string, readonly cause: unknown) {
    super(`node ${nodeId}: ${describeError(cause).message as string}`);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The client's rendering choices, from its user agent and version (translate's client profile). */
export function viewOf(node: XdsNode): ClientView {
  return choicesKey(clientProfile(node).choices);
}

export function groupName(nodeId: string, view: ClientView): string {
  return `${view}|${nodeId}`;
}

function snapshotOf(config: EnvoyConfig): Record<string, object[]> {
  return {
    [LISTENER_TYPE_URL]: config.listeners,
    [ROUTE_TYPE_URL]: config.routes,
    [CLUSTER_TYPE_URL]: config.clusters,
    [ENDPOINT_TYPE_URL]: config.endpoints,
    [SECRET_TYPE_URL]: config.secrets,
  };
}

/**
 * The control plane: spec source and endpoint discovery feed translation, whose output the
 * xDS server serves; the admin server reports. Configuration is rendered per node id and view
 * when a client connects, kept in the xDS server as one group per (view, node id), and
 * re-rendered only for connected nodes a change touches (translate's affectedNodes /
 * nodesUsingEndpoints); the server then pushes only the types whose content changed.
 * A spec that cannot be translated for every node it changes is rejected like an invalid one.
 */
export class ControlPlane {
  readonly metrics: ControlPlaneMetrics;
  readonly xds: XdsServer;
  private readonly admin: AdminServer;
  private readonly log: Logger;
  private spec: SpecSnapshot | undefined;
  private mesh: CompiledMesh | undefined;
  /** Short node ids (`mesh/<mesh>/<kind>/<name>`) of the current spec. */
  private nodeIds = new Set<string>();
  /** Short node ids to re-render at the next render pass. */
  private dirty = new Set<string>();
  // Null prototype: virtual nodes may be named `constructor` or `__proto__`.
  private endpoints: DiscoveredEndpoints = Object.create(null) as DiscoveredEndpoints;
  /** Per node and view, the content of its last render under the current spec and endpoints. */
  private readonly contents = new NodeContentCache();
  /** Groups installed in the xDS server, with the node they render. */
  private readonly groups = new Map<string, { nodeId: string; view: ClientView }>();
  private readonly openStreams = new Map<string, number>();
  /** Renders of the current spec being installed, a slice at a time; per node, how many groups are left. */
  private readonly installs: SlicedQueue<PendingInstall>;
  private readonly pendingInstalls = new Map<string, number>();
  private failedInstalls = new Set<string>();
  /** Groups authorize() installed whose stream has not attached yet; swept if none does. */
  private readonly awaitingAttach = new Set<string>();
  private attachSweep: NodeJS.Immediate | undefined;
  private lastRejection: LastRejection | undefined;
  /** The dashboard's record of specs applied and rejected, and its change notices. */
  private readonly specHistory = new SpecHistory();
  private readonly changes = new ChangeNotice();
  private renderTimer: NodeJS.Timeout | undefined;
  private xdsPort = 0;
  private adminPort = 0;
  private stopping = false;

  constructor(private readonly options: ControlPlaneOptions) {
    this.log = options.log ?? SILENT_LOGGER;
    this.installs = new SlicedQueue((item) => this.installPending(item), options.installSliceMs);
    this.metrics = new ControlPlaneMetrics(() => Object.entries(this.endpoints).map(([node, list]) => ({
      labels: { virtual_node: node }, value: list.length,
    })));
    const metricHooks = this.metrics.xdsHooks();
    this.xds = new XdsServer({
      groupOf: (node) => groupName(node.id, viewOf(node)),
      authorize: (request) => this.authorize(request),
      controlPlaneId: 'open-app-mesh',
      ...(options.xdsLimits ? { limits: options.xdsLimits } : {}),
      hooks: this.changes.wrapXdsHooks({
        ...metricHooks,
        onStreamOpen: (stream) => {
          metricHooks.onStreamOpen!(stream);
          this.openStreams.set(stream.group, (this.openStreams.get(stream.group) ?? 0) + 1);
          this.awaitingAttach.delete(stream.group);
          // Swept before this stream attached (only if attaching ever lags authorize): install anew.
          if (!this.groups.has(stream.group)) this.reinstall(stream.group, stream.nodeId, viewOf(stream.node));
          this.log.info('xds stream opened', { node: stream.nodeId, view: this.groups.get(stream.group)?.view, peer: stream.peer, stream: stream.streamId });
        },
        onStreamClose: (stream, event) => {
          metricHooks.onStreamClose!(stream, event);
          const left = (this.openStreams.get(stream.group) ?? 1) - 1;
          if (left > 0) {
            this.openStreams.set(stream.group, left);
          } else {
            // Freed with its last stream: a group per node-id spelling must not outlive its streams.
            this.openStreams.delete(stream.group);
            this.dropGroup(stream.group);
          }
          this.log.info('xds stream closed', { node: stream.nodeId, stream: stream.streamId, reason: event.reason });
        },
        onNack: (stream, nack) => {
          metricHooks.onNack!(stream, nack);
          this.log.warn('client rejected configuration (NACK); it keeps its last accepted version', {
            node: nack.nodeId, type: nack.typeUrl, rejectedVersion: nack.rejectedVersion, acceptedVersion: nack.acceptedVersion, error: nack.message,
          });
        },
        onRefused: (event) => this.serverRefused(event),
      }),
    });
    this.admin = new AdminServer(this.adminState(), this.log.child({ component: 'admin' }), options.adminToken);
    options.spec.onSpec((snapshot) => this.applySpec(snapshot));
    // The source has logged the issues already; count and remember them here.
    options.spec.onRejected((rejection) => this.sourceRejected(rejection));
    options.discovery.onChange((endpoints) => this.applyEndpoints(endpoints));
    options.discovery.onError((event) => this.metrics.discoveryErrors.inc({ source: event.source, kind: event.kind }));
  }

  get ports(): { xds: number; admin: number } {
    return { xds: this.xdsPort, admin: this.adminPort };
  }

  /** Loads the spec, runs a first discovery round, then opens the xDS and admin ports. */
  async start(): Promise<{ xds: number; admin: number }> {
    await this.options.spec.start();
    // Serve soon even if a discovery API is slow to answer: endpoints found later are pushed.
    const firstRound = this.options.discovery.start();
    const timeout = delay(this.options.discoveryStartTimeoutMs ?? 5000).then(() => false);
    const waited = await Promise.race([firstRound.then(() => true, () => true), timeout]);
    if (!waited) this.log.warn('endpoint discovery still running its first round; serving without those endpoints for now');
    this.applyEndpoints(this.options.discovery.current());
    this.xdsPort = await this.xds.listen(this.options.xdsAddress, this.options.xdsCredentials);
    this.adminPort = await this.admin.listen(this.options.adminPort, this.options.adminHost);
    this.log.info('control plane started', {
      xdsAddress: this.options.xdsAddress.replace(/:\d+$/, `:${this.xdsPort}`),
      admin: `${this.options.adminHost}:${this.adminPort}`,
      specVersion: this.spec?.version ?? null,
      discovery: this.options.discovery.name,
    });
    return this.ports;
  }

  /** Ends every stream (clients keep their config and reconnect), then stops inputs and admin. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.renderTimer) clearTimeout(this.renderTimer);
    if (this.attachSweep) clearImmediate(this.attachSweep);
    this.installs.cancel();
    this.log.info('control plane draining', { streams: this.xds.stats().openStreams });
    await this.xds.shutdown(this.options.drainMs ?? 5000);
    await Promise.all([this.options.spec.stop(), this.options.discovery.stop()]);
    await this.admin.close();
    this.log.info('control plane stopped');
  }

  /** Who may act as which node under the spec served now; undefined while no spec is served. */
  proxyAccess(): readonly ProxyAccess[] | undefined {
    return this.spec ? this.spec.doc.proxyAccess ?? [] : undefined;
  }

  /** The rendered configuration of a node (both views), or undefined when it is not in the spec. */
  configOf(nodeId: string): NodeConfig | undefined {
    const short = this.shortNodeId(nodeId);
    if (!this.mesh || short === undefined || !this.nodeIds.has(short)) return undefined;
    return this.render(short);
  }

  private render(shortNodeId: string, mesh: CompiledMesh = this.mesh!): NodeConfig {
    return renderNode(mesh, resolveNode(mesh, shortNodeId), this.endpoints);
  }

  /**
   * Validates a new spec by rendering every node it changes (the others render as they did under
   * the last good spec, which was translated in full), then installs the renders of connected
   * nodes and pushes them right away, a slice at a time: a spec is a batch already, so it waits
   * for no debounce. Never throws: any failure before the spec is taken (compiling, diffing,
   * rendering, discovery targets) rejects it and the last good spec stays. Returns whether it
   * was applied (the source's listener contract).
   */
  private applySpec(snapshot: SpecSnapshot): boolean {
    let prepared: PreparedSpec;
    try {
      prepared = this.prepareSpec(snapshot);
    } catch (error) {
      this.rejectSpec(snapshot, error);
      return false;
    }
    this.commitSpec(snapshot, prepared);
    return true;
  }

  private prepareSpec(snapshot: SpecSnapshot): PreparedSpec {
    const mesh = compiledMeshOf(snapshot.doc);
    const change = affectedNodes(this.mesh, mesh);
    const started = performance.now();
    const installed = this.installedNodeIds();
    const renders = new Map<string, NodeConfig>();
    for (const nodeId of change.affected) {
      let config: NodeConfig;
      try {
        config = this.render(nodeId, mesh);
      } catch (error) {
        throw new NodeRenderError(nodeId, error);
      }
      if (installed.has(nodeId)) renders.set(nodeId, config);
    }
    if (change.affected.length > 0) {
      this.metrics.translateDuration.observe({}, (performance.now() - started) / 1000 / change.affected.length);
    }
    return {
      mesh,
      meshName: snapshot.doc.mesh.meshName,
      nodeIds: new Set(listNodeIds(mesh)),
      affected: change.affected,
      removed: change.removed.length,
      renders,
      targets: discoveryTargets(snapshot.doc),
    };
  }

  private rejectSpec(snapshot: SpecSnapshot, error: unknown): void {
    if (error instanceof NodeRenderError) this.metrics.translateErrors.inc();
    this.metrics.specRejections.inc();
    const reason = describeError(error).message as string;
    this.lastRejection = { origin: snapshot.origin, version: snapshot.version, reasons: [`cannot be applied: ${reason}`] };
    this.specHistory.rejected(snapshot.origin, snapshot.version, this.lastRejection.reasons);
    this.changes.notify();
    this.log.error(this.spec ? 'spec cannot be applied; still serving the last good spec' : 'spec cannot be applied; no spec is being served yet', {
      path: snapshot.origin,
      rejectedVersion: snapshot.version,
      servingVersion: this.spec?.version ?? null,
      ...(error instanceof NodeRenderError ? { node: error.nodeId, error: describeError(error.cause) } : { error: describeError(error) }),
    });
  }

  private sourceRejected(rejection: SpecRejection): void {
    this.metrics.specRejections.inc();
    this.lastRejection = { origin: rejection.origin, version: rejection.digest?.slice(0, 12), reasons: rejection.reasons };
    this.specHistory.rejected(rejection.origin, this.lastRejection.version, rejection.reasons);
    this.changes.notify();
  }

  private commitSpec(snapshot: SpecSnapshot, prepared: PreparedSpec): void {
    this.spec = snapshot;
    this.mesh = prepared.mesh;
    this.nodeIds = prepared.nodeIds;
    this.lastRejection = undefined;
    this.metrics.specLoads.inc();
    this.metrics.specInfo.reset();
    this.metrics.specInfo.set({ version: snapshot.version, mesh: prepared.meshName }, 1);
    // Nodes the change leaves alone render as before; the others' content is stale.
    this.contents.forget(prepared.affected);
    this.contents.retain((nodeId) => this.nodeIds.has(nodeId));
    // What an older spec left uninstalled is stale now: its nodes stay dirty for the render pass.
    this.cancelInstalls();
    const installs: PendingInstall[] = [];
    for (const [group, entry] of [...this.groups]) {
      if (!this.nodeIds.has(entry.nodeId)) {
        // Its streams keep what they hold.
        this.dropGroup(group);
        this.log.warn('node removed from the spec; its clients keep their last configuration', { node: entry.nodeId });
        continue;
      }
      if (!this.openStreams.has(group)) {
        this.dropGroup(group);
        continue;
      }
      const config = prepared.renders.get(entry.nodeId);
      if (!config) continue;
      installs.push({ group, nodeId: entry.nodeId, view: entry.view, config: configForClient(config, choicesOfKey(entry.view)) });
      // Stale until installed: a new stream of the node renders anew meanwhile.
      this.dirty.add(entry.nodeId);
      this.pendingInstalls.set(entry.nodeId, (this.pendingInstalls.get(entry.nodeId) ?? 0) + 1);
    }
    // Every render succeeded, so the spec is accepted: install and push a slice of groups at a
    // time, so the first clients get theirs while the next groups are installed.
    this.installs.run(installs);
    this.log.info('spec applied', { version: snapshot.version, affectedNodes: prepared.affected.length, removedNodes: prepared.removed });
    this.specHistory.applied(snapshot.origin, snapshot.version);
    this.changes.notify();
    try {
      // May report endpoint changes synchronously (targets dropped), which marks nodes dirty.
      this.options.discovery.setTargets(prepared.targets);
    } catch (error) {
      // The spec is served; only discovery is behind. It keeps its previous targets.
      this.metrics.discoveryErrors.inc({ source: this.options.discovery.name, kind: 'error' });
      this.log.error('endpoint discovery did not take the spec\'s targets; it keeps the previous ones', { version: snapshot.version, error: describeError(error) });
    }
  }

  private applyEndpoints(next: DiscoveredEndpoints): void {
    const changed = new Set<string>();
    const own = (endpoints: DiscoveredEndpoints, name: string) => (Object.hasOwn(endpoints, name) ? endpoints[name] : undefined);
    for (const name of new Set([...Object.keys(this.endpoints), ...Object.keys(next)])) {
      if (JSON.stringify(own(this.endpoints, name)) !== JSON.stringify(own(next, name))) changed.add(name);
    }
    this.endpoints = next;
    if (changed.size === 0 || !this.mesh) return;
    let touched: string[];
    try {
      touched = nodesUsingEndpoints(this.mesh, changed);
    } catch (error) {
      // Called from discovery's listener: must not throw. Re-render everything installed instead.
      this.log.error('cannot tell which nodes an endpoint change touches; re-rendering every installed node', { error: describeError(error) });
      touched = [...this.installedNodeIds()];
      this.contents.clear();
    }
    // Not only installed nodes: a node whose groups were freed keeps content that is stale now.
    this.contents.forget(touched);
    // Renders still waiting to be installed were made with the old endpoints: leave those nodes to the render pass.
    if (touched.some((id) => this.pendingInstalls.has(id))) this.cancelInstalls();
    this.markDirty(touched);
  }

  private markDirty(nodeIds: Iterable<string>): void {
    // Only installed nodes can be stale; the others render when a client connects. (So "dirty"
    // means "an installed group is out of date", which authorize relies on.)
    const installed = this.installedNodeIds();
    for (const id of nodeIds) if (installed.has(id)) this.dirty.add(id);
    this.scheduleRender();
  }

  private installedNodeIds(): Set<string> {
    return new Set([...this.groups.values()].map((entry) => entry.nodeId));
  }

  private scheduleRender(): void {
    if (this.renderTimer || this.stopping) return;
    this.renderTimer = setTimeout(() => {
      this.renderTimer = undefined;
      this.renderConnected();
    }, this.options.renderDebounceMs ?? 10);
    this.renderTimer.unref();
  }

  /** Re-renders the groups of touched nodes; unchanged output pushes nothing. */
  private renderConnected(): void {
    const dirty = this.dirty;
    this.dirty = new Set();
    for (const [group, entry] of [...this.groups]) {
      // Groups without streams are dropped rather than kept current; a reconnect renders anew.
      if (!this.openStreams.has(group)) {
        this.dropGroup(group);
        continue;
      }
      // A failed render leaves the group on its last config; keep the node dirty so a new stream
      // retries the render (and is refused if it still fails) instead of getting the stale config.
      if (dirty.has(entry.nodeId) && !this.install(group, entry.nodeId, entry.view)) this.dirty.add(entry.nodeId);
    }
  }

  private dropGroup(group: string): void {
    this.xds.removeGroup(group);
    this.groups.delete(group);
  }

  /** One group of a new spec: installed and pushed; its node is current once all its groups are. */
  private installPending({ group, nodeId, view, config }: PendingInstall): void {
    if (!this.groups.has(group)) {
      // Dropped meanwhile (by the render pass): nothing to bring up to date.
    } else if (!this.openStreams.has(group)) {
      // Its streams all closed meanwhile: dropped, not left stale; a reconnect renders anew.
      this.dropGroup(group);
    } else if (this.install(group, nodeId, view, config)) {
      this.xds.flush();
    } else {
      this.failedInstalls.add(nodeId);
    }
    const left = (this.pendingInstalls.get(nodeId) ?? 1) - 1;
    if (left > 0) {
      this.pendingInstalls.set(nodeId, left);
      return;
    }
    this.pendingInstalls.delete(nodeId);
    // Rendered with the current endpoints, so no longer stale, unless installing failed.
    if (!this.failedInstalls.delete(nodeId)) this.dirty.delete(nodeId);
  }

  private cancelInstalls(): void {
    if (this.installs.cancel().length === 0) return;
    this.pendingInstalls.clear();
    this.failedInstalls = new Set();
    this.scheduleRender();
  }

  /** Sets a group's resources from `config`, its view's (rendered here when not given); false when that fails. */
  private install(group: string, nodeId: string, view: ClientView, config?: EnvoyConfig): boolean {
    if (!this.mesh) return false;
    const started = performance.now();
    try {
      const kept = config ? undefined : this.contents.get(nodeId, view);
      if (kept) {
        // Rendered before from the same spec and endpoints (a reconnect, another id spelling).
        this.xds.setContent(group, kept);
      } else {
        if (!config) {
          config = configForClient(this.render(nodeId), choicesOfKey(view));
          this.metrics.translateDuration.observe({}, (performance.now() - started) / 1000);
        }
        this.xds.setSnapshot(group, snapshotOf(config));
        this.contents.set(nodeId, view, this.xds.contentOf(group)!);
      }
      this.groups.set(group, { nodeId, view });
      return true;
    } catch (error) {
      this.metrics.translateErrors.inc();
      this.log.error('cannot render configuration for node; its clients keep the last one served', { node: nodeId, view, error });
      return false;
    }
  }

  /** Installs a group whose stream attached after it was swept (see sweepUnattached). */
  private reinstall(group: string, presentedId: string, view: ClientView): void {
    const nodeId = this.shortNodeId(presentedId);
    if (nodeId !== undefined && this.nodeIds.has(nodeId)) this.install(group, nodeId, view);
  }

  /** authorize() installs before its stream attaches; a group no stream attached to is dropped. */
  private expectAttach(group: string): void {
    this.awaitingAttach.add(group);
    this.attachSweep ??= setImmediate(() => this.sweepUnattached());
  }

  private sweepUnattached(): void {
    this.attachSweep = undefined;
    for (const group of this.awaitingAttach) if (!this.openStreams.has(group)) this.dropGroup(group);
    this.awaitingAttach.clear();
  }

  /** A stream the xDS server refused on its own (a limit, a drain, an unreadable request). */
  private serverRefused(event: XdsRefusalEvent): void {
    this.metrics.refusedStreams.inc({ reason: event.cause });
    this.log.warn('xds stream refused', { node: event.nodeId, peer: event.peer, reason: event.cause, code: event.code, error: event.message });
  }

  private authorize(request: XdsAuthRequest): XdsAuthDecision {
    const refuse = (reason: string, message: string): XdsAuthDecision => {
      this.metrics.refusedStreams.inc({ reason });
      this.log.warn('xds stream refused', { node: abbreviate(request.nodeId), peer: request.peer, reason, error: message });
      return { allowed: false, message };
    };
    if (this.stopping) return refuse('shuttingDown', 'control plane shutting down');
    const unknown = (error: unknown) => refuse('unknownNode', error instanceof UnknownNodeError ? error.message : String(error));
    if (this.options.trustDomain !== undefined) {
      // Identity first: a client that cannot prove one learns nothing about which nodes exist.
      let claimed;
      try {
        claimed = parseNodeId(request.nodeId);
      } catch (error) {
        return unknown(error);
      }
      const refusal = streamIdentityRefusal(request.authContext, claimed, this.options.trustDomain);
      if (refusal) return refuse(refusal.reason, `node ${abbreviate(request.nodeId)}: ${refusal.message}`);
    }
    if (!this.spec) return refuse('noSpec', 'no valid spec loaded yet');
    let nodeId: string;
    try {
      // Malformed ids, another mesh, or a name the spec does not define: translate's own check.
      nodeId = formatNodeId(resolveNode(this.mesh!, request.nodeId));
    } catch (error) {
      return unknown(error);
    }
    const view = viewOf(request.node);
    const group = groupName(request.nodeId, view);
    // The group is keyed by the id as presented (ARN or short form); render before serving.
    // An installed group is kept current by renderConnected (it is dropped only when it has no
    // streams), so it needs a render here only while its node is dirty: without this check every
    // new stream, and every stream of a reconnect storm, re-rendered and re-encoded its node.
    const current = this.groups.has(group) && !this.dirty.has(nodeId);
    if (!current && !this.install(group, nodeId, view)) return refuse('renderFailed', `configuration for ${nodeId} cannot be rendered`);
    // Allowed does not mean attached: the server may still refuse the stream (a limit), or it may close.
    this.expectAttach(group);
    return true;
  }

  private shortNodeId(nodeId: string): string | undefined {
    try {
      return formatNodeId(parseNodeId(nodeId));
    } catch {
      return undefined;
    }
  }

  /** Why nothing is served yet: the last rejection when there was one. */
  private noSpecReason(): string {
    const rejected = this.lastRejection;
    if (!rejected) return 'no valid spec loaded and translated yet';
    const shown = rejected.reasons.slice(0, 5).join('; ');
    const more = rejected.reasons.length > 5 ? ` (and ${rejected.reasons.length - 5} more)` : '';
    const version = rejected.version ? ` (version ${rejected.version})` : '';
    return `no spec is being served yet: the spec from ${rejected.origin}${version} was rejected: ${shown}${more}`;
  }

  private adminState(): AdminState {
    return {
      readiness: () => {
        const reasons: string[] = [];
        if (!this.spec) reasons.push(this.noSpecReason());
        if (this.xdsPort === 0) reasons.push('xDS server not listening');
        if (this.stopping) reasons.push('shutting down');
        return { ready: reasons.length === 0, reasons };
      },
      metrics: () => this.metrics.render(),
      configDump: (nodeId, view) => {
        const config = this.configOf(nodeId);
        if (!config) return undefined;
        const dump = {
          node: nodeId,
          specVersion: this.spec!.version,
          ...(view === 'envoy' || view === undefined ? { envoy: config.envoy } : {}),
          ...(view === 'proxyless' || view === undefined ? { proxyless: config.proxyless } : {}),
        };
        return dump;
      },
      knownNodes: () => [...this.nodeIds.keys()],
      servedSpec: () => (this.spec ? { doc: this.spec.doc, version: this.spec.version } : undefined),
      dashboard: {
        servedSpec: () => (this.spec ? { doc: this.spec.doc, version: this.spec.version } : undefined),
        knownNodes: () => [...this.nodeIds],
        xdsStatus: () => this.xds.status(),
        pushLatency: () => readPushLatency(this.metrics.registry),
        specHistory: () => this.specHistory.entries(),
        onChange: (listener) => this.changes.subscribe(listener),
      },
      clients: () => {
        const status = this.xds.status();
        return {
          specVersion: this.spec?.version ?? null,
          streams: status.streams.map((s) => ({
            nodeId: s.nodeId,
            view: this.groups.get(s.group)?.view ?? null,
            userAgent: s.node.user_agent_name ?? null,
            peer: s.peer,
            streamId: s.streamId,
            protocol: s.protocol,
            openedAt: new Date(s.openedAt).toISOString(),
            types: s.types.map((t) => ({
              type: t.typeUrl,
              sentVersion: t.sentVersion ?? null,
              ackedVersion: t.ackedVersion ?? null,
              awaitingAck: t.awaitingAck,
              resources: t.resourceCount,
              lastNack: t.lastNack
                ? { version: t.lastNack.rejectedVersion, message: t.lastNack.message, at: new Date(t.lastNack.at).toISOString() }
                : null,
            })),
          })),
          recentNacks: status.recentNacks,
        };
      },
    };
  }
}
