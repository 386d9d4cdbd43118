import * as spec from '../spec';

/** A request path condition of an authorization rule. */
export abstract class AuthorizationPath {
  /** The whole path is `path`. A gRPC method is the path `/<package>.<Service>/<Method>`. */
  public static exactly(path: string): AuthorizationPath {
    return new AuthorizationPathImpl({ exact: path });
  }

  /** The path starts with `prefix`; `/<package>.<Service>/` covers every method of a gRPC service. */
  public static startsWith(prefix: string): AuthorizationPath {
    return new AuthorizationPathImpl({ prefix });
  }

  /** The condition in the spec's shape. */
  public abstract bind(): spec.AuthorizationPath;
}

class AuthorizationPathImpl extends AuthorizationPath {
  constructor(private readonly path: spec.AuthorizationPath) {
    super();
  }

  public bind(): spec.AuthorizationPath {
    return this.path;
  }
}
