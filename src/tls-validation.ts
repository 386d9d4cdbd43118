import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import { Construct } from 'constructs';
import { meshError } from './private/errors';
import * as spec from './spec';

/** How a client validates the certificate a server presents. */
export interface TlsValidation {
  /**
   * Names the peer certificate must carry.
   * @default - the peer must present a certificate for the target's service discovery name
   */
  readonly subjectAlternativeNames?: SubjectAlternativeNames;
  /** Certificate authorities trusted to sign the peer's certificate. */
  readonly trust: TlsValidationTrust;
}

/** How a listener validates the certificate a client presents (mutual TLS). */
export interface MutualTlsValidation {
  /**
   * Names the client certificate must carry.
   * @default - any name
   */
  readonly subjectAlternativeNames?: SubjectAlternativeNames;
  /** Certificate authorities trusted to sign client certificates (file or SDS). */
  readonly trust: MutualTlsValidationTrust;
}

/** What TlsValidationTrust.bind returns. */
export interface TlsValidationTrustConfig {
  /** The trust, App Mesh `TlsValidationContextTrust` shape. */
  readonly tlsValidationTrust: spec.TlsValidationContextTrust;
}

/** Certificate authorities a proxy trusts. */
export abstract class TlsValidationTrust {
  /** A CA bundle read from a file in the proxy's file system. */
  public static file(certificateChain: string): MutualTlsValidationTrust {
    return new TlsValidationFileTrust(certificateChain);
  }

  /**
   * ACM Private CA authorities (1–3). Not usable to validate client certificates. Accepted as App
   * Mesh accepted it; the spec records the ARNs, but the proxy verifies servers against the
   * open-app-mesh mesh CA's trust bundle, which the agent beside Envoy serves; an ACM Private CA
   * is in it only when the control plane has one as its root (ControlPlane `certificateAuthority`).
   * Synth adds the warning `open-app-mesh:acm-mesh-ca` saying so.
   */
  public static acm(certificateAuthorities: acmpca.ICertificateAuthorityRef[]): TlsValidationTrust {
    return new TlsValidationAcmTrust(certificateAuthorities);
  }

  /** A CA bundle delivered by a Secret Discovery Service under `secretName`. */
  public static sds(secretName: string): MutualTlsValidationTrust {
    return new TlsValidationSdsTrust(secretName);
  }

  /** Render the trust. */
  public abstract bind(scope: Construct): TlsValidationTrustConfig;
}

/** A trust usable on a listener to validate client certificates (file or SDS). */
export abstract class MutualTlsValidationTrust extends TlsValidationTrust {
  // Makes the type nominal: an ACM trust is not structurally a MutualTlsValidationTrust.
  protected readonly differentiator = false;
}

class TlsValidationAcmTrust extends TlsValidationTrust {
  constructor(private readonly certificateAuthorities: acmpca.ICertificateAuthorityRef[]) {
    super();
  }

  public bind(scope: Construct): TlsValidationTrustConfig {
    if (this.certificateAuthorities.length === 0) {
      throw meshError('CertificateAuthorityRequired', 'you must provide at least one Certificate Authority when creating an ACM Trust ClientPolicy', scope);
    }
    // Any reference to an authority will do: only its ARN is rendered.
    const arns = this.certificateAuthorities.map((ca) => ca.certificateAuthorityRef.certificateAuthorityArn);
    return { tlsValidationTrust: { acm: { certificateAuthorityArns: arns } } };
  }
}

class TlsValidationFileTrust extends MutualTlsValidationTrust {
  constructor(private readonly certificateChain: string) {
    super();
  }

  public bind(_scope: Construct): TlsValidationTrustConfig {
    return { tlsValidationTrust: { file: { certificateChain: this.certificateChain } } };
  }
}

class TlsValidationSdsTrust extends MutualTlsValidationTrust {
  constructor(private readonly secretName: string) {
    super();
  }

  public bind(_scope: Construct): TlsValidationTrustConfig {
    return { tlsValidationTrust: { sds: { secretName: this.secretName } } };
  }
}

/** What SubjectAlternativeNames.bind returns. */
export interface SubjectAlternativeNamesMatcherConfig {
  /** The matcher, App Mesh `SubjectAlternativeNameMatchers` shape. */
  readonly subjectAlternativeNamesMatch: spec.SubjectAlternativeNameMatchers;
}

/** Subject alternative names a peer certificate must carry (any one of them). */
export abstract class SubjectAlternativeNames {
  /** The certificate carries one of `names` exactly. */
  public static matchingExactly(...names: string[]): SubjectAlternativeNames {
    return new SubjectAlternativeNamesImpl(names);
  }

  /** Render the matcher. */
  public abstract bind(scope: Construct): SubjectAlternativeNamesMatcherConfig;
}

class SubjectAlternativeNamesImpl extends SubjectAlternativeNames {
  constructor(private readonly names: string[]) {
    super();
  }

  public bind(_scope: Construct): SubjectAlternativeNamesMatcherConfig {
    return { subjectAlternativeNamesMatch: { exact: [...this.names] } };
  }
}
