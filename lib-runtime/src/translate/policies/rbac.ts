import { HttpRouteHeader } from '../../../../src/spec/appmesh-types';
import { AuthorizationPolicy, AuthorizationRule } from '../../../../src/spec/extensions/authorization';
import { headerMatcher } from '../match';
import { packed } from '../proto-json';
import { ProtoJson } from '../types';

/**
 * Authorization by mesh identity (Envoy RBAC; gRFC A41 for xDS-enabled gRPC servers). A caller is
 * the SPIFFE ID in its certificate's URI SAN, `spiffe://<trust domain>/mesh/<mesh>/<kind>/<name>`,
 * matched as a suffix: translate does not know the trust domain (a flag of the control plane), and
 * the mesh CA issues in one trust domain only (the same reasoning as tls.ts's meshIdentitySuffix).
 * One ALLOW policy set per listener: the rules that apply to its port. A listener none applies to
 * gets an empty set, so it denies everything (deny by default once any rule exists).
 */

export const HTTP_RBAC = 'envoy.filters.http.rbac';
export const NETWORK_RBAC = 'envoy.filters.network.rbac';
const HTTP_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC';
const NETWORK_TYPE = 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC';
/** Shadow decisions are counted as `<prefix>rbac.oam_shadow.shadow_allowed` / `shadow_denied`. */
export const SHADOW_STAT_PREFIX = 'oam_shadow.';

/** The end of the SPIFFE ID the mesh CA issues to a workload. */
export function meshPrincipalSuffix(meshName: string, kind: 'virtualNode' | 'virtualGateway', name: string): string {
  return `/mesh/${meshName}/${kind}/${name}`;
}

function principals(meshName: string, rule: AuthorizationRule): ProtoJson[] {
  const ids = [
    ...(rule.from.virtualNodes ?? []).map(n => meshPrincipalSuffix(meshName, 'virtualNode', n)),
    ...(rule.from.virtualGateways ?? []).map(n => meshPrincipalSuffix(meshName, 'virtualGateway', n)),
  ];
  return ids.map(suffix => ({ authenticated: { principal_name: { suffix } } }));
}

/** One permission from the rule's HTTP conditions: all of its lists, any entry of each list. */
function permission(rule: AuthorizationRule): ProtoJson {
  const http = rule.http;
  const all: ProtoJson[] = [];
  const anyOf = (rules: ProtoJson[]): ProtoJson => (rules.length === 1 ? rules[0] : { or_rules: { rules } });
  if (http?.paths?.length) {
    all.push(anyOf(http.paths.map(p => ({ url_path: { path: p.exact !== undefined ? { exact: p.exact } : { prefix: p.prefix } } }))));
  }
  if (http?.methods?.length) {
    all.push(anyOf(http.methods.map(m => ({ header: { name: ':method', string_match: { exact: m } } }))));
  }
  for (const header of http?.headers ?? []) all.push({ header: headerMatcher(header as HttpRouteHeader) });
  if (all.length === 0) return { any: true };
  return all.length === 1 ? all[0] : { and_rules: { rules: all } };
}

/** The rules that apply to the listener on `port`; on a TCP listener only those without HTTP conditions. */
export function rulesForPort(policy: AuthorizationPolicy, port: number, tcp: boolean): AuthorizationRule[] {
  return policy.rules.filter(rule => (rule.ports === undefined || rule.ports.includes(port)) && !(tcp && rule.http !== undefined));
}

/** `config.rbac.v3.RBAC`: ALLOW with one policy per rule, in rule order. */
export function rbacRules(meshName: string, rules: readonly AuthorizationRule[]): ProtoJson {
  const policies: ProtoJson = {};
  for (const rule of rules) policies[rule.name] = { permissions: [permission(rule)], principals: principals(meshName, rule) };
  return { action: 'ALLOW', policies };
}

function enforcedOrShadow(policy: AuthorizationPolicy, rules: ProtoJson): ProtoJson {
  return policy.mode === 'SHADOW' ? { shadow_rules: rules, shadow_rules_stat_prefix: SHADOW_STAT_PREFIX } : { rules };
}

/** The HTTP filter of an inbound HCM on `port`. */
export function rbacHttpFilter(meshName: string, policy: AuthorizationPolicy, port: number, tcp = false): ProtoJson {
  return { name: HTTP_RBAC, typed_config: packed(HTTP_TYPE, enforcedOrShadow(policy, rbacRules(meshName, rulesForPort(policy, port, tcp)))) };
}

/**
 * The same for an xDS-enabled gRPC server, or undefined in SHADOW mode: gRPC ignores shadow rules
 * and refuses an RBAC filter without `rules`, so a dry run leaves the server's listener as it was.
 * On a listener the spec calls `tcp`, the rules are those Envoy applies there (no HTTP conditions).
 */
export function proxylessRbacHttpFilter(meshName: string, policy: AuthorizationPolicy, port: number, tcp: boolean): ProtoJson | undefined {
  return policy.mode === 'SHADOW' ? undefined : rbacHttpFilter(meshName, policy, port, tcp);
}

/** The network filter of an inbound TCP chain on `port`, before the TCP proxy. */
export function rbacNetworkFilter(meshName: string, policy: AuthorizationPolicy, port: number, statPrefix: string): ProtoJson {
  const config = { stat_prefix: statPrefix, ...enforcedOrShadow(policy, rbacRules(meshName, rulesForPort(policy, port, true))) };
  return { name: NETWORK_RBAC, typed_config: packed(NETWORK_TYPE, config) };
}
