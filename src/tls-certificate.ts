import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Construct } from 'constructs';
import * as spec from './spec';

/** What TlsCertificate.bind returns. */
export interface TlsCertificateConfig {
  /** The certificate, App Mesh `ListenerTlsCertificate` shape (also used for client certificates). */
  readonly tlsCertificate: spec.ListenerTlsCertificate;
}

/**
 * A certificate a proxy presents: on a listener (server side) or, for the mutual-TLS
 * kinds, toward backends (client side).
 */
export abstract class TlsCertificate {
  /** Certificate chain and private key read from files in the proxy's file system. */
  public static file(certificateChainPath: string, privateKeyPath: string): MutualTlsCertificate {
    return new TlsFileCertificate(certificateChainPath, privateKeyPath);
  }

  /**
   * An ACM certificate: in App Mesh, a certificate of the mesh's private CA. Accepted as App Mesh
   * accepted it; the spec records the ARN, but the proxy presents the node's certificate from the
   * open-app-mesh mesh CA, which the agent beside Envoy serves (ACM never exports the key).
   * Synth adds the warning `open-app-mesh:acm-mesh-ca` saying so.
   */
  public static acm(certificate: acm.ICertificate): TlsCertificate {
    return new TlsAcmCertificate(certificate);
  }

  /** A certificate delivered to the proxy by a Secret Discovery Service under `secretName`. */
  public static sds(secretName: string): MutualTlsCertificate {
    return new TlsSdsCertificate(secretName);
  }

  /** Render the certificate. */
  public abstract bind(_scope: Construct): TlsCertificateConfig;
}

/**
 * A certificate that can also serve as a client certificate for mutual TLS
 * (file or SDS; ACM certificates cannot).
 */
export abstract class MutualTlsCertificate extends TlsCertificate {
  // Makes the type nominal: a TlsCertificate is not structurally a MutualTlsCertificate.
  protected readonly differentiator = false;
}

class TlsAcmCertificate extends TlsCertificate {
  constructor(private readonly certificate: acm.ICertificate) {
    super();
  }

  public bind(_scope: Construct): TlsCertificateConfig {
    return { tlsCertificate: { acm: { certificateArn: this.certificate.certificateArn } } };
  }
}

class TlsFileCertificate extends MutualTlsCertificate {
  constructor(private readonly certificateChain: string, private readonly privateKey: string) {
    super();
  }

  public bind(_scope: Construct): TlsCertificateConfig {
    return { tlsCertificate: { file: { certificateChain: this.certificateChain, privateKey: this.privateKey } } };
  }
}

class TlsSdsCertificate extends MutualTlsCertificate {
  constructor(private readonly secretName: string) {
    super();
  }

  public bind(_scope: Construct): TlsCertificateConfig {
    return { tlsCertificate: { sds: { secretName: this.secretName } } };
  }
}
