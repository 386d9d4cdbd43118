/**
 * How stored CA material changes hands from one signing CA to the next, without I/O.
 *
 * A rotation is prepared (`pending`: trusted at once, signing from `activatesAt`), and the
 * pending CA takes over by itself once that time has come: every replica derives the same view
 * from the same stored material and clock, so taking over needs no second write.
 */
import type { CaMaterial } from './ca-store';

/** A signing CA: its certificate, key, and the certificates above it when it is not a root. */
export interface SigningCaMaterial {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly anchors?: readonly string[];
}

/** Refuses a second prepared rotation while one is still pending. */
export class RotationPendingError extends Error {
  constructor(readonly activatesAt: string) {
    super(`mesh CA: a rotation is already under way: the next CA is in the trust bundle and starts signing at ${activatesAt}; `
      + 'prepare another after that');
    this.name = 'RotationPendingError';
  }
}

/**
 * `next` signs instead of the active CA, which stays trusted until `trustedUntil` (when every leaf
 * it signed has expired), as do the anchors `next` does not share (moving to or from an ACM Private CA).
 * No pending CA is kept: it is either `next` or dropped.
 */
export function succeed(material: CaMaterial, next: SigningCaMaterial, trustedUntil: string): CaMaterial {
  const kept = new Set((next.anchors ?? []).map((pem) => pem.trim()));
  const dropped = (material.anchors ?? []).filter((pem) => !kept.has(pem.trim()));
  return {
    format: material.format,
    generation: material.generation,
    active: { certificatePem: next.certificatePem, privateKeyPem: next.privateKeyPem },
    retired: [
      ...material.retired,
      { certificatePem: material.active.certificatePem, trustedUntil },
      ...dropped.map((certificatePem) => ({ certificatePem, trustedUntil })),
    ],
    ...(next.anchors?.length ? { anchors: [...next.anchors] } : {}),
  };
}

/**
 * The material as it stands at `now`: once `activatesAt` has come, the pending CA is the active one
 * and the one it replaces is retired for `retireAfterMs` from `activatesAt` (the longest leaf
 * lifetime + clock skew), as if the rotation had been done then.
 */
export function materialAt(material: CaMaterial, now: number, retireAfterMs: number): CaMaterial {
  const pending = material.pending;
  if (!pending || now < Date.parse(pending.activatesAt)) return material;
  const trustedUntil = new Date(Date.parse(pending.activatesAt) + retireAfterMs).toISOString();
  return succeed(material, pending, trustedUntil);
}

/** Drops retired CAs whose time is over, so a store does not grow with every rotation. */
export function withoutExpired(material: CaMaterial, now: number): CaMaterial {
  return { ...material, retired: material.retired.filter((r) => Date.parse(r.trustedUntil) > now) };
}
