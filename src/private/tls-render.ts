import { Construct } from 'constructs';
import { ListenerTlsOptions } from '../listener-tls-options';
import * as spec from '../spec';
import { TlsClientPolicy } from '../tls-client-policy';
import { MutualTlsValidation, TlsValidation } from '../tls-validation';

/** App Mesh `TlsValidationContext` of a TlsValidation or MutualTlsValidation. */
export function renderTlsValidation(scope: Construct, validation: TlsValidation | MutualTlsValidation): spec.TlsValidationContext {
  const san = validation.subjectAlternativeNames?.bind(scope).subjectAlternativeNamesMatch;
  return {
    trust: validation.trust.bind(scope).tlsValidationTrust,
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
  return {
    mode: tls.mode,
    certificate: tls.certificate.bind(scope).tlsCertificate,
    ...(validation !== undefined ? { validation: validation as spec.ListenerTlsValidationContext } : {}),
  };
}

// A mutual-TLS certificate is file or SDS by construction; ACM never reaches here.
function clientCertificate(certificate: spec.ListenerTlsCertificate): spec.ClientTlsCertificate {
  if (certificate.file !== undefined) return { file: certificate.file };
  if (certificate.sds !== undefined) return { sds: certificate.sds };
  throw new Error('A client certificate must be a file or SDS certificate');
}
