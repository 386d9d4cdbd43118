import { isIP } from 'node:net';
import { DiscoveredEndpoint } from './types';

/**
 * The one check every endpoint passes before it is served, whichever source found it: an
 * address the proxies cannot parse makes them reject the whole ClusterLoadAssignment, valid
 * entries included, so a bad entry must stop here.
 */

const FIELDS = new Set(['address', 'port', 'zone', 'healthy']);

/** What is wrong with one endpoint entry, each problem prefixed with `where`; empty when it is valid. */
export function endpointProblems(item: unknown, where: string): string[] {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return [`${where}: ${show(item)} is not an object`];
  const e = item as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(e)) {
    if (!FIELDS.has(key)) problems.push(`${where}: unknown field ${show(key)} (known: address, port, zone, healthy)`);
  }
  if (!Object.hasOwn(e, 'address')) problems.push(`${where}.address: missing`);
  else if (typeof e.address !== 'string' || isIP(e.address) === 0) problems.push(`${where}.address: ${show(e.address)} is not an IPv4 or IPv6 address`);
  if (!Object.hasOwn(e, 'port')) problems.push(`${where}.port: missing`);
  else if (!isPort(e.port)) problems.push(`${where}.port: ${show(e.port)} is not an integer 1-65535`);
  if (Object.hasOwn(e, 'zone') && (typeof e.zone !== 'string' || e.zone.length === 0)) problems.push(`${where}.zone: ${show(e.zone)} is not a non-empty string`);
  if (Object.hasOwn(e, 'healthy') && typeof e.healthy !== 'boolean') problems.push(`${where}.healthy: ${show(e.healthy)} is not a boolean`);
  return problems;
}

/** The entry as an endpoint with only the known fields; call only when endpointProblems found none. */
export function toEndpoint(item: unknown): DiscoveredEndpoint {
  const e = item as DiscoveredEndpoint;
  return {
    address: e.address,
    port: e.port,
    ...(e.zone !== undefined ? { zone: e.zone } : {}),
    ...(e.healthy !== undefined ? { healthy: e.healthy } : {}),
  };
}

export function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** A value as it appears in a message: JSON, cut short so a huge value cannot flood the log. */
export function show(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
