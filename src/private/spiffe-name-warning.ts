import { Annotations, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Id of the warning: acknowledge it where the mesh runs without the control plane's CA. */
export const SPIFFE_NAME_WARNING = 'open-app-mesh:node-name-not-spiffe-safe';

/**
 * What one path segment of a SPIFFE ID may be: letters, digits, '.', '-' and '_', but not '.' or
 * '..'. The runtime's CA refuses any other name (lib-runtime/src/identity/spiffe.ts holds the same
 * rule; src/ does not import the runtime).
 */
export function isSpiffeSafe(name: string): boolean {
  return /^[A-Za-z0-9._-]+$/.test(name) && name !== '.' && name !== '..';
}

/**
 * Warns at synth when a name in a proxy's identity, spiffe://<trust domain>/mesh/<mesh>/<kind>/<name>,
 * cannot be a path segment: the CA can never issue that proxy a certificate, so mutual TLS to the
 * control plane and mesh TLS from the CA fail for it. Names known only at deploy time are not checked.
 */
export function warnIfNotSpiffeSafe(scope: IConstruct, consequence: string, names: ReadonlyArray<readonly [what: string, name: string]>): void {
  const unsafe = names.filter(([, name]) => !Token.isUnresolved(name) && !isSpiffeSafe(name));
  if (unsafe.length === 0) return;
  const listed = unsafe.map(([what, name]) => `${what} ${JSON.stringify(name)}`).join(' and ');
  Annotations.of(scope).addWarningV2(SPIFFE_NAME_WARNING, `[${scope.node.path}] ${listed} cannot appear in a SPIFFE ID `
    + `(only letters, digits, '.', '-' and '_'): ${consequence} can never get a certificate from the control plane's mesh CA, `
    + 'so xDS over mutual TLS and mesh TLS from the CA fail there. Rename it, or acknowledge this where the control plane runs '
    + 'with --insecure-plaintext and no mesh TLS from the CA');
}
