/** The statements of the generated stack's constructor: one per mesh resource, in dependency order. */
import { call, Code, obj, print, raw, RawCode, str } from './code';
import { GenContext } from './context';
import { accessLogCode, clientPolicyCode } from './fragments';
import { gatewayListenerCode, nodeListenerCode, routerListenerCode, serviceDiscoveryCode } from './listeners';
import { camelCase, serviceStem, withSuffix } from './names';
import { gatewayRouteSpecCode, ResourceRefs, routeSpecCode } from './route-specs';
import { MeshSpecDocument, VirtualNodeResource } from '../../../../src/spec/document';

/** One statement: an optional comment, then the printed code. */
export interface Statement {
  readonly comment?: string;
  /** `const <name> = ` when the value is kept in a variable. */
  readonly variable?: string;
  /** Type annotation of the variable. */
  readonly type?: string;
  readonly code: Code;
}

/**
 * Prints sections of statements at the indentation of a constructor body, a blank line between
 * sections. A value is kept in a `const` only when a later statement uses it.
 */
export function printSections(ctx: GenContext, sections: readonly Statement[][], indent: string): string[] {
  const declaration = (s: Statement) => (s.variable === undefined ? '' : `const ${s.variable}${s.type !== undefined ? `: ${s.type}` : ''} = `);
  const printed = sections.map((section) => section.map((s) => ({ s, text: print(ctx.resolve(s.code), indent, declaration(s)) })));
  const all = printed.flat();
  const used = (variable: string, self: string) => {
    // Not a member (`x.idle`), not inside a string, not a property key (`idle: ...`).
    const pattern = new RegExp(`(?<![.'\\w$])${variable}(?![\\w$']|\\s*:)`);
    return all.some(({ text }) => text !== self && pattern.test(text));
  };
  const lines: string[] = [];
  for (const section of printed.filter((p) => p.length > 0)) {
    if (lines.length > 0) lines.push('');
    for (const { s, text } of section) {
      if (s.comment !== undefined) for (const line of s.comment.split('\n')) lines.push(`${indent}// ${line}`);
      const keep = s.variable !== undefined && used(s.variable, text);
      lines.push(`${indent}${keep ? declaration(s) : ''}${keep ? text : print(ctx.resolve(s.code), indent)};`);
    }
  }
  return lines;
}

/** Statements grouped by section, each section printed after a blank line. */
export interface StackBody {
  readonly sections: Statement[][];
}

