import { IConstruct } from 'constructs';
import { contributeExtensions } from './extensions';
import { AllowFromOptions, AuthorizationMode } from '../policies/authorization';
import { ExternalAuthorization } from '../policies/external-authorization';
import { JwtAuthenticationProps } from '../policies/jwt-provider';
import { RateLimit } from '../policies/rate-limit';
import * as spec from '../spec';
import type { IVirtualGateway } from '../virtual-gateway';
import type { IVirtualNode } from '../virtual-node';

/**
 * The construct side of virtual node and gateway policies (docs/policies.md): each call records
 * what it was given; the spec builder reads it at synth through the extension hook, so policies
 * added after construction count, and names that resolve late (imported callers) are read then.
 */

interface NodeAccess {
  readonly rules: (() => spec.AuthorizationRule)[];
  mode?: AuthorizationMode;
}

const nodeAccess = new WeakMap<IConstruct, NodeAccess>();

function accessOf(node: IConstruct): NodeAccess {
  let access = nodeAccess.get(node);
  if (!access) {
    const created: NodeAccess = { rules: [] };
    access = created;
    nodeAccess.set(node, created);
    contributeExtensions(node, () => {
      if (created.rules.length === 0) return undefined;
      const policy: spec.AuthorizationPolicy = {
        ...(created.mode === AuthorizationMode.SHADOW ? { mode: 'SHADOW' as const } : {}),
        rules: created.rules.map(rule => rule()),
      };
      return { authorization: policy };
    });
  }
  return access;
}

/** A virtual node or a virtual gateway: which one, by the name property it has. */
function isVirtualNode(caller: IVirtualNode | IVirtualGateway): caller is IVirtualNode {
  return (caller as Partial<IVirtualNode>).virtualNodeName !== undefined;
}

/** Records one `allowFrom` rule of `node`. */
export function addAuthorizationRule(node: IConstruct, callers: (IVirtualNode | IVirtualGateway)[], options: AllowFromOptions): void {
  const access = accessOf(node);
  const name = options.name ?? `allow-${access.rules.length}`;
  access.rules.push(() => {
    const virtualNodes = callers.filter(isVirtualNode).map(c => c.virtualNodeName);
    const virtualGateways = callers.filter(c => !isVirtualNode(c)).map(c => (c as IVirtualGateway).virtualGatewayName);
    const http: spec.AuthorizationHttpMatch = {
      ...(options.paths?.length ? { paths: options.paths.map(p => p.bind()) } : {}),
      ...(options.methods?.length ? { methods: [...options.methods] } : {}),
      ...(options.headers?.length ? { headers: options.headers.map(h => h.bind(node).headerMatch) } : {}),
    };
    return {
      name,
      from: { ...(virtualNodes.length ? { virtualNodes } : {}), ...(virtualGateways.length ? { virtualGateways } : {}) },
      ...(options.ports ? { ports: [...options.ports] } : {}),
      ...(Object.keys(http).length ? { http } : {}),
    };
  });
}

/** Sets whether `node`'s authorization rules are enforced or only counted. */
export function setAuthorizationMode(node: IConstruct, mode: AuthorizationMode): void {
  accessOf(node).mode = mode;
}

/** Records a rate limit on `node`'s listener on `port`, or on every listener. */
export function addRateLimit(node: IConstruct, rateLimit: RateLimit, port: number | undefined): void {
  contributeExtensions(node, () => ({ rateLimits: [{ ...rateLimit.bind().rateLimit, ...(port !== undefined ? { port } : {}) }] }));
}

/** Records `gateway`'s end-user authentication. */
export function addJwtAuthentication(gateway: IConstruct, props: JwtAuthenticationProps): void {
  contributeExtensions(gateway, () => {
    const rules = props.requirements?.map(r => ({
      ...(r.pathPrefix !== undefined ? { prefix: r.pathPrefix } : {}),
      providers: r.providers.map(p => p.name),
    }));
    const policy: spec.JwtAuthenticationPolicy = { providers: props.providers.map(p => p.bind()), ...(rules ? { rules } : {}) };
    return { jwtAuthentication: policy };
  });
}

/** Records `gateway`'s external authorization. */
export function addExternalAuthorization(gateway: IConstruct, authorization: ExternalAuthorization): void {
  contributeExtensions(gateway, () => ({ externalAuthorization: authorization.bind().externalAuthorization }));
}
