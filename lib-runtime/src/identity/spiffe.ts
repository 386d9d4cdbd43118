/**
 * SPIFFE IDs of mesh workloads: the trust domain, and the mapping between a proxy's node and the
 * one URI SAN its certificate carries:
 *
 *   spiffe://<trust domain>/mesh/<mesh>/virtualNode/<name>
 *   spiffe://<trust domain>/mesh/<mesh>/virtualGateway/<name>
 *
 * The xDS authorize hook reads the peer's SPIFFE ID with `peerWorkload(authContext, trustDomain)`
 * and compares it with the node the stream claims (normalized by translate's `parseNodeId`, which
 * also accepts the ARN forms); the CA puts `spiffeIdFor(...)` into the certificates it issues.
 */
import type { PeerCertificate } from 'tls';

/** Which mesh resource a certificate stands for (the same shape as translate's NodeRef). */
export interface WorkloadRef {
  readonly meshName: string;
  readonly kind: 'virtualNode' | 'virtualGateway';
  readonly name: string;
}

/** A trust domain, SPIFFE ID or peer certificate that cannot name a mesh workload. */
export class SpiffeIdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpiffeIdError';
  }
}

const SCHEME = 'spiffe://';
const TRUST_DOMAIN_CHARS = /^[a-z0-9._-]+$/;
const PATH_SEGMENT_CHARS = /^[A-Za-z0-9._-]+$/;
// SPIFFE: trust domain names are at most 255 bytes, whole IDs at most 2048 bytes.
const MAX_TRUST_DOMAIN = 255;
const MAX_SPIFFE_ID = 2048;

/**
 * Checks a trust domain name (the `--trust-domain` flag) by the SPIFFE rules and returns it:
 * lowercase letters, digits, '.', '-' and '_'; no scheme, port, userinfo or path.
 */
export function validateTrustDomain(trustDomain: string): string {
  const problem = trustDomainProblem(trustDomain);
  if (problem) throw new SpiffeIdError(`trust domain ${JSON.stringify(trustDomain)}: ${problem}`);
  return trustDomain;
}

function trustDomainProblem(td: string): string | undefined {
  if (typeof td !== 'string' || td.length === 0) return 'must not be empty';
  if (td.length > MAX_TRUST_DOMAIN) return `longer than ${MAX_TRUST_DOMAIN} characters`;
  if (td.includes('://')) return 'give the name only, without a scheme';
  if (td.includes('@')) return 'must not contain userinfo (\'@\')';
  if (td.includes(':')) return 'must not contain a port (\':\')';
  if (td.includes('/')) return 'must not contain a path (\'/\')';
  if (td !== td.toLowerCase()) return 'must be lowercase';
  if (!TRUST_DOMAIN_CHARS.test(td)) return 'may hold only lowercase letters, digits, \'.\', \'-\' and \'_\'';
  return undefined;
}

/** The SPIFFE ID of a workload in a trust domain. */
export function spiffeIdFor(trustDomain: string, workload: WorkloadRef): string {
  validateTrustDomain(trustDomain);
  if (workload.kind !== 'virtualNode' && workload.kind !== 'virtualGateway') {
    throw new SpiffeIdError(`workload kind ${JSON.stringify(workload.kind)} is neither virtualNode nor virtualGateway`);
  }
  checkSegment(workload.meshName, 'mesh name');
  checkSegment(workload.name, `${workload.kind} name`);
  return `${SCHEME}${trustDomain}/mesh/${workload.meshName}/${workload.kind}/${workload.name}`;
}

/** The workload a SPIFFE ID names; refuses IDs of another trust domain or of another shape. */
export function workloadOf(trustDomain: string, spiffeId: string): WorkloadRef {
  validateTrustDomain(trustDomain);
  const fail = (why: string): never => {
    throw new SpiffeIdError(`SPIFFE ID ${JSON.stringify(truncate(spiffeId))}: ${why}`);
  };
  if (typeof spiffeId !== 'string' || spiffeId.length > MAX_SPIFFE_ID) fail(`not a string of at most ${MAX_SPIFFE_ID} characters`);
  // The scheme is case-insensitive by RFC 3986, SPIFFE requires it lowercase; so do we.
  if (!spiffeId.startsWith(SCHEME)) fail('does not start with spiffe://');
  const rest = spiffeId.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const domain = slash < 0 ? rest : rest.slice(0, slash);
  const domainProblem = trustDomainProblem(domain);
  if (domainProblem) fail(`trust domain ${domainProblem}`);
  if (domain !== trustDomain) fail(`belongs to trust domain "${domain}", not "${trustDomain}"`);
  const parts = slash < 0 ? [] : rest.slice(slash + 1).split('/');
  if (parts.length !== 4 || parts[0] !== 'mesh' || (parts[2] !== 'virtualNode' && parts[2] !== 'virtualGateway')) {
    fail('expected path /mesh/<mesh>/virtualNode/<name> or /mesh/<mesh>/virtualGateway/<name>');
  }
  const [, meshName, kind, name] = parts;
  for (const segment of [meshName, name]) {
    if (!PATH_SEGMENT_CHARS.test(segment) || segment === '.' || segment === '..') fail(`path segment ${JSON.stringify(segment)} is not allowed`);
  }
  return { meshName, kind: kind as WorkloadRef['kind'], name };
}

