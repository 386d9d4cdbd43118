import { TlsCertificate } from './tls-certificate';
import { MutualTlsValidation } from './tls-validation';

/** Whether a listener terminates TLS. */
export enum TlsMode {
  /** Only TLS connections are accepted. */
  STRICT = 'STRICT',
  /** TLS and plain-text connections are both accepted. */
  PERMISSIVE = 'PERMISSIVE',
  /** TLS is off. */
  DISABLED = 'DISABLED',
}

/** Server-side TLS of a listener. */
export interface ListenerTlsOptions {
  /** Certificate the listener presents. */
  readonly certificate: TlsCertificate;
  /** Whether TLS is required, optional or off. */
  readonly mode: TlsMode;
  /**
   * Validation of client certificates; when set, clients must present one (mutual TLS).
   * @default - no client certificate is asked for
   */
  readonly mutualTlsValidation?: MutualTlsValidation;
}
