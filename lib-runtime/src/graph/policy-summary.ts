import type { Duration } from '../../../src/spec/appmesh-types';
import type { FaultInjectionPolicy, GatewayRouteExtensions, HeaderRulesPolicy, RouteExtensions } from '../../../src/spec/extensions';

/**
 * The policies of a resource (its `extensions`, docs/policies.md) as short lines for the graph:
 * each starts with `⚑ ` so a reader tells policy from App Mesh facts at a glance.
 */

/** `⚑` marks a policy line in boxes and labels. */
export const POLICY_MARK = '⚑ ';

function millis(duration: Duration): string {
  const ms = duration.unit === 's' ? (duration.value ?? 0) * 1000 : (duration.value ?? 0);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function percent(value: number): string {
  return `${value}%`;
}

function faultLine(fault: FaultInjectionPolicy): string {
  const parts: string[] = [];
  if (fault.abort) {
    const status = fault.abort.grpcStatus !== undefined ? `grpc ${fault.abort.grpcStatus}` : `http ${fault.abort.httpStatus}`;
    parts.push(`abort ${status} ${percent(fault.abort.percentage)}`);
  }
  if (fault.delay) parts.push(`delay ${millis(fault.delay.fixedDelay)} ${percent(fault.delay.percentage)}`);
  const gate = fault.headerPresent !== undefined ? ` if ${fault.headerPresent}` : '';
  return `${POLICY_MARK}fault: ${parts.join(', ')}${gate}`;
}

function headerLine(rules: HeaderRulesPolicy): string {
  const count = (list: readonly unknown[] | undefined) => list?.length ?? 0;
  const parts: string[] = [];
  const request = count(rules.requestHeadersToAdd) + count(rules.requestHeadersToRemove);
  const response = count(rules.responseHeadersToAdd) + count(rules.responseHeadersToRemove);
  if (request > 0) parts.push(`${request} request`);
  if (response > 0) parts.push(`${response} response`);
  return `${POLICY_MARK}headers: ${parts.join(', ')}`;
}

/** Lines for a route's or gateway route's policies (mirrors are drawn as arrows, not lines). */
export function routePolicyLines(extensions: RouteExtensions | GatewayRouteExtensions | undefined): string[] {
  if (extensions === undefined) return [];
  const lines: string[] = [];
  if (extensions.faultInjection) lines.push(faultLine(extensions.faultInjection));
  if (extensions.headerRules) lines.push(headerLine(extensions.headerRules));
  // Policies added later (rate limits…) still show, by name, until they get a line of their own.
  for (const key of Object.keys(extensions).sort()) {
    if (!['faultInjection', 'headerRules', 'requestMirrors'].includes(key) && (extensions as Record<string, unknown>)[key] !== undefined) {
      lines.push(`${POLICY_MARK}${key}`);
    }
  }
  return lines;
}

/** Lines for a virtual node's or gateway's policies: one per policy field, with a count for lists. */
export function resourcePolicyLines(extensions: object | undefined): string[] {
  if (extensions === undefined) return [];
  const record = extensions as Record<string, unknown>;
  return Object.keys(record).sort().filter(key => record[key] !== undefined).map(key => {
    const value = record[key];
    return Array.isArray(value) ? `${POLICY_MARK}${key} (${value.length})` : `${POLICY_MARK}${key}`;
  });
}
