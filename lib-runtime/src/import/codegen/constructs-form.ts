import { MeshSpecDocument } from '../../../../src/spec/document';

/**
 * A mesh spec as the constructs write it. Some values have several spellings with one meaning,
 * and the constructs always write one of them: they state App Mesh's defaults (egress filter
 * DROP_ALL, client TLS `enforce: true`, a health check's port and HTTP path, header `invert:
 * false`, prefix `/` for a match without path), write every duration in milliseconds, leave out
 * empty lists and empty objects, and sort Cloud Map attributes by key. The generated app
 * synthesizes exactly this form of its input; for a spec the constructs wrote, it is the spec
 * itself. Pure; the input is not changed.
 */
export function constructsForm(doc: MeshSpecDocument): MeshSpecDocument {
  const out = JSON.parse(JSON.stringify(doc)) as any;
  const meshSpec = out.mesh?.spec;
  if (meshSpec !== undefined) {
    meshSpec.egressFilter ??= { type: 'DROP_ALL' };
    if (meshSpec.serviceDiscovery !== undefined && meshSpec.serviceDiscovery.ipPreference === undefined) delete meshSpec.serviceDiscovery;
  }
  for (const node of out.virtualNodes ?? []) normalizeNode(node.spec);
  for (const router of out.virtualRouters ?? []) router.spec.listeners ??= [];
  for (const route of out.routes ?? []) normalizeRoute(route.spec);
  for (const service of out.virtualServices ?? []) {
    if (service.spec.provider !== undefined && Object.keys(service.spec.provider).length === 0) delete service.spec.provider;
  }
  for (const gateway of out.virtualGateways ?? []) normalizeGateway(gateway.spec);
  for (const route of out.gatewayRoutes ?? []) normalizeGatewayRoute(route.spec);
  msDurations(out);
  return out as MeshSpecDocument;
}

