import * as crypto from 'crypto';
import { Token } from 'aws-cdk-lib';

/**
 * A Kubernetes object name (RFC 1123 label: lowercase letters, digits and `-`, at most 63
 * characters, alphanumeric at both ends) derived from mesh resource names. App Mesh names
 * allow upper case and `_`, which are folded (`serviceB` → `serviceb`); names that stay
 * too long are cut and get a short hash of the original. Folding can make two names equal:
 * callers that place several objects check for that.
 */
export function kubernetesName(...parts: string[]): string {
  for (const part of parts) {
    if (Token.isUnresolved(part)) {
      throw new Error(`Kubernetes object names need concrete values, got the deploy-time value '${part}'`);
    }
  }
  const original = parts.join('-');
  const folded = original.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '');
  if (folded.length > 0 && folded.length <= 63) return folded;
  const hash = crypto.createHash('sha256').update(original).digest('hex').slice(0, 8);
  const stem = folded.slice(0, 63 - hash.length - 1).replace(/-+$/g, '');
  return stem.length > 0 ? `${stem}-${hash}` : `x-${hash}`;
}

/** True when `name` is a valid RFC 1123 label (Service, namespace and container names). */
export function isKubernetesLabel(name: string): boolean {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name);
}

/**
 * A label value: at most 63 characters of alphanumerics, `-`, `_` and `.`, alphanumeric
 * at both ends. Mesh resource names mostly qualify as they are.
 */
export function labelValue(value: string): string {
  if (/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/.test(value)) return value;
  return kubernetesName(value);
}
