/**
 * Rules of google.protobuf.Duration fields: `required`, and the ordered rules compared in
 * nanoseconds. A duration is `{seconds, nanos}` in the project's proto JSON (seconds may be a
 * decimal string, being 64-bit), or the canonical JSON text such as "1.5s".
 */
import { rangeViolations, toBigInt } from './range';
import { isRecord, RuleSet } from './rules';

const DURATION_RULES = new Set(['required', 'const', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in']);

export function unknownDurationRules(rules: RuleSet): string[] {
  return Object.keys(rules).filter((name) => !DURATION_RULES.has(name));
}

/** A set duration's violations; `required` is checked by the caller, which knows presence. */
export function durationViolations(rules: RuleSet, value: unknown): string[] {
  const nanos = durationNanos(value);
  if (nanos === undefined) return [];
  return rangeViolations(nanos, rules, durationNanos, (v) => formatNanos(BigInt(v)));
}

const NANOS_PER_SECOND = 1_000_000_000n;

export function durationNanos(value: unknown): bigint | undefined {
  if (isRecord(value)) {
    const seconds = toBigInt(value.seconds ?? 0);
    const nanos = toBigInt(value.nanos ?? 0);
    return seconds === undefined || nanos === undefined ? undefined : seconds * NANOS_PER_SECOND + nanos;
  }
  if (typeof value === 'string') {
    const match = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(value);
    if (!match) return undefined;
    const total = BigInt(match[2]) * NANOS_PER_SECOND + BigInt((match[3] ?? '').padEnd(9, '0'));
    return match[1] ? -total : total;
  }
  return undefined;
}

function formatNanos(nanos: bigint): string {
  const sign = nanos < 0n ? '-' : '';
  const abs = nanos < 0n ? -nanos : nanos;
  const fraction = (abs % NANOS_PER_SECOND).toString().padStart(9, '0').replace(/0+$/, '');
  return `${sign}${abs / NANOS_PER_SECOND}${fraction ? `.${fraction}` : ''}s`;
}
