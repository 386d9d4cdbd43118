/** Who a proxy is, as tracers and stats tags name it. */
export interface EnvoyProxyIdentity {
  /** Name of the mesh. */
  readonly meshName: string;

  /** `virtualNode` or `virtualGateway`. */
  readonly proxyKind: string;

  /** Name of the virtual node or virtual gateway. */
  readonly proxyName: string;
}

/**
 * The identity in an Envoy node id, read as App Mesh's agent read it: split on `/`, positions
 * 1–3 are mesh, kind and name. Accepts `mesh/<mesh>/<kind>/<name>` and the full ARN
 * `arn:<partition>:appmesh:<region>:<account>:mesh/<mesh>/<kind>/<name>`; undefined otherwise.
 */
export function proxyIdentityOf(nodeId: string): EnvoyProxyIdentity | undefined {
  const parts = nodeId.split('/');
  if (parts.length !== 4) return undefined;
  const [head, meshName, proxyKind, proxyName] = parts;
  if (head !== 'mesh' && !/^arn:[^:]+:appmesh:[^:]*:[^:]*:mesh$/.test(head)) return undefined;
  if (proxyKind !== 'virtualNode' && proxyKind !== 'virtualGateway') return undefined;
  if (meshName === '' || proxyName === '') return undefined;
  return { meshName, proxyKind, proxyName };
}
