/** Listeners of virtual nodes, routers and gateways, and node service discovery, as construct calls. */
import { call, cast, Code, num, obj, raw, str } from './code';
import { GenContext } from './context';
import { durationCode, healthCheckCode, listenerTlsCode, timeoutCode } from './fragments';
import { camelCase, pascalCase } from './names';
import * as spec from '../../../../src/spec/appmesh-types';

/** `appmesh.VirtualNodeListener.http({...})`. */
export function nodeListenerCode(ctx: GenContext, listener: spec.Listener, path: string): Code {
  const { port, protocol } = listener.portMapping;
  const timeoutKeys = Object.keys(listener.timeout ?? {});
  for (const key of timeoutKeys.filter((k) => k !== protocol)) {
    ctx.error(`${path}.timeout.${key}`, `a ${key} timeout on a ${protocol} listener cannot be written: VirtualNodeListener.${protocol} takes ${protocol} timeouts only`);
  }
  const timeout = (listener.timeout as Record<string, spec.HttpTimeout | undefined> | undefined)?.[protocol];
  const outlier = listener.outlierDetection;
  return call(`appmesh.VirtualNodeListener.${protocol}`, obj(
    ['port', num(port)],
    listener.healthCheck && ['healthCheck', healthCheckCode(ctx, listener.healthCheck, port)],
    ['timeout', timeoutCode(ctx, timeout)],
    listener.tls && ['tls', listenerTlsCode(ctx, listener.tls)],
    outlier && ['outlierDetection', ctx.share('outlierDetection', obj(
      ['baseEjectionDuration', durationCode(ctx, outlier.baseEjectionDuration)],
      ['interval', durationCode(ctx, outlier.interval)],
      ['maxEjectionPercent', num(outlier.maxEjectionPercent)],
      ['maxServerErrors', num(outlier.maxServerErrors)],
    ), 'appmesh.OutlierDetection')],
    connectionPoolEntry(ctx, listener.connectionPool, protocol, `${path}.connectionPool`),
  ));
}

/** `appmesh.VirtualGatewayListener.http({...})`. */
export function gatewayListenerCode(ctx: GenContext, listener: spec.VirtualGatewayListener, path: string): Code {
  const { port, protocol } = listener.portMapping;
  return call(`appmesh.VirtualGatewayListener.${protocol}`, obj(
    ['port', num(port)],
    listener.healthCheck && ['healthCheck', healthCheckCode(ctx, listener.healthCheck, port)],
    listener.tls && ['tls', listenerTlsCode(ctx, listener.tls)],
    connectionPoolEntry(ctx, listener.connectionPool, protocol, `${path}.connectionPool`),
  ));
}

const POOL_TYPES: Record<string, string> = {
  http: 'appmesh.HttpConnectionPool', http2: 'appmesh.Http2ConnectionPool', grpc: 'appmesh.GrpcConnectionPool', tcp: 'appmesh.TcpConnectionPool',
};

function connectionPoolEntry(
  ctx: GenContext, pool: spec.VirtualNodeConnectionPool | undefined, protocol: string, path: string,
): [string, Code, string?] | undefined {
  if (pool === undefined) return undefined;
  const keys = Object.keys(pool);
  for (const key of keys.filter((k) => k !== protocol)) {
    ctx.error(`${path}.${key}`, `a ${key} connection pool on a ${protocol} listener cannot be written: the ${protocol} listener takes a ${protocol} pool only`);
  }
  const limits = (pool as Record<string, Record<string, number> | undefined>)[protocol];
  if (limits === undefined) return undefined;
  const code = obj(...Object.keys(limits).sort().map((k): [string, Code] => [k, num(limits[k])]));
  if (protocol === 'http' && limits.maxPendingRequests === undefined) {
    return ['connectionPool', cast(code, POOL_TYPES.http),
      'maxPendingRequests is not set in the imported spec, so the proxy\'s default applies; the type asks for it, hence the cast'];
  }
  return ['connectionPool', code];
}

