import { sameJson } from './json-changes';
import type { GatewayRouteSpec, RouteSpec, WeightedTarget } from '../../../src/spec/appmesh-types';
import { summarizeGatewayRouteMatch, summarizeRouteMatch } from '../graph/match-summary';
import type { CompiledMesh } from '../translate';

/**
 * What a change does to requests, in words: weight shifts, new, changed and removed matches,
 * priorities and the order routes are tried in (first match wins), gateway route targets and
 * rewrites, virtual service providers, the services each node may call, and the mesh's egress
 * filter. Read from the two specs in the order the translation evaluates routes (the compiled
 * meshes' `routesByRouter` / `gatewayRoutesByGateway`).
 */

export type TrafficEffectKind =
  'weights' | 'match' | 'priority' | 'order' | 'added' | 'removed' | 'target' | 'rewrite' | 'provider' | 'backends' | 'egress';

/** One effect on traffic. */
export interface TrafficEffect {
  readonly kind: TrafficEffectKind;
  /**
   * `route <router>/<route>`, `gateway route <gateway>/<route>`, `router <name>`, `gateway <name>`,
   * `service <name>`, `virtual node <name>` or `mesh <name>`.
   */
  readonly subject: string;
  /** One line a person reads. */
  readonly text: string;
}

type Mesh = CompiledMesh | undefined;

/** Effects of going from `before` to `after` (either may be absent: a mesh added or removed). */
export function trafficEffects(before: Mesh, after: Mesh): TrafficEffect[] {
  return [
    ...routeEffects(before, after),
    ...gatewayRouteEffects(before, after),
    ...providerEffects(before, after),
    ...backendEffects(before, after),
    ...egressEffects(before, after),
  ];
}

function routeEffects(before: Mesh, after: Mesh): TrafficEffect[] {
  const out: TrafficEffect[] = [];
  for (const router of unionKeys(before?.routesByRouter, after?.routesByRouter)) {
    const old = before?.routesByRouter.get(router) ?? [];
    const now = after?.routesByRouter.get(router) ?? [];
    const services = servicesOf(after, router).length > 0 ? servicesOf(after, router) : servicesOf(before, router);
    const where = services.length > 0 ? ` (${services.join(', ')})` : '';
    const oldByName = new Map(old.map(r => [r.routeName, r]));
    const nowByName = new Map(now.map(r => [r.routeName, r]));
    for (const route of old) {
      if (nowByName.has(route.routeName)) continue;
      out.push({
        kind: 'removed',
        subject: `route ${router}/${route.routeName}`,
        text: `route ${router}/${route.routeName} removed${where}: what it matched (${matchText(route.spec)}) now goes to the next route that matches, if any`,
      });
    }
    now.forEach((route, position) => {
      const subject = `route ${router}/${route.routeName}`;
      const previous = oldByName.get(route.routeName);
      if (!previous) {
        out.push({
          kind: 'added',
          subject,
          text: `new route ${router}/${route.routeName}${where}, tried ${ordinal(position + 1)} of ${now.length}: new match: ${matchText(route.spec)} → ${sharesText(targetsOf(route.spec))}`,
        });
        return;
      }
      const weights = weightText(targetsOf(previous.spec), targetsOf(route.spec));
      if (weights !== undefined) out.push({ kind: 'weights', subject, text: `${subject}${where}: ${weights}` });
      if (matchText(previous.spec) !== matchText(route.spec)) {
        out.push({ kind: 'match', subject, text: `${subject}${where}: match ${matchText(previous.spec)} → ${matchText(route.spec)}` });
      }
      if (previous.spec.priority !== route.spec.priority) {
        out.push({ kind: 'priority', subject, text: `${subject}${where}: priority ${priorityText(previous.spec.priority)} → ${priorityText(route.spec.priority)}` });
      }
    });
    const order = orderText(old.map(r => r.routeName), now.map(r => r.routeName));
    if (order !== undefined) {
      out.push({ kind: 'order', subject: `router ${router}`, text: `router ${router}${where} tries its routes in a new order (first match wins): ${order}` });
    }
  }
  return out;
}

