/**
 * What an HTTP connection manager with `normalize_path` (RFC 3986 §5.2.4, removing `.` and `..`
 * segments) and `merge_slashes` does to the path before routing. Gateways render both on.
 * The query string is left as it is.
 */
export function normalizePath(path: string, options: { readonly dotSegments: boolean; readonly mergeSlashes: boolean }): string {
  const queryAt = path.search(/[?#]/);
  let pathPart = queryAt < 0 ? path : path.slice(0, queryAt);
  const rest = queryAt < 0 ? '' : path.slice(queryAt);
  if (options.dotSegments) pathPart = removeDotSegments(pathPart);
  if (options.mergeSlashes) pathPart = pathPart.replace(/\/{2,}/g, '/');
  return `${pathPart}${rest}`;
}

function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..' && out.length > 1) out.pop();
      // A trailing dot segment leaves a directory path (`/a/b/..` → `/a/`).
      if (last) out.push('');
      continue;
    }
    out.push(segment);
  }
  const joined = out.join('/');
  return joined.startsWith('/') ? joined : `/${joined}`;
}