/** Builds the statements for every resource of `doc`; problems go to `ctx.issues`. */
export function buildStackBody(ctx: GenContext, doc: MeshSpecDocument): StackBody {
  const meshVar = 'mesh';
  ctx.variables.reserve(meshVar);
  const meshSpec = doc.mesh.spec;
  const meshStatement: Statement = {
    variable: meshVar,
    code: call('new appmesh.Mesh', raw('this'), str('Mesh'), obj(
      ['meshName', str(doc.mesh.meshName)],
      ['egressFilter', raw(`appmesh.MeshFilterType.${meshSpec.egressFilter?.type ?? 'DROP_ALL'}`)],
      meshSpec.serviceDiscovery?.ipPreference !== undefined
        ? ['serviceDiscovery', obj(['ipPreference', raw(`appmesh.IpPreference.${meshSpec.serviceDiscovery.ipPreference.replace('IPv4', 'IPV4').replace('IPv6', 'IPV6')}`)])]
        : undefined,
    )),
  };
  if (doc.mesh.meshOwner !== undefined) {
    ctx.error('mesh.meshOwner', `the mesh is shared from account ${doc.mesh.meshOwner}; the generator writes meshes this app owns only `
      + '(reference a shared mesh with Mesh.fromMeshArn by hand)');
  }

  // Construct ids of the mesh's children (nodes, routers, gateways share one scope).
  const meshChildIds = new Set<string>();
  const meshChildId = (name: string, suffix: string) => {
    let id = meshChildIds.has(name) ? `${name}${suffix}` : name;
    for (let n = 2; meshChildIds.has(id); n++) id = `${name}${suffix}${n}`;
    meshChildIds.add(id);
    return id;
  };

  const nodeVars = new Map<string, string>();
  const routerVars = new Map<string, string>();
  const serviceVars = new Map<string, string>();
  const gatewayVars = new Map<string, string>();
  for (const node of doc.virtualNodes) nodeVars.set(node.virtualNodeName, ctx.variables.claim(camelCase(node.virtualNodeName), 'node'));
  for (const router of doc.virtualRouters) {
    routerVars.set(router.virtualRouterName, ctx.variables.claim(withSuffix(camelCase(router.virtualRouterName), 'Router'), 'router'));
  }
  for (const service of doc.virtualServices) {
    serviceVars.set(service.virtualServiceName, ctx.variables.claim(withSuffix(serviceStem(service.virtualServiceName), 'Service'), 'service'));
  }
  for (const gateway of doc.virtualGateways) {
    gatewayVars.set(gateway.virtualGatewayName, ctx.variables.claim(withSuffix(camelCase(gateway.virtualGatewayName), 'Gateway'), 'gateway'));
  }

  // Names used but not defined in the document are references to resources defined elsewhere.
  const refs: ResourceRefs = {
    virtualNode: (name) => {
      const known = nodeVars.get(name);
      if (known !== undefined) return raw(known);
      return ctx.reference(`node:${name}`, withSuffix(camelCase(name), 'Node'), `${name}Node`, (id) =>
        call('appmesh.VirtualNode.fromVirtualNodeAttributes', raw('this'), str(id), obj(['mesh', raw(meshVar)], ['virtualNodeName', str(name)])));
    },
    virtualService: (name) => {
      const known = serviceVars.get(name);
      if (known !== undefined) return raw(known);
      return ctx.reference(`service:${name}`, withSuffix(serviceStem(name), 'Service'), `${name}Service`, (id) =>
        call('appmesh.VirtualService.fromVirtualServiceAttributes', raw('this'), str(id), obj(['mesh', raw(meshVar)], ['virtualServiceName', str(name)])));
    },
  };
  const routerRef = (name: string): RawCode => {
    const known = routerVars.get(name);
    if (known !== undefined) return raw(known);
    return ctx.reference(`router:${name}`, withSuffix(camelCase(name), 'Router'), `${name}Router`, (id) =>
      call('appmesh.VirtualRouter.fromVirtualRouterAttributes', raw('this'), str(id), obj(['mesh', raw(meshVar)], ['virtualRouterName', str(name)])));
  };

  const nodes: Statement[] = doc.virtualNodes.map((node) => nodeStatement(ctx, node, nodeVars.get(node.virtualNodeName)!, meshChildId(node.virtualNodeName, 'Node')));

  const routers: Statement[] = [];
  for (const router of doc.virtualRouters) {
    const variable = routerVars.get(router.virtualRouterName)!;
    routers.push({
      variable,
      code: call('mesh.addVirtualRouter', str(meshChildId(router.virtualRouterName, 'Router')), obj(
        ['virtualRouterName', str(router.virtualRouterName)],
        ['listeners', {
          kind: 'array',
          items: (router.spec.listeners ?? []).map(routerListenerCode),
        }],
      )),
    });
  }
  const routes: Statement[] = [];
  for (const route of doc.routes) {
    const path = `routes[${JSON.stringify(`${route.virtualRouterName}/${route.routeName}`)}].spec`;
    const routeSpec = routeSpecCode(ctx, route.spec, refs, path);
    if (routeSpec === undefined) continue;
    const router = routerRef(route.virtualRouterName);
    routes.push({ code: call(`${router.text}.addRoute`, str(route.routeName), obj(['routeSpec', routeSpec])) });
  }

  const services: Statement[] = doc.virtualServices.map((service) => {
    const provider = service.spec.provider;
    let providerCode: Code;
    if (provider?.virtualNode !== undefined) providerCode = call('appmesh.VirtualServiceProvider.virtualNode', refs.virtualNode(provider.virtualNode.virtualNodeName));
    else if (provider?.virtualRouter !== undefined) providerCode = call('appmesh.VirtualServiceProvider.virtualRouter', routerRef(provider.virtualRouter.virtualRouterName));
    else providerCode = call('appmesh.VirtualServiceProvider.none', raw(meshVar));
    const variable = serviceVars.get(service.virtualServiceName)!;
    return {
      variable,
      code: call('new appmesh.VirtualService', raw('this'), str(ctx.stackId(variable)), obj(
        ['virtualServiceName', str(service.virtualServiceName)],
        ['virtualServiceProvider', providerCode],
      )),
    };
  });

  // Backends are added once the services exist: nodes and services may name each other.
  const backends: Statement[] = [];
  for (const node of doc.virtualNodes) {
    for (const [i, backend] of (node.spec.backends ?? []).entries()) {
      const vs = backend.virtualService;
      if (vs === undefined) {
        ctx.error(`virtualNodes[${JSON.stringify(node.virtualNodeName)}].spec.backends[${i}]`, 'a backend that is not a virtual service cannot be written');
        continue;
      }
      const options = clientPolicyCode(ctx, vs.clientPolicy);
      backends.push({
        code: call(`${nodeVars.get(node.virtualNodeName)!}.addBackend`,
          call('appmesh.Backend.virtualService', refs.virtualService(vs.virtualServiceName), ...(options !== undefined ? [options] : []))),
      });
    }
  }

  const gateways: Statement[] = [];
  for (const gateway of doc.virtualGateways) {
    const path = `virtualGateways[${JSON.stringify(gateway.virtualGatewayName)}].spec`;
    const listeners = gateway.spec.listeners ?? [];
    if (listeners.length === 0) ctx.error(`${path}.listeners`, 'a virtual gateway without listeners cannot be written: VirtualGateway needs at least one');
    gateways.push({
      variable: gatewayVars.get(gateway.virtualGatewayName)!,
      code: call('mesh.addVirtualGateway', str(meshChildId(gateway.virtualGatewayName, 'Gateway')), obj(
        ['virtualGatewayName', str(gateway.virtualGatewayName)],
        ['listeners', { kind: 'array', items: listeners.map((l, i) => gatewayListenerCode(ctx, l, `${path}.listeners[${i}]`)) }],
        ['accessLog', accessLogCode(ctx, gateway.spec.logging, `${path}.logging`)],
        ['backendDefaults', clientPolicyCode(ctx, gateway.spec.backendDefaults?.clientPolicy)],
      )),
    });
  }
  const gatewayRoutes: Statement[] = [];
  for (const route of doc.gatewayRoutes) {
    const path = `gatewayRoutes[${JSON.stringify(`${route.virtualGatewayName}/${route.gatewayRouteName}`)}].spec`;
    const routeSpec = gatewayRouteSpecCode(ctx, route.spec, refs, path);
    if (routeSpec === undefined) continue;
    let gateway = gatewayVars.get(route.virtualGatewayName);
    if (gateway === undefined) {
      gateway = ctx.reference(`gateway:${route.virtualGatewayName}`, withSuffix(camelCase(route.virtualGatewayName), 'Gateway'), `${route.virtualGatewayName}Gateway`,
        (id) => call('appmesh.VirtualGateway.fromVirtualGatewayAttributes', raw('this'), str(id),
          obj(['mesh', raw(meshVar)], ['virtualGatewayName', str(route.virtualGatewayName)]))).text;
    }
    gatewayRoutes.push({
      code: call(`${gateway}.addGatewayRoute`, str(route.gatewayRouteName), obj(
        ['gatewayRouteName', str(route.gatewayRouteName)],
        ['routeSpec', routeSpec],
      )),
    });
  }

  const grants: Statement[] = [];
  for (const [i, access] of (doc.proxyAccess ?? []).entries()) {
    const match = /^mesh\/([^/]+)\/(virtualNode|virtualGateway)\/([^/]+)$/.exec(access.nodeId);
    const variable = match === null ? undefined : (match[2] === 'virtualNode' ? nodeVars : gatewayVars).get(match[3]);
    if (variable === undefined) {
      ctx.error(`proxyAccess[${i}].nodeId`, `${JSON.stringify(access.nodeId)} names no virtual node or gateway of this document`);
      continue;
    }
    for (const principal of access.principals) {
      ctx.use('iam');
      grants.push({ code: call(`${variable}.grantStreamAggregatedResources`, call('new iam.ArnPrincipal', str(principal))) });
    }
  }

  return { sections: [[meshStatement], nodes, [...routers, ...routes], services, backends, [...gateways, ...gatewayRoutes], grants] };
}