function gatewayRouteEffects(before: Mesh, after: Mesh): TrafficEffect[] {
  const out: TrafficEffect[] = [];
  for (const gateway of unionKeys(before?.gatewayRoutesByGateway, after?.gatewayRoutesByGateway)) {
    const old = before?.gatewayRoutesByGateway.get(gateway) ?? [];
    const now = after?.gatewayRoutesByGateway.get(gateway) ?? [];
    const nowByName = new Map(now.map(r => [r.gatewayRouteName, r]));
    const oldByName = new Map(old.map(r => [r.gatewayRouteName, r]));
    for (const route of old) {
      if (nowByName.has(route.gatewayRouteName)) continue;
      out.push({
        kind: 'removed',
        subject: `gateway route ${gateway}/${route.gatewayRouteName}`,
        text: `gateway route ${gateway}/${route.gatewayRouteName} removed: what it matched (${gatewayMatchText(route.spec)}) now goes to the next gateway route that matches, if any`,
      });
    }
    now.forEach((route, position) => {
      const subject = `gateway route ${gateway}/${route.gatewayRouteName}`;
      const previous = oldByName.get(route.gatewayRouteName);
      if (!previous) {
        out.push({
          kind: 'added',
          subject,
          text: `new ${subject}, tried ${ordinal(position + 1)} of ${now.length}: new match: ${gatewayMatchText(route.spec)} → ${targetText(route.spec)}${rewriteSuffix(route.spec)}`,
        });
        return;
      }
      if (targetText(previous.spec) !== targetText(route.spec)) {
        out.push({ kind: 'target', subject, text: `${subject}: target ${targetText(previous.spec)} → ${targetText(route.spec)}` });
      }
      if (gatewayMatchText(previous.spec) !== gatewayMatchText(route.spec)) {
        out.push({ kind: 'match', subject, text: `${subject}: match ${gatewayMatchText(previous.spec)} → ${gatewayMatchText(route.spec)}` });
      }
      if (!sameJson(actionOf(previous.spec)?.rewrite, actionOf(route.spec)?.rewrite)) {
        out.push({ kind: 'rewrite', subject, text: `${subject}: rewrite ${rewriteText(previous.spec)} → ${rewriteText(route.spec)}` });
      }
      if (previous.spec.priority !== route.spec.priority) {
        out.push({ kind: 'priority', subject, text: `${subject}: priority ${priorityText(previous.spec.priority)} → ${priorityText(route.spec.priority)}` });
      }
    });
    const order = orderText(old.map(r => r.gatewayRouteName), now.map(r => r.gatewayRouteName));
    if (order !== undefined) {
      out.push({ kind: 'order', subject: `gateway ${gateway}`, text: `gateway ${gateway} tries its routes in a new order (first match wins): ${order}` });
    }
  }
  return out;
}

function providerEffects(before: Mesh, after: Mesh): TrafficEffect[] {
  const out: TrafficEffect[] = [];
  for (const name of unionKeys(before?.services, after?.services)) {
    const old = before?.services.get(name);
    const now = after?.services.get(name);
    const [was, is] = [providerText(old?.spec.provider), providerText(now?.spec.provider)];
    if (old && now && was === is) continue;
    const subject = `service ${name}`;
    if (!old) out.push({ kind: 'added', subject, text: `new service ${name} → ${is}` });
    else if (!now) out.push({ kind: 'removed', subject, text: `service ${name} removed (was → ${was}): callers can no longer reach it` });
    else out.push({ kind: 'provider', subject, text: `service ${name}: provider ${was} → ${is}` });
  }
  return out;
}

/** Backends decide which services a node may call (all of them under ALLOW_ALL, for proxyless clients). */
function backendEffects(before: Mesh, after: Mesh): TrafficEffect[] {
  const out: TrafficEffect[] = [];
  for (const name of unionKeys(before?.nodes, after?.nodes)) {
    const old = before?.nodes.get(name);
    const now = after?.nodes.get(name);
    if (!old || !now) continue;
    const services = (spec: typeof old.spec) => (spec.backends ?? []).flatMap(b => (b.virtualService ? [b.virtualService.virtualServiceName] : []));
    const [was, is] = [services(old.spec), services(now.spec)];
    const added = is.filter(s => !was.includes(s));
    const removed = was.filter(s => !is.includes(s));
    if (added.length === 0 && removed.length === 0) continue;
    const parts = [...(added.length > 0 ? [`new backends ${added.join(', ')}`] : []), ...(removed.length > 0 ? [`backends removed ${removed.join(', ')}`] : [])];
    out.push({ kind: 'backends', subject: `virtual node ${name}`, text: `virtual node ${name}: ${parts.join('; ')}` });
  }
  return out;
}

function egressEffects(before: Mesh, after: Mesh): TrafficEffect[] {
  if (!before || !after || before.egressFilter === after.egressFilter) return [];
  const meaning = after.egressFilter === 'ALLOW_ALL'
    ? 'nodes may now reach any destination, not only their backends'
    : 'nodes may now reach only their backends';
  return [{ kind: 'egress', subject: `mesh ${after.meshName}`, text: `mesh ${after.meshName}: egress filter ${before.egressFilter} → ${after.egressFilter}: ${meaning}` }];
}

type AnyRouteAction = { weightedTargets: readonly WeightedTarget[] };

function targetsOf(spec: RouteSpec): readonly WeightedTarget[] {
  const action: AnyRouteAction | undefined = (spec.httpRoute ?? spec.http2Route ?? spec.grpcRoute ?? spec.tcpRoute)?.action;
  return action?.weightedTargets ?? [];
}

function targetName(t: WeightedTarget): string {
  return t.port === undefined ? t.virtualNode : `${t.virtualNode}:${t.port}`;
}

