/**
 * Node identity on xDS streams: a stream may fetch only the node its client certificate names.
 * The TLS handshake has already proven the certificate chains to the mesh's trust bundle and is
 * in date; what is left is to read the one SPIFFE ID and compare the workload it names with the
 * node the stream claims (normalized by the caller, so the short id and the App Mesh ARN of one
 * node are the same claim).
 */
import { peerWorkload, sameWorkload, spiffeIdFor, SpiffeIdError, type PeerAuthContext, type WorkloadRef } from './spiffe';

/** Why a stream's identity does not allow its claim; `reason` is a bounded label value for metrics. */
export interface StreamIdentityRefusal {
  readonly reason: 'noIdentity' | 'identityMismatch';
  readonly message: string;
}

/** Undefined when the peer's certificate names exactly `claimed`; else the refusal, with the reason. */
export function streamIdentityRefusal(authContext: PeerAuthContext, claimed: WorkloadRef, trustDomain: string): StreamIdentityRefusal | undefined {
  let peer: WorkloadRef;
  try {
    peer = peerWorkload(authContext, trustDomain);
  } catch (error) {
    const why = error instanceof SpiffeIdError ? error.message : String(error);
    return { reason: 'noIdentity', message: `no mesh identity on this stream: ${why}` };
  }
  if (sameWorkload(peer, claimed)) return undefined;
  return {
    reason: 'identityMismatch',
    message: `the client certificate names ${spiffeIdFor(trustDomain, peer)}, which may stream only its own node's configuration`,
  };
}
