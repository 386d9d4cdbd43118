import * as fc from 'fast-check';
import { decodeUtf8Strict, firstInvalidUtf8Offset, InvalidUtf8Error } from '../../src/sources/strict-utf8';

describe('strict UTF-8 decoding', () => {
  test.each([
    ['a lone continuation byte', [0x61, 0x80, 0x62], 1],
    ['0xFF, never UTF-8', [0x7b, 0x7d, 0xff], 2],
    ['an overlong form of "/"', [0x61, 0xc0, 0xaf], 1],
    ['an overlong three-byte form', [0xe0, 0x80, 0x80], 0],
    ['a UTF-16 surrogate (U+D800)', [0x61, 0x62, 0xed, 0xa0, 0x80], 2],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a sequence cut short by the end', [0x22, 0xe2, 0x82], 1],
    ['a sequence cut short by ASCII', [0xe2, 0x82, 0x22, 0x22], 0],
  ])('%s is refused, naming the offset of the first bad sequence', (_what, bytes, offset) => {
    const input = Uint8Array.from(bytes);
    let thrown: unknown;
    try {
      decodeUtf8Strict(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidUtf8Error);
    expect((thrown as InvalidUtf8Error).offset).toBe(offset);
    expect((thrown as Error).message).toContain(`at byte offset ${offset}`);
  });

  test('well-formed text decodes as it was written, a leading BOM dropped', () => {
    const text = '{"hostname": "ünïcödé.apps.local", "emoji": "🚀"}';
    expect(decodeUtf8Strict(Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodeUtf8Strict(Buffer.from('\uFEFF{}', 'utf8'))).toBe('{}');
  });

  test('agrees with the platform decoder on any bytes, and the offset is where the well-formed prefix ends', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const valid = (bytes: Uint8Array): boolean => {
      try {
        fatal.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    // Bytes biased towards the lead and continuation ranges, so bad sequences are common but not all.
    const byte = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc0, max: 0xff }));
    fc.assert(fc.property(fc.array(byte, { maxLength: 24 }), (list) => {
      const bytes = Uint8Array.from(list);
      const offset = firstInvalidUtf8Offset(bytes);
      expect(offset === bytes.length).toBe(valid(bytes));
      expect(valid(bytes.subarray(0, offset))).toBe(true);
    }), { numRuns: 5000 });
  });
});
