import { SpecIssue } from './issue';
import { renderPath } from './schema-check';

/**
 * How deeply arrays and objects may nest in a mesh spec document, the document itself
 * being level 1.
 *
 * The deepest value the schema allows sits 13 levels down (document › virtualNodes › node, then
 * 10 levels of VirtualNodeSpec); a CloudFormation intrinsic standing for a value in a
 * cloud-assembly file adds a few more (Fn::Select of Fn::Split of Fn::Select …). 64 leaves
 * room for both and for the schema to grow, while keeping every recursive walker after this
 * check (schema walk, canonical form, rules, translation) far below the call stack limit.
 */
export const MAX_SPEC_DEPTH = 64;

/**
 * Returns an issue naming the first container nested deeper than `MAX_SPEC_DEPTH`, or undefined.
 * Runs before anything else walks the document, and never recurses deeper than the limit
 * itself. Descends only into arrays and plain objects: class instances (CDK tokens) are opaque.
 */
export function specDepthIssue(doc: unknown): SpecIssue | undefined {
  // The common case (within the limit) walks without recording keys; only a refusal walks again for the path.
  if (!tooDeep(doc, 1)) return undefined;
  const keys: (string | number)[] = [];
  tooDeep(doc, 1, keys);
  return {
    path: renderPath('', keys).replace(/^\./, ''),
    message: `nested deeper than ${MAX_SPEC_DEPTH} levels of arrays and objects; no mesh spec field is nested this deep`,
  };
}

/** True when a container below `value` (at `depth`) crosses the limit; `keys` then holds its path. */
function tooDeep(value: unknown, depth: number, keys?: (string | number)[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    if (depth > MAX_SPEC_DEPTH) return true;
    for (let i = 0; i < value.length; i++) {
      keys?.push(i);
      if (tooDeep(value[i], depth + 1, keys)) return true;
      keys?.pop();
    }
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  if (depth > MAX_SPEC_DEPTH) return true;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    keys?.push(key);
    if (tooDeep(record[key], depth + 1, keys)) return true;
    keys?.pop();
  }
  return false;
}
