import { MutualTlsCertificate } from './tls-certificate';
import { TlsValidation } from './tls-validation';

/** TLS that a proxy originates toward its backends. */
export interface TlsClientPolicy {
  /**
   * Whether TLS is required. Rendered as given; `false` keeps the policy in the spec
   * without enforcing it.
   * @default true
   */
  readonly enforce?: boolean;
  /**
   * Backend ports the policy applies to.
   * @default - every port
   */
  readonly ports?: number[];
  /** How the backend's certificate is validated. */
  readonly validation: TlsValidation;
  /**
   * Client certificate to present, for mutual TLS.
   * @default - none: the proxy presents no client certificate
   */
  readonly mutualTlsCertificate?: MutualTlsCertificate;
}
