import { ECDH_CURVES, SDS_CLUSTER_NAME } from './defaults';
import { adsConfigSource, bool, packed, TYPE } from './proto-json';
import { ProtoJson } from './types';
import {
  ClientPolicy,
  ListenerTls,
  SubjectAlternativeNames,
  VirtualGatewayClientPolicy,
  VirtualGatewayListenerTls,
} from '../../../src/spec/appmesh-types';

/**
 * TLS and mTLS (appmesh-envoy-mapping.md §9). File certificates by file name, SDS secrets from
 * the bootstrap's `static_cluster_sds_unix_socket`; ACM material is named after its ARN and
 * expected over the ADS stream (App Mesh pushed it as secrets; this control plane does not
 * export ACM certificates, so such contexts stay unsatisfied until a secret of that name exists).
 */

type AnyListenerTls = ListenerTls | VirtualGatewayListenerTls;
type AnyClientPolicy = ClientPolicy | VirtualGatewayClientPolicy;

/** SDS secret reference served by the local SDS server (e.g. the SPIRE agent). */
export function sdsSecretConfig(name: string): ProtoJson {
  return {
    name,
    sds_config: {
      api_config_source: {
        api_type: 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [{ envoy_grpc: { cluster_name: SDS_CLUSTER_NAME } }],
      },
      resource_api_version: 'V3',
    },
  };
}

/** Secret reference fetched over the ADS stream (ACM material). */
function adsSecretConfig(name: string): ProtoJson {
  return { name, sds_config: adsConfigSource() };
}

/** SAN matchers: exact strings, typed URI for SPIFFE-style ids, DNS otherwise. */
function sanMatchers(names: readonly string[]): ProtoJson[] {
  return names.map(exact => ({ san_type: exact.includes('://') ? 'URI' : 'DNS', matcher: { exact } }));
}

function sanList(sans: SubjectAlternativeNames | undefined): string[] | undefined {
  const exact = sans?.match?.exact;
  return exact && exact.length > 0 ? [...exact] : undefined;
}

/**
 * Validation part of a common TLS context from a trust (file / sds / acm) and SANs.
 * With an SDS trust and SANs, a combined context carries both.
 */
/** Any of the trust shapes (node, gateway, listener): exactly one member is set. */
interface AnyTrust {
  readonly file?: { readonly certificateChain: string };
  readonly sds?: { readonly secretName: string };
  readonly acm?: { readonly certificateAuthorityArns: string[] };
}

/** Any of the certificate shapes. */
interface AnyCertificate {
  readonly file?: { readonly certificateChain: string; readonly privateKey: string };
  readonly sds?: { readonly secretName: string };
  readonly acm?: { readonly certificateArn: string };
}

function validation(trust: AnyTrust, sans: string[] | undefined): ProtoJson {
  const matchers = sans ? { match_typed_subject_alt_names: sanMatchers(sans) } : {};
  if (trust.file) {
    return { validation_context: { trusted_ca: { filename: trust.file.certificateChain }, ...matchers } };
  }
  // ACM: one secret per trust, named after the first CA ARN (the others are not representable).
  const secret = trust.sds ? sdsSecretConfig(trust.sds.secretName) : adsSecretConfig(trust.acm?.certificateAuthorityArns[0] ?? '');
  if (sans) {
    return { combined_validation_context: { default_validation_context: matchers, validation_context_sds_secret_config: secret } };
  }
  return { validation_context_sds_secret_config: secret };
}

function certificate(cert: AnyCertificate | undefined): ProtoJson {
  if (cert?.file) {
    return { tls_certificates: [{ certificate_chain: { filename: cert.file.certificateChain }, private_key: { filename: cert.file.privateKey } }] };
  }
  if (cert?.sds) {
    return { tls_certificate_sds_secret_configs: [sdsSecretConfig(cert.sds.secretName)] };
  }
  if (cert?.acm) {
    return { tls_certificate_sds_secret_configs: [adsSecretConfig(cert.acm.certificateArn)] };
  }
  return {};
}

function tlsTransportSocket(typeUrl: string, context: ProtoJson): ProtoJson {
  return { name: 'envoy.transport_sockets.tls', typed_config: packed(typeUrl, context) };
}

/** Downstream TLS on an inbound chain; undefined when the listener's TLS is absent or DISABLED. */
export function listenerTransportSocket(tls: AnyListenerTls | undefined): ProtoJson | undefined {
  if (!tls || tls.mode === 'DISABLED') return undefined;
  const common: ProtoJson = { tls_params: { ecdh_curves: [...ECDH_CURVES] }, ...certificate(tls.certificate) };
  const context: ProtoJson = { common_tls_context: common };
  if (tls.validation) {
    Object.assign(common, validation(tls.validation.trust, sanList(tls.validation.subjectAlternativeNames)));
    context.require_client_certificate = bool(true);
  }
  return tlsTransportSocket(TYPE.downstreamTlsContext, context);
}

/**
 * Upstream TLS on a `cds_egress_…` cluster. With an enforced client policy covering the port:
 * the policy's certificate and trust; SANs default to the target's discovery name. Without one,
 * TLS is still originated (unverified) when the target listener is STRICT or PERMISSIVE. No SNI
 * is sent, as in App Mesh.
 */
export function clusterTransportSocket(
  policy: AnyClientPolicy | undefined,
  port: number,
  targetTls: ListenerTls | undefined,
  targetDiscoveryName: string,
): ProtoJson | undefined {
  const tls = policy?.tls;
  const applies = tls && tls.enforce !== false && (!tls.ports || tls.ports.length === 0 || tls.ports.includes(port));
  if (tls && applies) {
    const sans = sanList(tls.validation.subjectAlternativeNames) ?? [targetDiscoveryName];
    const common: ProtoJson = {
      tls_params: { ecdh_curves: [...ECDH_CURVES] },
      ...certificate(tls.certificate),
      ...validation(tls.validation.trust, sans),
    };
    return tlsTransportSocket(TYPE.upstreamTlsContext, { common_tls_context: common });
  }
  if (targetTls && targetTls.mode !== 'DISABLED') {
    return tlsTransportSocket(TYPE.upstreamTlsContext, { common_tls_context: { tls_params: { ecdh_curves: [...ECDH_CURVES] } } });
  }
  return undefined;
}
