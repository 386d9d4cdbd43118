import { Duration } from 'aws-cdk-lib';
import { renderDuration } from '../private/duration';
import * as spec from '../spec';

/** What every JWT provider has. */
export interface JwtProviderBaseProps {
  /** The provider's name, unique within the gateway. */
  readonly name: string;
  /** The `iss` claim a token must carry. */
  readonly issuer: string;
  /**
   * Accepted `aud` values.
   * @default - any audience
   */
  readonly audiences?: string[];
  /**
   * Keep the token in the request sent to the mesh.
   * @default false - the token is removed
   */
  readonly forward?: boolean;
  /**
   * Claims copied into request headers for the services behind the gateway, claim name → header name.
   * @default - none
   */
  readonly claimToHeaders?: { [claim: string]: string };
}

/** A provider whose keys are fetched from a URL. */
export interface RemoteJwksJwtProviderProps extends JwtProviderBaseProps {
  /** JWKS URL, `https://…` (or `http://…`). The control plane adds a cluster for its host. */
  readonly jwksUri: string;
  /**
   * Fetch timeout.
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
  /**
   * How long fetched keys are kept.
   * @default - Envoy's default, 5 minutes
   */
  readonly cacheDuration?: Duration;
  /**
   * CA bundle file, on the gateway, that an `https` JWKS host is verified with.
   * @default '/etc/ssl/certs/ca-certificates.crt'
   */
  readonly trustedCaFile?: string;
}

/** A provider whose keys are given inline. */
export interface LocalJwksJwtProviderProps extends JwtProviderBaseProps {
  /** The JWKS document (JSON text). */
  readonly jwks: string;
}

/** An issuer of end-user tokens a virtual gateway accepts (Envoy `jwt_authn` provider). */
export abstract class JwtProvider {
  /** Keys fetched from a JWKS URL. */
  public static remoteJwks(props: RemoteJwksJwtProviderProps): JwtProvider {
    const remoteJwks: spec.RemoteJwks = {
      uri: props.jwksUri,
      ...(props.timeout ? { timeout: renderDuration(props.timeout) } : {}),
      ...(props.cacheDuration ? { cacheDuration: renderDuration(props.cacheDuration) } : {}),
      ...(props.trustedCaFile !== undefined ? { trustedCaFile: props.trustedCaFile } : {}),
    };
    return new JwtProviderImpl(props, { remoteJwks });
  }

  /** Keys given inline as a JWKS document. */
  public static localJwks(props: LocalJwksJwtProviderProps): JwtProvider {
    return new JwtProviderImpl(props, { localJwks: { inline: props.jwks } });
  }

  /** The provider's name. */
  public abstract readonly name: string;

  /** The provider in the spec's shape. */
  public abstract bind(): spec.JwtProvider;
}

class JwtProviderImpl extends JwtProvider {
  public readonly name: string;

  constructor(private readonly props: JwtProviderBaseProps, private readonly keys: Pick<spec.JwtProvider, 'remoteJwks' | 'localJwks'>) {
    super();
    this.name = props.name;
  }

  public bind(): spec.JwtProvider {
    const p = this.props;
    const claims = Object.entries(p.claimToHeaders ?? {}).map(([claim, header]) => ({ claim, header }));
    return {
      name: p.name,
      issuer: p.issuer,
      ...(p.audiences ? { audiences: [...p.audiences] } : {}),
      ...this.keys,
      ...(p.forward !== undefined ? { forward: p.forward } : {}),
      ...(claims.length ? { claimToHeaders: claims } : {}),
    };
  }
}

/** Which requests need a token of which providers. */
export interface JwtRequirement {
  /**
   * Path prefix of the request as the gateway receives it.
   * @default '/'
   */
  readonly pathPrefix?: string;
  /** Providers whose tokens are accepted (any one suffices); empty: no token needed under this prefix. */
  readonly providers: JwtProvider[];
}

/** End-user authentication of a virtual gateway. */
export interface JwtAuthenticationProps {
  /** The providers. */
  readonly providers: JwtProvider[];
  /**
   * Requirements, first matching prefix wins; a request no requirement matches needs no token.
   * @default - every request needs a token of any provider
   */
  readonly requirements?: JwtRequirement[];
}
