/**
 * Text width estimates for the SVG writer, which has no font engine to ask.
 *
 * The drawing names 'DejaVu Sans' first (Verdana-like proportions; wider than Arial or
 * Helvetica), and the table holds its advance widths in em for printable ASCII, so an
 * estimate errs on the wide side whichever of the listed fonts a viewer picks.
 * Monospace text is exact: every glyph of DejaVu Sans Mono is 0.602 em.
 */

export const SANS_FONT_FAMILY = "'DejaVu Sans', Verdana, 'Segoe UI', Arial, Helvetica, sans-serif";
export const MONO_FONT_FAMILY = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace";

const MONO_ADVANCE_EM = 0.602;
const BOLD_FACTOR = 1.1;
const OTHER_CHAR_EM = 0.75;

// Advance widths (em) of DejaVu Sans, code points 32..126.
const SANS_ADVANCE_EM: readonly number[] = [
  0.318, 0.401, 0.460, 0.838, 0.636, 0.950, 0.780, 0.275, 0.390, 0.390, 0.500, 0.838, 0.318, 0.361, 0.318, 0.337, // ' '..'/'
  0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.337, 0.337, 0.838, 0.838, 0.838, 0.531, // '0'..'?'
  1.000, 0.684, 0.686, 0.698, 0.770, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787, // '@'..'O'
  0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685, 0.390, 0.337, 0.390, 0.838, 0.500, // 'P'..'_'
  0.500, 0.613, 0.635, 0.550, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612, // '`'..'o'
  0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525, 0.636, 0.337, 0.636, 0.838, // 'p'..'~'
];

/** Estimated width in pixels of `text` set in the sans family. */
export function sansTextWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    em += code >= 32 && code <= 126 ? SANS_ADVANCE_EM[code - 32] : OTHER_CHAR_EM;
  }
  return em * fontSize * (bold ? BOLD_FACTOR : 1);
}

/** Width in pixels of `text` set in the monospace family. */
export function monoTextWidth(text: string, fontSize: number): number {
  return [...text].length * MONO_ADVANCE_EM * fontSize;
}
