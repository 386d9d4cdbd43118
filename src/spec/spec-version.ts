import { KNOWN_SPEC_VERSIONS, SPEC_VERSION } from './document';
import { SpecIssue } from './issue';
import { describeValue } from './schema-check';

/**
 * The issue for a `specVersion` a reader does not know, or undefined when it knows it. `known` is
 * the reader's list (`KNOWN_SPEC_VERSIONS` here; a control plane released before extensions knew
 * only `SPEC_VERSION`, and refused a v2 document with this same message).
 */
export function specVersionIssue(version: unknown, known: readonly string[] = KNOWN_SPEC_VERSIONS): SpecIssue | undefined {
  if (typeof version === 'string' && known.includes(version)) return undefined;
  const knownText = known.map(v => JSON.stringify(v)).join(', ');
  const found = version === undefined ? 'the document has none' : `the document has ${describeValue(version)}`;
  const newer = typeof version === 'string' && /^open-app-mesh\/v[0-9]+$/.test(version) && version !== SPEC_VERSION
    ? '; it was written for a newer control plane (one that knows its extensions): upgrade the control plane rather than drop the policies it carries'
    : '';
  return { path: 'specVersion', message: `unknown spec version: this reader understands ${knownText}, ${found}${newer}` };
}
