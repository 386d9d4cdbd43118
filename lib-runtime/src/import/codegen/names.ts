/**
 * Identifiers for the generated code, made from App Mesh resource names: `colorteller-white`
 * becomes `colortellerWhite`, `serviceb.apps.local` (a service) `servicebService`.
 */

const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null',
  'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'as',
  'implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'any',
  'boolean', 'number', 'string', 'symbol', 'type', 'from', 'of', 'await', 'async', 'arguments', 'eval', 'undefined',
  // Names the generated module itself uses.
  'appmesh', 'acm', 'acmpca', 'cloudmap', 'iam', 'cdk', 'mesh', 'scope', 'id', 'props', 'app', 'Construct', 'Duration', 'Stack',
]);

/** The words of a name: split on anything not a letter or digit, and on lower→upper case changes. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** lowerCamelCase of `name`, keeping the case inside words (`serviceBv2` stays `serviceBv2`). */
export function camelCase(name: string): string {
  const parts = words(name);
  if (parts.length === 0) return '';
  const [first, ...rest] = parts;
  const head = /^[A-Z]+$/.test(first) && first.length > 1 ? first.toLowerCase() : first[0].toLowerCase() + first.slice(1);
  return head + rest.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

/** UpperCamelCase of `name`. */
export function pascalCase(name: string): string {
  const camel = camelCase(name);
  return camel.length === 0 ? '' : camel[0].toUpperCase() + camel.slice(1);
}

/** Hands out identifiers that are unique in one scope and never a keyword. */
export class IdentifierScope {
  private readonly taken = new Set<string>();

  /** A fresh identifier from `base` (made valid), numbered when already taken. */
  public claim(base: string, fallback = 'resource'): string {
    let stem = base.length === 0 ? fallback : base;
    if (/^[0-9]/.test(stem)) stem = `${fallback}${stem[0].toUpperCase()}${stem.slice(1)}`;
    if (RESERVED.has(stem)) stem = `${stem}${fallback[0].toUpperCase()}${fallback.slice(1)}`;
    let candidate = stem;
    for (let n = 2; this.taken.has(candidate) || RESERVED.has(candidate); n++) candidate = `${stem}${n}`;
    this.taken.add(candidate);
    return candidate;
  }

  /** Marks `name` as used. */
  public reserve(name: string): void {
    this.taken.add(name);
  }
}

/** `base` with `suffix` appended unless it already ends with it (`colorRouter`, not `colorRouterRouter`). */
export function withSuffix(base: string, suffix: string): string {
  if (base.length === 0) return suffix[0].toLowerCase() + suffix.slice(1);
  return base.toLowerCase().endsWith(suffix.toLowerCase()) ? base : `${base}${suffix}`;
}

/** The variable stem of a virtual service: its first DNS label (`serviceb.apps.local` → `serviceb`). */
export function serviceStem(virtualServiceName: string): string {
  const firstLabel = virtualServiceName.split('.')[0];
  return camelCase(firstLabel.length > 0 ? firstLabel : virtualServiceName);
}
