import { TYPE } from './proto-json';
import { AnyClientPolicy, appliedClientTls, meshIdentitySuffix, sanList, tlsTransportSocket, UpstreamNode } from './tls';
import { ProtoJson } from './types';

/**
 * Upstream TLS for proxyless gRPC clients (gRFC A29, as @grpc/grpc-js-xds reads it). A gRPC
 * client gets key material only from certificate providers named in its own bootstrap, never
 * from files or SDS secrets named in xDS, so only an `acm` trust (the mesh CA) maps: the client
 * presents, and verifies with, the provider instance `default`, which the application's
 * bootstrap points at the agent's --out-dir files (file_watcher). A policy with a file or SDS
 * certificate or trust gets no TLS, as before. grpc-js-xds refuses `tls_params` and reads only
 * the untyped `match_subject_alt_names`, so neither is the Envoy view's.
 */

/** The certificate provider instance proxyless bootstraps define for the mesh certificate. */
export const MESH_CERTIFICATE_PROVIDER = 'default';

export function proxylessClusterTransportSocket(policy: AnyClientPolicy | undefined, port: number, upstream: UpstreamNode): ProtoJson | undefined {
  const tls = appliedClientTls(policy, port);
  if (!tls || !tls.validation.trust.acm || tls.certificate) return undefined;
  const explicit = sanList(tls.validation.subjectAlternativeNames);
  const sans = explicit ? explicit.map(exact => ({ exact })) : [{ suffix: meshIdentitySuffix(upstream) }];
  const provider = { instance_name: MESH_CERTIFICATE_PROVIDER };
  return tlsTransportSocket(TYPE.upstreamTlsContext, {
    common_tls_context: {
      tls_certificate_provider_instance: provider,
      validation_context: { ca_certificate_provider_instance: provider, match_subject_alt_names: sans },
    },
  });
}