function nodeStatement(ctx: GenContext, node: VirtualNodeResource, variable: string, id: string): Statement {
  const path = `virtualNodes[${JSON.stringify(node.virtualNodeName)}].spec`;
  const nodeSpec = node.spec;
  const listeners = nodeSpec.listeners ?? [];
  if (listeners.length > 0 && nodeSpec.serviceDiscovery === undefined) {
    ctx.error(`${path}.serviceDiscovery`, 'a virtual node with listeners needs service discovery (VirtualNode refuses listeners without it)');
  }
  return {
    variable,
    code: call('mesh.addVirtualNode', str(id), obj(
      ['virtualNodeName', str(node.virtualNodeName)],
      nodeSpec.serviceDiscovery && ['serviceDiscovery', serviceDiscoveryCode(ctx, nodeSpec.serviceDiscovery, `${path}.serviceDiscovery`)],
      listeners.length > 0 ? ['listeners', { kind: 'array', items: listeners.map((l, i) => nodeListenerCode(ctx, l, `${path}.listeners[${i}]`)) }] : undefined,
      ['accessLog', accessLogCode(ctx, nodeSpec.logging, `${path}.logging`)],
      ['backendDefaults', clientPolicyCode(ctx, nodeSpec.backendDefaults?.clientPolicy)],
    )),
  };
}
