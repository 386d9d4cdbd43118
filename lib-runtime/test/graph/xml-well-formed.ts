/**
 * A strict XML 1.0 well-formedness checker for tests (no DTDs, no external entities):
 * one root element, matching tags, quoted and unique attributes, only the predefined and
 * numeric character references, legal characters, well-formed comments and processing
 * instructions. It also returns the element tree so tests can look inside.
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: Record<string, string>;
  readonly children: XmlElement[];
  /** Character data directly inside this element, references decoded, in order. */
  readonly text: string[];
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Parses `xml`; throws an Error naming the offset and the rule broken. */
export function parseWellFormedXml(xml: string): XmlElement {
  let pos = 0;
  const fail = (message: string): never => {
    throw new Error(`not well-formed XML at offset ${pos}: ${message}`);
  };

  for (const ch of xml) {
    const code = ch.codePointAt(0)!;
    const legal = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff)
      || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!legal) fail(`illegal character U+${code.toString(16).toUpperCase()}`);
  }

  const skipSpace = (): void => {
    while (pos < xml.length && /[ \t\r\n]/.test(xml[pos])) pos++;
  };
  const readName = (): string => {
    const match = NAME.exec(xml.slice(pos, pos + 256));
    if (!match) fail('expected a name');
    pos += match![0].length;
    return match![0];
  };
  const decode = (raw: string): string => raw.replace(/&([^;]*);/g, (_, ref: string) => {
    if (ref in PREDEFINED) return PREDEFINED[ref];
    const numeric = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref);
    if (!numeric) return fail(`unknown entity &${ref};`);
    return String.fromCodePoint(numeric[1] !== undefined ? parseInt(numeric[1], 16) : parseInt(numeric[2], 10));
  });
  const checkAmpersands = (raw: string): void => {
    if (/&(?![A-Za-z_:][-A-Za-z0-9_:.]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)/.test(raw)) fail('bare & (not a reference)');
  };
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (xml.startsWith('<!--', pos)) readComment();
      else if (xml.startsWith('<?', pos) && !xml.startsWith('<?xml ', pos)) readProcessingInstruction();
      else return;
    }
  };
  const readComment = (): void => {
    const end = xml.indexOf('-->', pos + 4);
    if (end < 0) fail('unterminated comment');
    if (xml.slice(pos + 4, end).includes('--') || xml[end - 1] === '-') fail('"--" inside a comment');
    pos = end + 3;
  };
  const readProcessingInstruction = (): void => {
    const end = xml.indexOf('?>', pos);
    if (end < 0) fail('unterminated processing instruction');
    pos = end + 2;
  };

  if (xml.startsWith('\uFEFF')) pos++;
  if (xml.startsWith('<?xml', pos)) {
    const end = xml.indexOf('?>', pos);
    if (end < 0) fail('unterminated XML declaration');
    if (!/^<\?xml\s+version\s*=\s*(["'])1\.[0-9]+\1(\s+encoding\s*=\s*(["'])[A-Za-z][-A-Za-z0-9._]*\3)?(\s+standalone\s*=\s*(["'])(yes|no)\5)?\s*$/
      .test(xml.slice(pos, end))) {
      fail('malformed XML declaration');
    }
    pos = end + 2;
  }
  skipMisc();
  if (xml.startsWith('<!DOCTYPE', pos)) fail('DOCTYPE is not accepted by this checker');
  if (xml[pos] !== '<') fail('expected the root element');

  const readElement = (): XmlElement => {
    pos++; // '<'
    const name = readName();
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = pos;
      skipSpace();
      if (xml.startsWith('/>', pos)) {
        pos += 2;
        return { name, attributes, children: [], text: [] };
      }
      if (xml[pos] === '>') {
        pos++;
        break;
      }
      if (pos === before) fail(`expected whitespace before an attribute of <${name}>`);
      const attrName = readName();
      if (attrName in attributes) fail(`duplicate attribute ${attrName} on <${name}>`);
      skipSpace();
      if (xml[pos] !== '=') fail(`expected = after attribute ${attrName}`);
      pos++;
      skipSpace();
      const quote = xml[pos];
      if (quote !== '"' && quote !== "'") fail(`attribute ${attrName} value is not quoted`);
      const end = xml.indexOf(quote, pos + 1);
      if (end < 0) fail(`unterminated value of attribute ${attrName}`);
      const raw = xml.slice(pos + 1, end);
      if (raw.includes('<')) fail(`"<" in the value of attribute ${attrName}`);
      checkAmpersands(raw);
      attributes[attrName] = decode(raw);
      pos = end + 1;
    }

    const children: XmlElement[] = [];
    const text: string[] = [];
    for (;;) {
      const next = xml.indexOf('<', pos);
      if (next < 0) fail(`<${name}> is never closed`);
      const raw = xml.slice(pos, next);
      if (raw.includes(']]>')) fail('"]]>" in character data');
      checkAmpersands(raw);
      if (raw.length > 0) text.push(decode(raw));
      pos = next;
      if (xml.startsWith('</', pos)) {
        pos += 2;
        const closing = readName();
        if (closing !== name) fail(`</${closing}> closes <${name}>`);
        skipSpace();
        if (xml[pos] !== '>') fail(`expected > to end </${closing}>`);
        pos++;
        return { name, attributes, children, text };
      }
      if (xml.startsWith('<!--', pos)) {
        readComment();
      } else if (xml.startsWith('<![CDATA[', pos)) {
        const end = xml.indexOf(']]>', pos);
        if (end < 0) fail('unterminated CDATA section');
        text.push(xml.slice(pos + 9, end));
        pos = end + 3;
      } else if (xml.startsWith('<?', pos)) {
        readProcessingInstruction();
      } else {
        children.push(readElement());
      }
    }
  };

  const root = readElement();
  skipMisc();
  if (pos !== xml.length) fail('content after the root element');
  return root;
}

/** Every element of the tree, depth first. */
export function allElements(root: XmlElement): XmlElement[] {
  return [root, ...root.children.flatMap(allElements)];
}

/** All character data under an element, concatenated. */
export function textContent(element: XmlElement): string {
  return [...element.text, ...element.children.map(textContent)].join('');
}
