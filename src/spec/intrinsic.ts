/**
 * True for a CloudFormation intrinsic as it appears in a synthesized file: an object with one
 * key, `Ref` or `Fn::…`. The spec written into the cloud assembly renders deploy-time values this
 * way; they are resolved only when the spec is delivered, so readers of the assembly file treat
 * them as unknown (`parseMeshSpec(text, { isUnresolved: isCloudFormationIntrinsic })`).
 */
export function isCloudFormationIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}