/** `serviceB 75 → 0, serviceBv2 25 → 100`, with shares when the weights do not add up to 100; undefined when equal. */
function weightText(before: readonly WeightedTarget[], after: readonly WeightedTarget[]): string | undefined {
  const old = new Map(before.map(t => [targetName(t), t.weight]));
  const now = new Map(after.map(t => [targetName(t), t.weight]));
  const names = [...old.keys(), ...[...now.keys()].filter(n => !old.has(n))];
  if (names.every(n => old.get(n) === now.get(n))) return undefined;
  const parts = names.map(n => `${n} ${old.has(n) ? old.get(n) : '(new)'} → ${now.has(n) ? now.get(n) : '(removed)'}`);
  const totalOf = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const odd = totalOf(old) !== 100 || totalOf(now) !== 100;
  return odd ? `${parts.join(', ')} (shares ${sharesText(before)} → ${sharesText(after)})` : parts.join(', ');
}

/** `serviceB 75 %, serviceBv2 25 %`; `no traffic (every weight is 0)` when nothing can be chosen. */
function sharesText(targets: readonly WeightedTarget[]): string {
  const total = targets.reduce((sum, t) => sum + t.weight, 0);
  if (total === 0) return 'no traffic (every weight is 0)';
  return targets.map(t => `${targetName(t)} ${round(100 * t.weight / total)} %`).join(', ');
}

function matchText(spec: RouteSpec): string {
  const summary = summarizeRouteMatch(spec);
  return `${summary.protocol ?? '?'}: ${summary.lines.join(', ')}`;
}

function gatewayMatchText(spec: GatewayRouteSpec): string {
  const summary = summarizeGatewayRouteMatch(spec);
  return `${summary.protocol ?? '?'}: ${summary.lines.join(', ')}`;
}

type AnyGatewayAction = { target: { port?: number; virtualService: { virtualServiceName: string } }; rewrite?: unknown };

function actionOf(spec: GatewayRouteSpec): AnyGatewayAction | undefined {
  return (spec.httpRoute ?? spec.http2Route ?? spec.grpcRoute)?.action;
}

function targetText(spec: GatewayRouteSpec): string {
  const target = actionOf(spec)?.target;
  if (!target) return '(no target)';
  const name = target.virtualService.virtualServiceName;
  return target.port === undefined ? name : `${name}:${target.port}`;
}

/** App Mesh's defaults when unset: the matched prefix becomes `/`, the host the target's name. */
function rewriteText(spec: GatewayRouteSpec): string {
  const rewrite = actionOf(spec)?.rewrite as
    | { prefix?: { defaultPrefix?: string; value?: string }; path?: { exact?: string }; hostname?: { defaultTargetHostname?: string } }
    | undefined;
  const parts: string[] = [];
  if (rewrite?.prefix?.value !== undefined) parts.push(`prefix to ${JSON.stringify(rewrite.prefix.value)}`);
  else if (rewrite?.prefix?.defaultPrefix === 'DISABLED') parts.push('prefix kept');
  if (rewrite?.path?.exact !== undefined) parts.push(`path to ${JSON.stringify(rewrite.path.exact)}`);
  if (rewrite?.hostname?.defaultTargetHostname === 'DISABLED') parts.push('host kept');
  if (parts.length > 0) return parts.join(', ');
  return spec.grpcRoute ? 'App Mesh\'s default (host to the target\'s name)' : 'App Mesh\'s default (matched prefix to "/", host to the target\'s name)';
}

function rewriteSuffix(spec: GatewayRouteSpec): string {
  return actionOf(spec)?.rewrite === undefined ? '' : `, rewrite ${rewriteText(spec)}`;
}

function providerText(provider: { virtualNode?: { virtualNodeName: string }; virtualRouter?: { virtualRouterName: string } } | undefined): string {
  if (provider?.virtualRouter) return `virtual router ${provider.virtualRouter.virtualRouterName}`;
  if (provider?.virtualNode) return `virtual node ${provider.virtualNode.virtualNodeName}`;
  return 'no provider';
}

function priorityText(priority: number | undefined): string {
  return priority === undefined ? 'unset' : String(priority);
}

/** `a, b, c → b, a, c` when the routes kept on both sides are tried in another order; else undefined. */
function orderText(before: string[], after: string[]): string | undefined {
  const kept = new Set(before.filter(name => after.includes(name)));
  const old = before.filter(name => kept.has(name));
  const now = after.filter(name => kept.has(name));
  if (old.every((name, i) => now[i] === name)) return undefined;
  return `${before.join(', ')} → ${after.join(', ')}`;
}

function servicesOf(mesh: Mesh, router: string): string[] {
  if (!mesh) return [];
  return [...mesh.services.values()]
    .filter(s => s.spec.provider?.virtualRouter?.virtualRouterName === router)
    .map(s => s.virtualServiceName)
    .sort();
}

function unionKeys<K extends string>(a: ReadonlyMap<K, unknown> | undefined, b: ReadonlyMap<K, unknown> | undefined): K[] {
  const keys = new Set<K>([...(a?.keys() ?? []), ...(b?.keys() ?? [])]);
  return [...keys].sort();
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}
