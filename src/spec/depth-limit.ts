import { SpecIssue } from './issue';
import { renderPath } from './schema-check';

/**
 * How deeply arrays and objects may nest in a mesh spec document, the document itself
 * being level 1.
 *
 * The deepest value the schema allows sits 13 levels down (document › virtualNodes › node ›
 * spec › 10 levels of VirtualNodeSpec); a CloudFormation intrinsic standing for a value in a
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
  const keys: (string | number)[] = [];
  const tooDeep = (value: unknown, depth: number): boolean => {
    if (!isContainer(value)) return false;
    if (depth > MAX_SPEC_DEPTH) return true;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        keys.push(i);
        if (tooDeep(value[i], depth + 1)) return true;
        keys.pop();
      }
      return false;
    }
    for (const [key, child] of Object.entries(value)) {
      keys.push(key);
      if (tooDeep(child, depth + 1)) return true;
      keys.pop();
    }
    return false;
  };
  if (!tooDeep(doc, 1)) return undefined;
  return {
    path: renderPath('', keys).replace(/^\./, ''),
    message: `nested deeper than ${MAX_SPEC_DEPTH} levels of arrays and objects; no mesh spec field is nested this deep`,
  };
}

function isContainer(value: unknown): value is object {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
