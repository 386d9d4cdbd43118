import { ECDH_CURVES, SDS_CLUSTER_NAME } from './defaults';
import { bool, packed, TYPE } from './proto-json';
import { ProtoJson } from './types';
import {
  ClientPolicy,
  ListenerTls,
  SubjectAlternativeNames,
  VirtualGatewayClientPolicy,
  VirtualGatewayListenerTls,
} from '../../../src/spec/appmesh-types';

/**
 * TLS and mTLS (docs/envoy-mapping.md §9). File certificates by file name, SDS secrets from
 * the bootstrap's `static_cluster_sds_unix_socket`. ACM material stands for "certificates of the
 * mesh's private CA", which here is the open-app-mesh mesh CA: the agent beside Envoy serves the
 * node's certificate as SDS secret `default` and the mesh trust bundle as `ROOTCA` on that same
 * socket, so an `acm` certificate or trust becomes a reference to those (the ARNs are not used).
 */

type AnyListenerTls = ListenerTls | VirtualGatewayListenerTls;
export type AnyClientPolicy = ClientPolicy | VirtualGatewayClientPolicy;

/** The agent's SDS secret holding the node's mesh certificate and key. */
export const MESH_CERTIFICATE_SECRET = 'default';
/** The agent's SDS secret holding the mesh trust bundle. */
export const MESH_TRUST_SECRET = 'ROOTCA';

/** The virtual node behind a cluster: what its default SANs are made from. */
export interface UpstreamNode {
  readonly meshName: string;
  readonly virtualNodeName: string;
  /** DNS hostname or `<service>.<namespace>`: App Mesh's default SAN. */
  readonly discoveryName: string;
}

/** SDS secret reference served by the local SDS server (the agent, or e.g. the SPIRE agent). */
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

/** SAN matchers: exact strings, typed URI for SPIFFE-style ids, DNS otherwise. */
function sanMatchers(names: readonly string[]): ProtoJson[] {
  return names.map(exact => ({ san_type: exact.includes('://') ? 'URI' : 'DNS', matcher: { exact } }));
}

export function sanList(sans: SubjectAlternativeNames | undefined): string[] | undefined {
  const exact = sans?.match?.exact;
  return exact && exact.length > 0 ? [...exact] : undefined;
}

/**
 * The path every SPIFFE ID the mesh CA issues for `node` ends with:
 * `spiffe://<trust domain>/mesh/<mesh>/virtualNode/<name>`. Translate does not know the trust
 * domain (it is a flag of the program, not part of the spec), so the default SAN check of an
 * `acm` (mesh CA) trust matches this suffix. That is as strict as the whole ID: the trust is the
 * mesh CA alone, which issues certificates in its one trust domain only, and names hold no '/'.
 */
export function meshIdentitySuffix(node: UpstreamNode): string {
  return `/mesh/${node.meshName}/virtualNode/${node.virtualNodeName}`;
}

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

/**
 * Validation part of a common TLS context from a trust (file / sds / acm) and SAN matchers.
 * With an SDS trust (an `acm` trust is the agent's `ROOTCA`) and SANs, a combined context
 * carries both.
 */
function validation(trust: AnyTrust, matchers: ProtoJson[] | undefined): ProtoJson {
  const sans = matchers ? { match_typed_subject_alt_names: matchers } : {};
  if (trust.file) {
    return { validation_context: { trusted_ca: { filename: trust.file.certificateChain }, ...sans } };
  }
  const secret = sdsSecretConfig(trust.sds ? trust.sds.secretName : MESH_TRUST_SECRET);
  if (matchers) {
    return { combined_validation_context: { default_validation_context: sans, validation_context_sds_secret_config: secret } };
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
  if (cert?.acm) return meshCertificate();
  return {};
}

/** The node's mesh certificate, from the agent. */
function meshCertificate(): ProtoJson {
  return { tls_certificate_sds_secret_configs: [sdsSecretConfig(MESH_CERTIFICATE_SECRET)] };
}

export function tlsTransportSocket(typeUrl: string, context: ProtoJson): ProtoJson {
  return { name: 'envoy.transport_sockets.tls', typed_config: packed(typeUrl, context) };
}

/** Downstream TLS on an inbound chain; undefined when the listener's TLS is absent or DISABLED. */
export function listenerTransportSocket(tls: AnyListenerTls | undefined): ProtoJson | undefined {
  if (!tls || tls.mode === 'DISABLED') return undefined;
  const common: ProtoJson = { tls_params: { ecdh_curves: [...ECDH_CURVES] }, ...certificate(tls.certificate) };
  const context: ProtoJson = { common_tls_context: common };
  if (tls.validation) {
    const sans = sanList(tls.validation.subjectAlternativeNames);
    Object.assign(common, validation(tls.validation.trust, sans && sanMatchers(sans)));
    context.require_client_certificate = bool(true);
  }
  return tlsTransportSocket(TYPE.downstreamTlsContext, context);
}

/** The client policy's TLS when it applies to `port`: enforced, and the port among its ports (if any). */
export function appliedClientTls(policy: AnyClientPolicy | undefined, port: number): AnyClientPolicy['tls'] {
  const tls = policy?.tls;
  const applies = tls && tls.enforce !== false && (!tls.ports || tls.ports.length === 0 || tls.ports.includes(port));
  return applies ? tls : undefined;
}

/**
 * Upstream TLS on a `cds_egress_…` cluster. With an enforced client policy covering the port:
 * the policy's certificate and trust. SANs: the policy's; else, with an `acm` (mesh CA) trust,
 * the mesh identity of the upstream node (by URI suffix, see meshIdentitySuffix); else App Mesh's
 * default, the upstream's discovery name. A mesh CA trust without a client certificate presents
 * the node's own mesh certificate, so servers that ask for one learn who calls (App Mesh could not
 * express an ACM client certificate). Without a policy, TLS is still originated (unverified) when
 * the target listener is STRICT or PERMISSIVE. No SNI is sent, as in App Mesh.
 */
export function clusterTransportSocket(
  policy: AnyClientPolicy | undefined,
  port: number,
  targetTls: ListenerTls | undefined,
  upstream: UpstreamNode,
): ProtoJson | undefined {
  const tls = appliedClientTls(policy, port);
  if (tls) {
    const trust: AnyTrust = tls.validation.trust;
    const explicit = sanList(tls.validation.subjectAlternativeNames);
    const matchers = explicit
      ? sanMatchers(explicit)
      : trust.acm
        ? [{ san_type: 'URI', matcher: { suffix: meshIdentitySuffix(upstream) } }]
        : sanMatchers([upstream.discoveryName]);
    const common: ProtoJson = {
      tls_params: { ecdh_curves: [...ECDH_CURVES] },
      ...(tls.certificate ? certificate(tls.certificate) : trust.acm ? meshCertificate() : {}),
      ...validation(trust, matchers),
    };
    return tlsTransportSocket(TYPE.upstreamTlsContext, { common_tls_context: common });
  }
  if (targetTls && targetTls.mode !== 'DISABLED') {
    return tlsTransportSocket(TYPE.upstreamTlsContext, { common_tls_context: { tls_params: { ecdh_curves: [...ECDH_CURVES] } } });
  }
  return undefined;
}
