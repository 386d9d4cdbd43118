import { describeValue } from './schema-check';

/**
 * Characters no mesh resource name may hold. App Mesh names are otherwise free-form (1–255
 * characters), but a name is also a segment of the resource's ARN and of the proxy node id
 * (`mesh/<mesh>/virtualNode/<name>`), which are split on "/": the service refused names that
 * would make them ambiguous. Control characters would end up in node ids, Envoy stat names,
 * headers and log lines, where they break parsing or forge entries.
 */
const FORBIDDEN = /[/\u0000-\u001f\u007f-\u009f]/;

/** A mesh name may not hold "@" either: node ids spell a shared mesh `mesh/<mesh>@<owner account>/…`. */
const FORBIDDEN_IN_MESH_NAME = /[/@\u0000-\u001f\u007f-\u009f]/;

/**
 * Why `name` cannot name a mesh resource, or undefined when its characters are fine.
 * `what` names the field in the message, e.g. `virtual node name`.
 */
export function nameCharacterProblem(name: string, what: string): string | undefined {
  const found = (what === 'mesh name' ? FORBIDDEN_IN_MESH_NAME : FORBIDDEN).exec(name);
  if (found === null) return undefined;
  const char = found[0];
  const subject = `the ${what} ${describeValue(name)}`;
  const position = `at position ${found.index + 1}`;
  if (char === '/') {
    return `${subject} contains "/" (${position}); names must not contain "/", which separates the parts of ARNs and node ids (mesh/<mesh>/virtualNode/<name>)`;
  }
  if (char === '@') {
    return `${subject} contains "@" (${position}); mesh names must not contain "@", which separates a shared mesh's name from its owner account in node ids (mesh/<mesh>@<owner>/virtualNode/<name>)`;
  }
  const code = `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return `${subject} contains the control character ${code} (${position}); names must not contain control characters`;
}
