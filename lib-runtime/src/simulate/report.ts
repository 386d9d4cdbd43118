import type { Hop, PolicyInEffect, Simulation, Target } from './simulation';

/** The simulation as text (the default) or JSON (`--format json`, the Simulation object itself). */

export function formatJson(simulation: Simulation): string {
  return `${JSON.stringify(simulation, undefined, 2)}\n`;
}

const INDENT = '       ';

export function formatText(s: Simulation): string {
  const lines: string[] = [
    s.request,
    `from ${s.nodeId}: ${s.view === 'envoy' ? 'Envoy view' : 'proxyless view'} matched by ${s.semantics}, spec version ${s.meshVersion}`,
    '',
    outcomeLine(s),
  ];
  s.hops.forEach((hop, i) => lines.push('', ...hopLines(hop, i + 1)));
  if (s.targets.length > 0) {
    lines.push('', 'targets');
    for (const target of s.targets) lines.push(...targetLines(target));
  }
  if (s.notes.length > 0) {
    lines.push('', 'notes');
    for (const note of s.notes) lines.push(`  - ${note}`);
  }
  return `${lines.join('\n')}\n`;
}

function percent(p: number): string {
  return `${(p * 100).toFixed(1)} %`;
}

function targetName(t: Target): string {
  return t.virtualNode ?? t.cluster;
}

function outcomeLine(s: Simulation): string {
  if (s.outcome === 'routed') return `ROUTED to ${s.targets.map(t => `${targetName(t)} ${percent(t.probability)}`).join(', ')}`;
  return `${s.outcome === 'refused' ? 'REFUSED' : 'NO ROUTE'}: ${s.reason}`;
}

function field(label: string, value: string): string {
  return `${INDENT}${label.padEnd(15)} ${value}`;
}

function hopLines(hop: Hop, n: number): string[] {
  const lines = [`hop ${n}  listener ${hop.listener}`, field('entry', hop.entry)];
  if (hop.filterChain) lines.push(field('filter chain', hop.filterChain));
  if (hop.tcpProxy) lines.push(field('tcp proxy', `the connection is forwarded as it is${hop.tcpProxy.idleTimeout ? `, idle timeout ${hop.tcpProxy.idleTimeout}` : ''}`));
  if (hop.routeConfiguration) lines.push(field('route config', hop.routeConfiguration));
  lines.push(field('request', `${hop.request.method} ${hop.request.authority} ${hop.request.path}`));
  if (hop.normalizedPath !== undefined) lines.push(field('normalized', `path ${hop.normalizedPath} (normalize_path, merge_slashes)`));
  if (hop.virtualHost) lines.push(field('virtual host', `${hop.virtualHost.name}: ${hop.virtualHost.matchedBy}`));
  if (hop.routes.length > 0) {
    lines.push(`${INDENT}routes in order, first match wins:`);
    const width = Math.max(...hop.routes.map(r => r.name.length));
    for (const route of hop.routes) {
      const shown = route.matched ? route.checks : route.checks.filter(c => !c.ok);
      const mark = route.matched ? 'match   ' : 'no match';
      lines.push(`${INDENT}  ${mark} ${route.name.padEnd(width)}  ${shown.map(c => c.text).join('; ')}`);
    }
    if (hop.notTried > 0) lines.push(`${INDENT}  (${hop.notTried} later route${hop.notTried === 1 ? '' : 's'} not tried)`);
  }
  if (hop.route) lines.push(field('route', hop.route));
  if (hop.policy) lines.push(...policyLines(hop.policy));
  if (hop.rewrite) {
    const parts: string[] = [];
    if (hop.rewrite.path) parts.push(`path ${hop.rewrite.path.from} → ${hop.rewrite.path.to} (${hop.rewrite.path.by})`);
    if (hop.rewrite.authority) parts.push(`host ${hop.rewrite.authority.from} → ${hop.rewrite.authority.to}`);
    if (hop.rewrite.headersAdded) parts.push(`adds ${hop.rewrite.headersAdded.join(', ')}`);
    if (hop.rewrite.headersRemoved) parts.push(`removes ${hop.rewrite.headersRemoved.join(', ')}`);
    lines.push(field('rewrite', parts.join('; ')));
  }
  for (const also of hop.also ?? []) lines.push(field('also', also));
  if (hop.next) lines.push(field('next', hop.next));
  return lines;
}

function policyLines(policy: PolicyInEffect): string[] {
  const lines = [field('timeout', `${policy.timeout}${policy.idleTimeout ? `, idle ${policy.idleTimeout}` : ''}`)];
  const retry = policy.retry;
  if (!retry) {
    lines.push(field('retries', 'none'));
  } else {
    const codes = retry.retriableStatusCodes ? ` (status ${retry.retriableStatusCodes.join(', ')})` : '';
    const perTry = retry.perTryTimeout ? `, ${retry.perTryTimeout} per try` : '';
    const notes = retry.notes.length > 0 ? `; ${retry.notes.join('; ')}` : '';
    lines.push(field('retries', `up to ${retry.numRetries} on ${retry.retryOn.join(', ')}${codes}${perTry}${notes}`));
  }
  return lines;
}

function targetLines(t: Target): string[] {
  const where = t.virtualNode ? `virtual node ${t.virtualNode}, ${t.protocol} port ${t.port}` : 'not a virtual node of the spec';
  const lines = [`  ${percent(t.probability).padStart(7)}  ${t.cluster} (weight ${t.weight}; ${where})`];
  const details = [t.discovery, ...(t.endpoints && t.endpoints.length > 0 && !t.discovery.includes(t.endpoints[0]) ? [`endpoints ${t.endpoints.join(', ')}`] : [])];
  if (t.tls) details.push(t.tls);
  if (t.healthCheck) details.push(`health check: ${t.healthCheck}`);
  if (t.outlierDetection) details.push(`outlier detection: ${t.outlierDetection}`);
  if (t.connectTimeout) details.push(`connect timeout ${t.connectTimeout}`);
  for (const detail of details) lines.push(`           ${detail}`);
  return lines;
}
