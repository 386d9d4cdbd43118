import { Document, Scalar, visit } from 'yaml';

/**
 * YAML for Kubernetes manifests (JSON-compatible data only), written by the `yaml` package in
 * block style as kubectl prints it: quoted strings are JSON strings, multi-line strings literal
 * blocks. The package quotes whatever a YAML 1.2 reader or a YAML 1.1 one (still common) would
 * take for something else, so `"8080"`, `"true"`, `"on"` and `"1:20"` stay strings.
 */

/** Writes documents as one multi-document YAML stream (`---` between documents). */
export function toYamlDocuments(documents: readonly unknown[]): string {
  return documents.map((d) => toYamlDocument(d)).join('---\n');
}

/** Writes one value as a YAML document (ends with a newline). */
export function toYamlDocument(value: unknown): string {
  checkJsonData(value, '$');
  // Shared objects are written out again, not as anchors and aliases.
  const doc = new Document(value, { compat: 'yaml-1.1', aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && !readsWellUnquoted(node.value)) node.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ indentSeq: false, lineWidth: 0, blockQuote: 'literal', doubleQuotedAsJSON: true });
}

/**
 * The style the manifests have always had, stricter than YAML needs: a single-line string is
 * plain only when it looks like a name, path or image (a letter, `_` or `/` first, then only
 * letters, digits and `_ . / - : @ +`, no URL). A multi-line one is a literal block unless a line
 * ends in a space (kept by a reader, invisible to a human), it starts with a line break (the
 * package indents that empty first line, which YAML readers do not all read back alike) or it
 * holds a Unicode line or paragraph separator or a byte-order mark. Everything else is quoted.
 */
function readsWellUnquoted(value: string): boolean {
  if (value.includes('\n')) return !/^\n|[ \t](\n|$)|[\u2028\u2029\ufeff]/.test(value);
  return /^[A-Za-z_/][A-Za-z0-9_./:@+-]*$/.test(value) && !value.includes('://');
}

/** Refuses what JSON cannot hold, naming where it is (the package would write it some other way). */
function checkJsonData(value: unknown, path: string): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new Error(`YAML: ${path} is ${value}, which Kubernetes manifests cannot hold`);
      return;
    case 'object':
      if (value === null) return;
      if (Array.isArray(value)) value.forEach((item, i) => checkJsonData(item, `${path}[${i}]`));
      else for (const [key, item] of Object.entries(value)) if (item !== undefined) checkJsonData(item, `${path}.${key}`);
      return;
    default:
      throw new Error(`YAML: ${path} has a value of type ${typeof value}, which is not JSON data`);
  }
}
