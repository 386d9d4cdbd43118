/**
 * Strict UTF-8 decoding for spec (and other watched) bytes. A lenient decoder turns a bad byte
 * into U+FFFD, which then validates as an ordinary character and reaches clients (a hostname
 * ending in U+FFFD was served once); a bad byte must reject the whole input instead.
 */
const DECODER = new TextDecoder('utf-8', { fatal: true });

/** Bytes that are not UTF-8, with where the first ill-formed sequence starts. */
export class InvalidUtf8Error extends Error {
  constructor(readonly offset: number, readonly byte: number | undefined) {
    const shown = byte === undefined ? '' : ` (0x${byte.toString(16).toUpperCase().padStart(2, '0')})`;
    super(`not valid UTF-8: bad byte${shown} at byte offset ${offset}`);
    this.name = 'InvalidUtf8Error';
  }
}

/** Decodes UTF-8 (a leading BOM is dropped); throws InvalidUtf8Error naming the first bad byte. */
export function decodeUtf8Strict(bytes: Uint8Array): string {
  try {
    return DECODER.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8Offset(bytes);
    throw new InvalidUtf8Error(offset, bytes[offset]);
  }
}

/**
 * Offset of the lead byte of the first ill-formed sequence (the decoder does not say where it
 * failed), following the WHATWG decoder's rules: no overlong forms, no surrogates, nothing
 * above U+10FFFF, no truncated sequence. bytes.length when all is well-formed.
 */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    let trailing: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      trailing = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      trailing = 2;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      trailing = 3;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else {
      return i;
    }
    for (let k = 1; k <= trailing; k++) {
      const next = bytes[i + k];
      // Only the first continuation byte has a narrowed range.
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += trailing + 1;
  }
  return bytes.length;
}
