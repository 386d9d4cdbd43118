/**
 * Whether two parsed spec values hold the same JSON content (key order aside: translate never
 * iterates a spec object's keys, and parseMeshSpec sorts them anyway). A walk without allocation,
 * cheaper than serialising both sides.
 */
export function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      const y = b[i];
      if (x !== y && (typeof x !== 'object' || !sameContent(x, y))) return false;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let count = 0;
  for (const key in left) {
    const x = left[key];
    const y = right[key];
    if (x !== y && (typeof x !== 'object' || !sameContent(x, y))) return false;
    count++;
  }
  for (const _ in right) count--;
  return count === 0;
}
