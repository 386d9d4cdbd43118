/**
 * A small tree of TypeScript expressions and its printer. The generator builds expressions as
 * trees so that it can compare them (shared values become named constants) and print them the
 * way the project's eslint config wants: single quotes, trailing commas on multi-line literals,
 * one line when it fits.
 */

/** An expression. */
export type Code = RawCode | CallCode | ObjectCode | ArrayCode | CastCode;

/** Text printed as it is: an identifier, a literal, a member access. */
export interface RawCode { readonly kind: 'raw'; readonly text: string }

/** `callee(args...)`. */
export interface CallCode { readonly kind: 'call'; readonly callee: string; readonly args: readonly Code[] }

/** `{ key: value, ... }`; a property with a comment is printed on its own line below it. */
export interface ObjectCode { readonly kind: 'object'; readonly props: readonly Property[] }

/** One property of an object literal. */
export interface Property { readonly key: string; readonly value: Code; readonly comment?: string }

/** `[items...]`. */
export interface ArrayCode { readonly kind: 'array'; readonly items: readonly Code[] }

/** `value as Type`. */
export interface CastCode { readonly kind: 'cast'; readonly value: Code; readonly type: string }

export const raw = (text: string): RawCode => ({ kind: 'raw', text });
export const call = (callee: string, ...args: Code[]): CallCode => ({ kind: 'call', callee, args });
export const arr = (items: readonly Code[]): ArrayCode => ({ kind: 'array', items });
export const cast = (value: Code, type: string): CastCode => ({ kind: 'cast', value, type });

/** An object literal from `[key, value, comment?]` entries; entries whose value is undefined are left out. */
export function obj(...entries: Array<[string, Code | undefined, string?] | undefined>): ObjectCode {
  const props: Property[] = [];
  for (const entry of entries) {
    if (entry === undefined || entry[1] === undefined) continue;
    props.push({ key: entry[0], value: entry[1], ...(entry[2] !== undefined ? { comment: entry[2] } : {}) });
  }
  return { kind: 'object', props };
}

/** A string literal in single quotes. */
export function str(value: string): RawCode {
  let out = "'";
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === "'" || char === '\\') {out += `\\${char}`;} else if (char === '\n') {out += '\\n';} else if (char === '\r') {out += '\\r';} else if (char === '\t') {out += '\\t';} else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else {out += char;}
  }
  return raw(`${out}'`);
}

export const num = (value: number): RawCode => raw(String(value));
export const bool = (value: boolean): RawCode => raw(String(value));

/** The key of a property as written: bare when it is an identifier, else quoted. */
export function propertyKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : str(key).text;
}

/** Lines longer than this are broken (the lint limit is 150; shorter reads better). */
const WIDTH = 110;
const INDENT = '  ';

/** Prints `code` as it appears at indentation `indent` after `prefix` on its first line. */
export function print(code: Code, indent = '', prefix = ''): string {
  const flat = printFlat(code);
  if (flat !== undefined && !flat.includes('\n') && indent.length + prefix.length + flat.length <= WIDTH) return flat;
  return printBroken(code, indent, prefix);
}

/** One-line form, or undefined when the expression must span lines (a commented property). */
function printFlat(code: Code): string | undefined {
  switch (code.kind) {
    case 'raw': return code.text;
    case 'cast': {
      const inner = printFlat(code.value);
      return inner === undefined ? undefined : `${inner} as ${code.type}`;
    }
    case 'call': {
      const args = code.args.map(printFlat);
      return args.some((a) => a === undefined) ? undefined : `${code.callee}(${args.join(', ')})`;
    }
    case 'array': {
      const items = code.items.map(printFlat);
      return items.some((i) => i === undefined) ? undefined : `[${items.join(', ')}]`;
    }
    case 'object': {
      if (code.props.length === 0) return '{}';
      if (code.props.some((p) => p.comment !== undefined)) return undefined;
      const props = code.props.map((p) => {
        const value = printFlat(p.value);
        return value === undefined ? undefined : `${keyOf(code, p.key)}: ${value}`;
      });
      return props.some((p) => p === undefined) ? undefined : `{ ${props.join(', ')} }`;
    }
  }
}

function printBroken(code: Code, indent: string, prefix: string): string {
  const inner = indent + INDENT;
  switch (code.kind) {
    case 'raw': return code.text;
    case 'cast': return `${print(code.value, indent, prefix)} as ${code.type}`;
    case 'call': {
      const head = `${code.callee}(`;
      const last = code.args[code.args.length - 1];
      const leading = code.args.slice(0, -1).map((a) => printFlat(a));
      // callee(a, b, { ... }): the last argument opens on the call's line when the others fit on it.
      if (last !== undefined && (last.kind === 'object' || last.kind === 'array') && leading.every((a) => a !== undefined)) {
        const before = `${head}${leading.map((a) => `${a}, `).join('')}`;
        if (indent.length + prefix.length + before.length <= WIDTH) {
          return `${before}${printBroken(last, indent, prefix + before)})`;
        }
      }
      const args = code.args.map((a) => `${inner}${print(a, inner)},`);
      return `${head}\n${args.join('\n')}\n${indent})`;
    }
    case 'array': {
      if (code.items.length === 0) return '[]';
      return `[\n${code.items.map((i) => `${inner}${print(i, inner)},`).join('\n')}\n${indent}]`;
    }
    case 'object': {
      if (code.props.length === 0) return '{}';
      const lines: string[] = [];
      for (const p of code.props) {
        if (p.comment !== undefined) for (const line of p.comment.split('\n')) lines.push(`${inner}// ${line}`);
        const key = `${keyOf(code, p.key)}: `;
        lines.push(`${inner}${key}${print(p.value, inner, key)},`);
      }
      return `{\n${lines.join('\n')}\n${indent}}`;
    }
  }
}

/** Keys are quoted all or none per object (eslint quote-props consistent-as-needed). */
function keyOf(code: ObjectCode, key: string): string {
  // A literal `__proto__` key would set the prototype instead of adding a property.
  if (key === '__proto__') return `[${str(key).text}]`;
  const quoteAll = code.props.some((p) => propertyKey(p.key) !== p.key);
  return quoteAll ? str(key).text : key;
}

/** Structural identity of two expressions (their printed one-line form, comments included). */
export function codeKey(code: Code): string {
  return JSON.stringify(code);
}
