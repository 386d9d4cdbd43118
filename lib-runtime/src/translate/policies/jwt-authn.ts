import { JwtAuthenticationPolicy, JwtProvider, RemoteJwks } from '../../../../src/spec/extensions/jwt-authentication';
import { DEFAULT_DNS_LOOKUP_FAMILY, REMOTE_CONNECT_TIMEOUT_MS } from '../defaults';
import { staticLoadAssignment } from '../endpoints';
import { appMeshMillis, durationMs, packed, TYPE } from '../proto-json';
import { tlsTransportSocket } from '../tls';
import { ProtoJson } from '../types';

/**
 * End-user authentication at a gateway (Envoy `jwt_authn`). A provider with remote keys fetches
 * them through a cluster made for the JWKS host, `oam_jwks_<host>_<port>` (TLS for https, checking
 * the host name against the CA bundle file). Envoy only: gateways have no proxyless view of it.
 */

export const JWT_AUTHN = 'envoy.filters.http.jwt_authn';
const JWT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';
const DEFAULT_JWKS_TIMEOUT_MS = 5_000;
export const DEFAULT_TRUSTED_CA_FILE = '/etc/ssl/certs/ca-certificates.crt';

interface JwksHost {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
}

/** Scheme, host and port of a JWKS URL (IPv6 literals in brackets). */
export function jwksHost(uri: string): JwksHost {
  const url = new URL(uri);
  const tls = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { tls, host, port: url.port ? Number(url.port) : tls ? 443 : 80 };
}

/** The cluster name a JWKS URL is fetched through. */
export function jwksClusterName(uri: string): string {
  const { host, port } = jwksHost(uri);
  return `oam_jwks_${host}_${port}`;
}

/** The cluster for a JWKS host: resolved by DNS, TLS with SNI and a host name check for https. */
export function jwksCluster(remote: RemoteJwks): ProtoJson {
  const { tls, host, port } = jwksHost(remote.uri);
  const name = jwksClusterName(remote.uri);
  const cluster: ProtoJson = {
    name,
    type: 'LOGICAL_DNS',
    dns_lookup_family: DEFAULT_DNS_LOOKUP_FAMILY,
    connect_timeout: durationMs(REMOTE_CONNECT_TIMEOUT_MS),
    lb_policy: 'ROUND_ROBIN',
    load_assignment: staticLoadAssignment(name, host, port),
  };
  if (tls) {
    cluster.transport_socket = tlsTransportSocket(TYPE.upstreamTlsContext, {
      sni: host,
      common_tls_context: {
        validation_context: {
          trusted_ca: { filename: remote.trustedCaFile ?? DEFAULT_TRUSTED_CA_FILE },
          match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: host } }],
        },
      },
    });
  }
  return cluster;
}

/** Every JWKS cluster a policy needs, once per host and port, by name. */
export function jwksClusters(policy: JwtAuthenticationPolicy): ProtoJson[] {
  const byName = new Map<string, ProtoJson>();
  for (const { remoteJwks } of policy.providers) {
    if (remoteJwks && !byName.has(jwksClusterName(remoteJwks.uri))) byName.set(jwksClusterName(remoteJwks.uri), jwksCluster(remoteJwks));
  }
  return [...byName.keys()].sort().map(name => byName.get(name)!);
}

function provider(p: JwtProvider): ProtoJson {
  const out: ProtoJson = { issuer: p.issuer };
  if (p.audiences?.length) out.audiences = [...p.audiences];
  if (p.remoteJwks) {
    const timeout = durationMs(appMeshMillis(p.remoteJwks.timeout) ?? DEFAULT_JWKS_TIMEOUT_MS);
    const remote: ProtoJson = { http_uri: { uri: p.remoteJwks.uri, cluster: jwksClusterName(p.remoteJwks.uri), timeout } };
    const cache = appMeshMillis(p.remoteJwks.cacheDuration);
    if (cache !== undefined) remote.cache_duration = durationMs(cache);
    out.remote_jwks = remote;
  } else if (p.localJwks) {
    out.local_jwks = { inline_string: p.localJwks.inline };
  }
  if (p.forward) out.forward = true;
  if (p.claimToHeaders?.length) out.claim_to_headers = p.claimToHeaders.map(c => ({ header_name: c.header, claim_name: c.claim }));
  return out;
}

function requirement(names: readonly string[]): ProtoJson | undefined {
  if (names.length === 0) return undefined;
  if (names.length === 1) return { provider_name: names[0] };
  return { requires_any: { requirements: names.map(provider_name => ({ provider_name })) } };
}

/** The HTTP filter: providers by name, and one rule per policy rule (all providers on `/` without rules). */
export function jwtAuthnFilter(policy: JwtAuthenticationPolicy): ProtoJson {
  const providers: ProtoJson = {};
  for (const p of policy.providers) providers[p.name] = provider(p);
  const rules = policy.rules ?? [{ prefix: '/', providers: policy.providers.map(p => p.name) }];
  const config = {
    providers,
    rules: rules.map(rule => {
      const requires = requirement(rule.providers);
      return { match: { prefix: rule.prefix ?? '/' }, ...(requires ? { requires } : {}) };
    }),
  };
  return { name: JWT_AUTHN, typed_config: packed(JWT_TYPE, config) };
}