/** The short node id `mesh/<mesh>/<kind>/<name>` of a workload. */
export function nodeIdOf(workload: WorkloadRef): string {
  return `mesh/${workload.meshName}/${workload.kind}/${workload.name}`;
}

export function sameWorkload(a: WorkloadRef, b: WorkloadRef): boolean {
  return a.meshName === b.meshName && a.kind === b.kind && a.name === b.name;
}

/**
 * The URI SANs of a certificate as Node reports them in `subjectaltname`, e.g.
 * `DNS:a.example, URI:spiffe://td/x, IP Address:127.0.0.1`. Node quotes a value holding ',' or
 * '"' as a JSON string (`URI:"a, b"`), so a comma inside a value cannot split it.
 */
export function uriSansOf(subjectAltName: string | undefined): string[] {
  const uris: string[] = [];
  const text = subjectAltName ?? '';
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) throw new SpiffeIdError(`unreadable subjectAltName ${JSON.stringify(truncate(text))}`);
    const type = text.slice(i, colon);
    let value: string;
    let end: number;
    if (text[colon + 1] === '"') {
      end = closingQuote(text, colon + 2);
      value = JSON.parse(text.slice(colon + 1, end + 1)) as string;
      end += 1;
    } else {
      const comma = text.indexOf(', ', colon + 1);
      end = comma < 0 ? text.length : comma;
      value = text.slice(colon + 1, end);
    }
    if (type === 'URI') uris.push(value);
    if (end < text.length && !text.startsWith(', ', end)) throw new SpiffeIdError(`unreadable subjectAltName ${JSON.stringify(truncate(text))}`);
    i = end + 2;
  }
  return uris;
}

function closingQuote(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j;
  }
  throw new SpiffeIdError(`unreadable subjectAltName ${JSON.stringify(truncate(text))}`);
}

/** The one SPIFFE ID of a peer certificate; refuses a certificate with no URI SAN or several. */
export function peerSpiffeId(certificate: PeerCertificate | undefined): string {
  if (!certificate || Object.keys(certificate).length === 0) {
    throw new SpiffeIdError('the peer presented no certificate');
  }
  const uris = uriSansOf(certificate.subjectaltname);
  if (uris.length !== 1) {
    throw new SpiffeIdError(`the peer certificate has ${uris.length} URI SANs; an X.509-SVID has exactly one`);
  }
  return uris[0];
}

/** What grpc-js's `call.getAuthContext()` gives (the part read here). */
export interface PeerAuthContext {
  readonly transportSecurityType?: string;
  readonly sslPeerCertificate?: PeerCertificate;
}

/** The workload a TLS peer is, from its certificate's SPIFFE ID in `trustDomain`. */
export function peerWorkload(authContext: PeerAuthContext, trustDomain: string): WorkloadRef {
  if (authContext.transportSecurityType !== 'ssl') {
    throw new SpiffeIdError('the stream is not TLS, so it carries no identity');
  }
  return workloadOf(trustDomain, peerSpiffeId(authContext.sslPeerCertificate));
}

function checkSegment(segment: string, what: string): void {
  if (typeof segment !== 'string' || !PATH_SEGMENT_CHARS.test(segment) || segment === '.' || segment === '..') {
    throw new SpiffeIdError(`${what} ${JSON.stringify(segment)} cannot be a SPIFFE path segment (letters, digits, '.', '-', '_')`);
  }
}

function truncate(text: string): string {
  return typeof text === 'string' && text.length > 200 ? `${text.slice(0, 200)}…` : String(text);
}