function normalizeNode(spec: any): void {
  dropEmpty(spec, 'listeners');
  dropEmpty(spec, 'backends');
  const discovery = spec.serviceDiscovery?.awsCloudMap;
  if (discovery?.attributes !== undefined) {
    discovery.attributes = [...discovery.attributes].sort((a: any, b: any) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    dropEmpty(discovery, 'attributes');
  }
  for (const listener of spec.listeners ?? []) {
    normalizeHealthCheck(listener);
    const timeout = listener.timeout;
    if (timeout !== undefined) {
      for (const key of Object.keys(timeout)) if (Object.keys(timeout[key] ?? {}).length === 0) delete timeout[key];
      if (Object.keys(timeout).length === 0) delete listener.timeout;
    }
  }
  for (const backend of spec.backends ?? []) normalizeClientPolicyHolder(backend.virtualService);
  normalizeClientPolicyHolder(spec.backendDefaults);
  if (spec.backendDefaults !== undefined && spec.backendDefaults.clientPolicy === undefined) delete spec.backendDefaults;
  normalizeLogging(spec);
}

function normalizeGateway(spec: any): void {
  for (const listener of spec.listeners ?? []) normalizeHealthCheck(listener);
  normalizeClientPolicyHolder(spec.backendDefaults);
  if (spec.backendDefaults !== undefined && spec.backendDefaults.clientPolicy === undefined) delete spec.backendDefaults;
  normalizeLogging(spec);
}

function normalizeHealthCheck(listener: any): void {
  const check = listener.healthCheck;
  if (check === undefined) return;
  check.port ??= listener.portMapping?.port;
  if (check.protocol === 'http' || check.protocol === 'http2') check.path ??= '/';
}

/** A `clientPolicy` with no TLS says nothing; TLS is enforced unless told otherwise. */
function normalizeClientPolicyHolder(holder: any): void {
  if (holder?.clientPolicy === undefined) return;
  const tls = holder.clientPolicy.tls;
  if (tls === undefined) {
    delete holder.clientPolicy;
    return;
  }
  tls.enforce ??= true;
  dropEmpty(tls, 'ports');
}

function normalizeLogging(spec: any): void {
  const file = spec.logging?.accessLog?.file;
  if (file === undefined) {
    delete spec.logging;
    return;
  }
  if (file.format?.json !== undefined) {
    // A JSON format is written as an object literal, whose integer-like keys JavaScript puts first.
    const byKey = new Map<string, string>(file.format.json.map((entry: any) => [entry.key, entry.value]));
    file.format.json = Object.keys(Object.fromEntries(byKey)).map((key) => ({ key, value: byKey.get(key) }));
  }
}

function normalizeRoute(spec: any): void {
  for (const key of ['httpRoute', 'http2Route']) {
    const route = spec[key];
    if (route === undefined) continue;
    if (route.match !== undefined && route.match.prefix === undefined && route.match.path === undefined) route.match.prefix = '/';
    normalizeHeaders(route.match?.headers);
    normalizeRetryAndTimeout(route);
  }
  const grpc = spec.grpcRoute;
  if (grpc !== undefined) {
    normalizeHeaders(grpc.match?.metadata);
    normalizeRetryAndTimeout(grpc);
    if (grpc.retryPolicy !== undefined) dropEmpty(grpc.retryPolicy, 'grpcRetryEvents');
  }
  const tcp = spec.tcpRoute;
  if (tcp !== undefined) {
    if (tcp.match !== undefined && tcp.match.port === undefined) delete tcp.match;
    normalizeTimeout(tcp);
  }
}

function normalizeRetryAndTimeout(route: any): void {
  if (route.retryPolicy !== undefined) {
    dropEmpty(route.retryPolicy, 'httpRetryEvents');
    dropEmpty(route.retryPolicy, 'tcpRetryEvents');
  }
  normalizeTimeout(route);
}

function normalizeTimeout(route: any): void {
  if (route.timeout !== undefined && Object.keys(route.timeout).length === 0) delete route.timeout;
}

function normalizeHeaders(headers: any[] | undefined): void {
  for (const header of headers ?? []) header.invert ??= false;
}

function normalizeGatewayRoute(spec: any): void {
  for (const key of ['httpRoute', 'http2Route']) {
    const route = spec[key];
    if (route === undefined) continue;
    const match = route.match ?? {};
    if (match.prefix === undefined && match.path === undefined) match.prefix = '/';
    route.match = match;
    normalizeHeaders(match.headers);
    normalizeRewrite(route.action);
  }
  const grpc = spec.grpcRoute;
  if (grpc !== undefined) {
    normalizeHeaders(grpc.match?.metadata);
    normalizeRewrite(grpc.action);
  }
}

/** `defaultPrefix: ENABLED` is the service's default; an empty rewrite rewrites nothing. */
function normalizeRewrite(action: any): void {
  const rewrite = action?.rewrite;
  if (rewrite === undefined) return;
  if (rewrite.prefix?.defaultPrefix === 'ENABLED' && rewrite.prefix.value === undefined) delete rewrite.prefix;
  if (rewrite.hostname !== undefined && rewrite.hostname.defaultTargetHostname === undefined) delete rewrite.hostname;
  if (Object.keys(rewrite).length === 0) delete action.rewrite;
}

function dropEmpty(holder: any, key: string): void {
  if (Array.isArray(holder?.[key]) && holder[key].length === 0) delete holder[key];
}

/** Every App Mesh Duration (`{ unit, value }`) in milliseconds, as `Duration.toMilliseconds()` renders it. */
function msDurations(value: any): void {
  if (Array.isArray(value)) {
    value.forEach(msDurations);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    if (isDuration(child)) value[key] = { unit: 'ms', value: durationMillis(child) };
    else msDurations(child);
  }
}

function isDuration(value: unknown): value is { unit: 's' | 'ms'; value: number } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value).sort();
  return keys.length === 2 && keys[0] === 'unit' && keys[1] === 'value'
    && ((value as any).unit === 's' || (value as any).unit === 'ms') && typeof (value as any).value === 'number';
}

/** Milliseconds of an App Mesh Duration. */
export function durationMillis(duration: { readonly unit?: string; readonly value?: number }): number {
  return duration.unit === 's' ? (duration.value ?? 0) * 1000 : (duration.value ?? 0);
}
