import { Annotations } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ListenerTlsOptions } from '../listener-tls-options';
import * as spec from '../spec';
import { TlsClientPolicy } from '../tls-client-policy';
import { MutualTlsValidation, TlsValidation } from '../tls-validation';

/** One id for both ACM warnings: acknowledging it says "ACM here means the mesh CA". */
const ACM_MESH_CA_WARNING = 'open-app-mesh:acm-mesh-ca';
const NEEDS_AGENT = 'The workload needs the open-app-mesh agent beside Envoy (the platform constructs add it to ECS sidecars).';

/**
 * ACM material is accepted, as App Mesh accepted it, and means "the mesh's private CA", which
 * here is the open-app-mesh mesh CA: say so at synth, since the ARN itself is never used.
 */
function warnAcmCertificate(scope: Construct): void {
  Annotations.of(scope).addWarningV2(ACM_MESH_CA_WARNING, `[${scope.node.path}] TlsCertificate.acm(...): the ACM certificate ARN is not used; `
    + 'the listener presents this proxy\'s own certificate from the open-app-mesh mesh CA '
    + '(SPIFFE ID spiffe://<trust domain>/mesh/<mesh>/<virtualNode|virtualGateway>/<name>), '
    + `served by the agent over SDS. ${NEEDS_AGENT}`);
}

function warnAcmTrust(scope: Construct): void {
  Annotations.of(scope).addWarningV2(ACM_MESH_CA_WARNING, `[${scope.node.path}] TlsValidationTrust.acm(...): the certificate authority ARNs are not used; `
    + 'servers are verified against the open-app-mesh mesh CA\'s trust bundle, served by the agent over SDS (and, without subjectAlternativeNames, '
    + 'must carry the mesh identity of the target virtual node). That bundle holds an ACM Private CA only when the control plane is given one '
    + `as its root (ControlPlane certificateAuthority, --ca-acm-pca-arn), whatever ARNs are written here. ${NEEDS_AGENT}`);
}

/** App Mesh `TlsValidationContext` of a TlsValidation or MutualTlsValidation. */
export function renderTlsValidation(scope: Construct, validation: TlsValidation | MutualTlsValidation): spec.TlsValidationContext {
  const san = validation.subjectAlternativeNames?.bind(scope).subjectAlternativeNamesMatch;
  const trust = validation.trust.bind(scope).tlsValidationTrust;
  if (trust.acm !== undefined) warnAcmTrust(scope);
  return {
    trust,
    ...(san !== undefined ? { subjectAlternativeNames: { match: san } } : {}),
  };
}

/**
 * App Mesh `ClientPolicy` of a TlsClientPolicy (same shape for nodes and gateways).
 * `enforce` defaults to true and is always rendered, so the spec states the behaviour.
 */
export function renderClientPolicy(scope: Construct, policy: TlsClientPolicy): spec.ClientPolicy {
  const certificate = policy.mutualTlsCertificate?.bind(scope).tlsCertificate;
  return {
    tls: {
      enforce: policy.enforce ?? true,
      validation: renderTlsValidation(scope, policy.validation),
      ...(policy.ports !== undefined && policy.ports.length > 0 ? { ports: [...policy.ports] } : {}),
      ...(certificate !== undefined ? { certificate: clientCertificate(certificate) } : {}),
    },
  };
}

/** App Mesh `ListenerTls` of ListenerTlsOptions (same shape for nodes and gateways). */
export function renderListenerTls(scope: Construct, tls: ListenerTlsOptions): spec.ListenerTls {
  const validation = tls.mutualTlsValidation && renderTlsValidation(scope, tls.mutualTlsValidation);
  const certificate = tls.certificate.bind(scope).tlsCertificate;
  if (certificate.acm !== undefined) warnAcmCertificate(scope);
  return {
    mode: tls.mode,
    certificate,
    ...(validation !== undefined ? { validation: validation as spec.ListenerTlsValidationContext } : {}),
  };
}

// A mutual-TLS certificate is file or SDS by construction; ACM never reaches here.
function clientCertificate(certificate: spec.ListenerTlsCertificate): spec.ClientTlsCertificate {
  if (certificate.file !== undefined) return { file: certificate.file };
  if (certificate.sds !== undefined) return { sds: certificate.sds };
  throw new Error('A client certificate must be a file or SDS certificate');
}
