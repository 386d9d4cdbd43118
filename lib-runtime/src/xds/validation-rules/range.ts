/**
 * The comparison rules every ordered kind shares (numbers, enums, durations): const, in, not_in
 * and the bounds lt/lte/gt/gte. As protoc-gen-validate defines them, a lower and an upper bound
 * together mean "inside" when the upper is above the lower, and "outside" (value below the upper
 * or above the lower) when it is not.
 */
import { listOf, RuleSet } from './rules';

/** Ordered values: bigints for integers and durations (in nanoseconds), numbers for floats. */
export type Ordered = bigint | number;

/** Turns a value or a rule operand into an Ordered; undefined when it is not one. */
export type ToOrdered = (raw: unknown) => Ordered | undefined;

/** The rules among `rules` that `value` breaks, as texts like `gt 0 (got 0)`. */
export function rangeViolations(value: Ordered, rules: RuleSet, toOrdered: ToOrdered, show: (v: Ordered) => string): string[] {
  const problems: string[] = [];
  const operand = (name: string): Ordered | undefined => (rules[name] === undefined ? undefined : toOrdered(rules[name]));
  const got = ` (got ${show(value)})`;

  const constant = operand('const');
  if (constant !== undefined && value !== constant) problems.push(`const ${show(constant)}${got}`);

  const lt = operand('lt');
  const lte = operand('lte');
  const gt = operand('gt');
  const gte = operand('gte');
  const upper = lt ?? lte;
  const lower = gt ?? gte;
  const belowUpper = lt !== undefined ? value < lt : lte !== undefined ? value <= lte : true;
  const aboveLower = gt !== undefined ? value > gt : gte !== undefined ? value >= gte : true;
  const bounds = [gt !== undefined ? `gt ${show(gt)}` : '', gte !== undefined ? `gte ${show(gte)}` : '',
    lt !== undefined ? `lt ${show(lt)}` : '', lte !== undefined ? `lte ${show(lte)}` : ''].filter(Boolean).join(', ');
  if (upper !== undefined && lower !== undefined && upper <= lower) {
    if (!belowUpper && !aboveLower) problems.push(`outside of ${bounds}${got}`);
  } else if (!belowUpper || !aboveLower) {
    problems.push(`${bounds}${got}`);
  }

  const allowed = listOf(rules.in).map(toOrdered);
  if (allowed.length > 0 && !allowed.includes(value)) problems.push(`in [${allowed.map((v) => (v === undefined ? '?' : show(v))).join(', ')}]${got}`);
  const refused = listOf(rules.not_in).map(toOrdered);
  if (refused.includes(value)) problems.push(`not_in [${refused.map((v) => (v === undefined ? '?' : show(v))).join(', ')}]${got}`);
  return problems;
}

/** A 32- or 64-bit integer (JSON numbers, decimal strings for 64-bit values) as a bigint. */
export function toBigInt(raw: unknown): bigint | undefined {
  if (typeof raw === 'bigint') return raw;
  if (typeof raw === 'number' && Number.isInteger(raw)) return BigInt(raw);
  if (typeof raw === 'string' && /^-?\d+$/.test(raw)) return BigInt(raw);
  return undefined;
}

/** A float or double; proto JSON also spells the non-finite ones as strings. */
export function toFloat(raw: unknown): number | undefined {
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string' && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  if (raw === 'NaN') return Number.NaN;
  return undefined;
}
