/**
 * Field-by-field differences between two JSON values (spec resources or Envoy resources).
 *
 * Lists whose elements all carry an identity (a `name`, a `cluster_name`, a weighted target's
 * `virtualNode`, a backend's virtual service, a listener's port) are matched by it, so inserting
 * one element reports one addition rather than a change of every later index; their paths say
 * which element: `clusters[name="cds_egress_apps_serviceB_http_8080"].weight.value`. A changed
 * order of matched elements is reported too (route order is first-match-wins). Other lists are
 * compared index by index.
 */

/** One difference at one path. */
export interface FieldChange {
  /** Where, from the root the caller named: `routes["r/a"].spec.priority`. */
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed' | 'reordered';
  /** The value before (absent for `added`); for `reordered`, the identities in the old order. */
  readonly before?: unknown;
  /** The value after (absent for `removed`); for `reordered`, the identities in the new order. */
  readonly after?: unknown;
}

/** How `jsonChanges` treats values it cannot compare. */
export interface JsonChangeOptions {
  /** True for a pair of differing values that are not to be compared (a deploy-time value on one side). */
  readonly incomparable?: (before: unknown, after: unknown) => boolean;
  /** Receives the paths of such pairs; they are not changes. */
  readonly onIncomparable?: (path: string) => void;
}

/** Changes that turn `before` into `after`, with paths under `root`. Empty when they are equal. */
export function jsonChanges(before: unknown, after: unknown, root: string, options: JsonChangeOptions = {}): FieldChange[] {
  const out: FieldChange[] = [];
  new Walk(options, out).walk(before, after, root);
  return out;
}

/** Deep equality of JSON values (key order does not matter, list order does). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => sameJson(item, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a).filter(k => a[k] !== undefined);
  if (keys.length !== Object.keys(b).filter(k => b[k] !== undefined).length) return false;
  return keys.every(k => Object.prototype.hasOwnProperty.call(b, k) && sameJson(a[k], b[k]));
}

/** One comparison: the options and the changes found so far. */
class Walk {
  constructor(private readonly options: JsonChangeOptions, private readonly out: FieldChange[]) {}

  walk(before: unknown, after: unknown, path: string): void {
    if (sameJson(before, after)) return;
    if (this.options.incomparable?.(before, after)) {
      this.options.onIncomparable?.(path);
      return;
    }
    if (isObject(before) && isObject(after)) {
      const keys = [...Object.keys(before), ...Object.keys(after).filter(k => !Object.prototype.hasOwnProperty.call(before, k))];
      for (const key of keys) {
        const at = `${path}${memberPath(key)}`;
        const [b, a] = [before[key], after[key]];
        if (b === undefined && a !== undefined) this.out.push({ path: at, change: 'added', after: a });
        else if (a === undefined && b !== undefined) this.out.push({ path: at, change: 'removed', before: b });
        else this.walk(b, a, at);
      }
      return;
    }
    if (Array.isArray(before) && Array.isArray(after)) {
      const beforeIds = identities(before);
      const afterIds = identities(after);
      if (beforeIds && afterIds) this.walkKeyed(before, beforeIds, after, afterIds, path);
      else this.walkIndexed(before, after, path);
      return;
    }
    this.out.push({ path, change: 'changed', before, after });
  }

  private walkKeyed(before: unknown[], beforeIds: string[], after: unknown[], afterIds: string[], path: string): void {
    const afterIndex = new Map(afterIds.map((id, i) => [id, i]));
    const beforeIndex = new Map(beforeIds.map((id, i) => [id, i]));
    beforeIds.forEach((id, i) => {
      if (!afterIndex.has(id)) this.out.push({ path: `${path}[${id}]`, change: 'removed', before: before[i] });
    });
    afterIds.forEach((id, i) => {
      const old = beforeIndex.get(id);
      if (old === undefined) this.out.push({ path: `${path}[${id}]`, change: 'added', after: after[i] });
      else this.walk(before[old], after[i], `${path}[${id}]`);
    });
    const kept = new Set(beforeIds.filter(id => afterIndex.has(id)));
    const oldOrder = beforeIds.filter(id => kept.has(id));
    const newOrder = afterIds.filter(id => kept.has(id));
    if (oldOrder.some((id, i) => newOrder[i] !== id)) this.out.push({ path, change: 'reordered', before: oldOrder, after: newOrder });
  }

  private walkIndexed(before: unknown[], after: unknown[], path: string): void {
    const common = Math.min(before.length, after.length);
    for (let i = 0; i < common; i++) this.walk(before[i], after[i], `${path}[${i}]`);
    for (let i = common; i < before.length; i++) this.out.push({ path: `${path}[${i}]`, change: 'removed', before: before[i] });
    for (let i = common; i < after.length; i++) this.out.push({ path: `${path}[${i}]`, change: 'added', after: after[i] });
  }
}

/** The identity of each element (`name="x"`), or undefined when one has none or two share one. */
function identities(list: unknown[]): string[] | undefined {
  if (list.length === 0) return [];
  const ids: string[] = [];
  for (const item of list) {
    const id = identityOf(item);
    if (id === undefined) return undefined;
    ids.push(id);
  }
  return new Set(ids).size === ids.length ? ids : undefined;
}

function identityOf(item: unknown): string | undefined {
  if (!isObject(item)) return undefined;
  if (typeof item.name === 'string') return `name=${JSON.stringify(item.name)}`;
  if (typeof item.cluster_name === 'string') return `cluster_name=${JSON.stringify(item.cluster_name)}`;
  // A weighted target: the node, and the port when the target names one.
  if (typeof item.virtualNode === 'string') {
    return `virtualNode=${JSON.stringify(item.virtualNode)}${item.port === undefined ? '' : `,port=${JSON.stringify(item.port)}`}`;
  }
  if (isObject(item.virtualService) && typeof item.virtualService.virtualServiceName === 'string') {
    return `virtualService=${JSON.stringify(item.virtualService.virtualServiceName)}`;
  }
  if (isObject(item.portMapping) && item.portMapping.port !== undefined) return `port=${JSON.stringify(item.portMapping.port)}`;
  return undefined;
}

function memberPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