/** `appmesh.VirtualRouterListener.http(8080)`. */
export function routerListenerCode(listener: spec.VirtualRouterListener): Code {
  return call(`appmesh.VirtualRouterListener.${listener.portMapping.protocol}`, num(listener.portMapping.port));
}

/** `appmesh.ServiceDiscovery.dns(...)` or `.cloudMap(...)`. */
export function serviceDiscoveryCode(ctx: GenContext, discovery: spec.ServiceDiscovery, path: string): Code {
  const ipPreference = (value: string | undefined) => (value === undefined ? [] : [raw(`appmesh.IpPreference.${ipPreferenceMember(value)}`)]);
  if (discovery.dns !== undefined) {
    const dns = discovery.dns;
    const responseType = dns.responseType === undefined ? undefined
      : raw(`appmesh.DnsResponseType.${dns.responseType === 'LOADBALANCER' ? 'LOAD_BALANCER' : 'ENDPOINTS'}`);
    const args: Code[] = [str(dns.hostname)];
    if (responseType !== undefined || dns.ipPreference !== undefined) args.push(responseType ?? raw('undefined'));
    args.push(...ipPreference(dns.ipPreference));
    return call('appmesh.ServiceDiscovery.dns', ...args);
  }
  const cloudMap = discovery.awsCloudMap!;
  const service = cloudMapServiceRef(ctx, cloudMap.namespaceName, cloudMap.serviceName);
  const args: Code[] = [service];
  const attributes = cloudMap.attributes ?? [];
  const seen = new Set<string>();
  for (const [i, attribute] of attributes.entries()) {
    if (seen.has(attribute.key)) ctx.error(`${path}.awsCloudMap.attributes[${i}]`, `the attribute ${JSON.stringify(attribute.key)} appears twice; ServiceDiscovery.cloudMap takes an object, whose keys are unique`);
    seen.add(attribute.key);
  }
  if (attributes.length > 0 || cloudMap.ipPreference !== undefined) {
    args.push(attributes.length > 0 ? obj(...attributes.map((a): [string, Code] => [a.key, str(a.value)])) : raw('undefined'));
  }
  args.push(...ipPreference(cloudMap.ipPreference));
  return call('appmesh.ServiceDiscovery.cloudMap', ...args);
}

function ipPreferenceMember(value: string): string {
  return value.replace('IPv4', 'IPV4').replace('IPv6', 'IPV6');
}

/** An existing Cloud Map service, declared once per namespace and service name. */
function cloudMapServiceRef(ctx: GenContext, namespaceName: string, serviceName: string): Code {
  ctx.use('cloudmap');
  const namespace = ctx.reference(`cloudmap-namespace:${namespaceName}`, `${camelCase(namespaceName) || 'cloudMap'}Namespace`,
    `${pascalCase(namespaceName) || 'CloudMap'}Namespace`,
    (id) => call('cloudmap.HttpNamespace.fromHttpNamespaceAttributes', raw('this'), str(id), obj(
      ['namespaceName', str(namespaceName)],
      ['namespaceId', str(namespaceName)],
      ['namespaceArn', str(`arn:aws:servicediscovery:::namespace/${namespaceName}`)],
    )),
    'App Mesh recorded only the names of Cloud Map namespaces and services: the ids and ARNs below are placeholders\nthat the mesh does not use; put in the real ones if other code needs them.');
  return ctx.reference(`cloudmap-service:${namespaceName}/${serviceName}`, `${camelCase(serviceName) || 'cloudMap'}CloudMapService`,
    `${pascalCase(serviceName) || 'CloudMap'}CloudMapService`,
    (id) => call('cloudmap.Service.fromServiceAttributes', raw('this'), str(id), obj(
      ['namespace', namespace],
      ['serviceName', str(serviceName)],
      ['serviceId', str(serviceName)],
      ['serviceArn', str(`arn:aws:servicediscovery:::service/${serviceName}`)],
      ['dnsRecordType', raw('cloudmap.DnsRecordType.A')],
      ['routingPolicy', raw('cloudmap.RoutingPolicy.MULTIVALUE')],
    )));
}

