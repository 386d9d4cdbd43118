/**
 * A small YAML 1.2 writer for Kubernetes manifests (JSON-compatible data only).
 *
 * Block style as kubectl prints it; a string is written plain only when no YAML 1.1 or 1.2
 * reader could take it for anything else (so `"8080"`, `"true"`, `"on"` and `"1:20"` stay
 * strings), multi-line strings as literal blocks, everything else double-quoted with JSON
 * escapes (a JSON string is a valid YAML double-quoted scalar).
 */

/** Writes documents as one multi-document YAML stream (`---` between documents). */
export function toYamlDocuments(documents: readonly unknown[]): string {
  return documents.map((d) => toYamlDocument(d)).join('---\n');
}

/** Writes one value as a YAML document (ends with a newline). */
export function toYamlDocument(value: unknown): string {
  if (isCollection(value) && !isEmpty(value)) return writeBlock(value, 0, '$').join('\n') + '\n';
  return writeInline(value, '$') + '\n';
}

type Collection = readonly unknown[] | Readonly<Record<string, unknown>>;

function isCollection(value: unknown): value is Collection {
  return typeof value === 'object' && value !== null;
}

function isEmpty(value: Collection): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

/** Lines of a non-empty mapping or sequence whose entries start at column `indent`. */
function writeBlock(value: Collection, indent: number, path: string): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      const itemPath = `${path}[${i}]`;
      if (isCollection(item) && !isEmpty(item)) {
        // The first line of the nested block joins the dash: `- key: value`.
        const nested = writeBlock(item, indent + 2, itemPath);
        lines.push(`${pad}- ${nested[0].slice(indent + 2)}`, ...nested.slice(1));
      } else if (isLiteralBlock(item)) {
        lines.push(`${pad}- ${literalHeader(item as string)}`, ...literalLines(item as string, indent + 2));
      } else {
        lines.push(`${pad}- ${writeInline(item, itemPath)}`);
      }
    });
    return lines;
  }
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const itemPath = `${path}.${key}`;
    const keyText = writeString(key);
    if (isCollection(item) && !isEmpty(item)) {
      lines.push(`${pad}${keyText}:`);
      // Sequences sit at the key's column (kubectl style); mappings one level deeper.
      lines.push(...writeBlock(item, Array.isArray(item) ? indent : indent + 2, itemPath));
    } else if (isLiteralBlock(item)) {
      lines.push(`${pad}${keyText}: ${literalHeader(item as string)}`, ...literalLines(item as string, indent + 2));
    } else {
      lines.push(`${pad}${keyText}: ${writeInline(item, itemPath)}`);
    }
  }
  return lines;
}

function writeInline(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return writeString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`YAML: ${path} is ${value}, which Kubernetes manifests cannot hold`);
      return String(value);
    case 'object':
      return Array.isArray(value) ? '[]' : '{}';
    default:
      throw new Error(`YAML: ${path} has a value of type ${typeof value}, which is not JSON data`);
  }
}

/** Words YAML 1.1 readers (still common) take for booleans or null. */
const RESERVED_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', '~']);

/**
 * Plain when it starts with a letter, `_` or `/`, holds only characters without YAML meaning
 * (letters, digits and `_ . / - : @ +`), does not end in `:` and is no reserved word.
 * Everything else (digits first, spaces, `#`, quotes, `*`, `&`, ...) is double-quoted.
 */
function writeString(value: string): string {
  if (
    /^[A-Za-z_/][A-Za-z0-9_./:@+-]*$/.test(value)
    && !value.endsWith(':')
    && !value.includes('://') // harmless, but quoting URLs reads better
    && !RESERVED_WORDS.has(value.toLowerCase())
  ) {
    return value;
  }
  return JSON.stringify(value);
}

/**
 * Multi-line strings become literal blocks when every character is printable (tabs
 * allowed) and no line ends in a space, which a reader keeps but a human cannot see.
 */
function isLiteralBlock(value: unknown): boolean {
  if (typeof value !== 'string' || !value.includes('\n')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(value)) return false;
  return !/[ \t]\n/.test(value) && !/[ \t]$/.test(value);
}

/** `|` with an indentation indicator when the text starts with a space and a chomping indicator for its final newlines. */
function literalHeader(value: string): string {
  // A reader takes the indentation from the first non-empty line: say it when that line starts with a space.
  const indentIndicator = /^\n* /.test(value) ? '2' : '';
  let chomping: string;
  if (!value.endsWith('\n')) chomping = '-';
  else if (value.endsWith('\n\n')) chomping = '+';
  else chomping = '';
  return `|${indentIndicator}${chomping}`;
}

function literalLines(value: string, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const body = value.endsWith('\n') ? value.slice(0, -1) : value;
  // Empty lines stay empty: trailing spaces on them would be content.
  return body.split('\n').map((line) => (line.length > 0 ? pad + line : ''));
}
