import { allElements, parseWellFormedXml, textContent } from './xml-well-formed';

// The checker guards the SVG tests, so it must itself reject what is not well-formed.
describe('parseWellFormedXml', () => {
  test('reads a document with a declaration, comments, attributes and references', () => {
    const root = parseWellFormedXml('<?xml version="1.0" encoding="UTF-8"?>\n<!-- hi -->\n<a x="1" y=\'&lt;2&gt;\'><b>t &amp; &#65;&#x42;</b><c/></a>\n');
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual({ x: '1', y: '<2>' });
    expect(allElements(root).map((e) => e.name)).toEqual(['a', 'b', 'c']);
    expect(textContent(root)).toBe('t & AB');
  });

  test.each([
    ['mismatched tags', '<a><b></a></b>'],
    ['unclosed root', '<a><b/>'],
    ['two roots', '<a/><b/>'],
    ['text after the root', '<a/>x'],
    ['bare ampersand in text', '<a>fish & chips</a>'],
    ['bare ampersand in an attribute', '<a t="x & y"/>'],
    ['unknown entity', '<a>&nbsp;</a>'],
    ['< in an attribute', '<a t="<"/>'],
    ['unquoted attribute', '<a t=1/>'],
    ['duplicate attribute', '<a t="1" t="2"/>'],
    ['attributes without space', '<a t="1"u="2"/>'],
    ['control character', '<a>\u0001</a>'],
    ['double hyphen in a comment', '<a><!-- a -- b --></a>'],
    [']]> in text', '<a>]]></a>'],
    ['bad name', '<1a/>'],
    ['malformed declaration', '<?xml version=1.0?><a/>'],
    ['nothing', ''],
  ])('rejects %s', (_, xml) => {
    expect(() => parseWellFormedXml(xml)).toThrow(/not well-formed XML/);
  });
});
