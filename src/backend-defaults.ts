import { TlsClientPolicy } from './tls-client-policy';

/** Settings applied to every backend of a node (or every target of a gateway) without its own. */
export interface BackendDefaults {
  /**
   * TLS toward backends.
   * @default - plain text
   */
  readonly tlsClientPolicy?: TlsClientPolicy;
}

/** Settings of one virtual service backend. */
export interface VirtualServiceBackendOptions {
  /**
   * TLS toward this backend; overrides the node's backend defaults.
   * @default - the node's backend defaults
   */
  readonly tlsClientPolicy?: TlsClientPolicy;
}
