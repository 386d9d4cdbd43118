/**
 * Drop `undefined` members and empty arrays from a spec fragment (one level deep),
 * so a rendered spec only holds what the user set or what has a default.
 */
export function compact<T extends object>(fragment: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fragment)) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    out[key] = value;
  }
  return out as T;
}
