import { VirtualNodeResource } from '../document';
import { items, quote, SpecRule } from './rule';
import { checkDuration, checkHealthCheckPath, checkProtocolKey, checkUniqueListenerPorts } from './shared-checks';

/** Cross-field rules of virtual nodes. */
export const VIRTUAL_NODE_RULES: readonly SpecRule<VirtualNodeResource>[] = [
  {
    id: 'node-listener-ports-unique',
    summary: 'listener ports are unique within a virtual node',
    check: (node, ctx) => checkUniqueListenerPorts(node.spec.listeners, ctx),
  },
  {
    id: 'node-listeners-need-service-discovery',
    summary: 'a virtual node with listeners has serviceDiscovery',
    check: (node, ctx) => {
      if (items(node.spec.listeners).length > 0 && node.spec.serviceDiscovery === undefined) {
        ctx.report('.spec.serviceDiscovery', 'a virtual node with listeners needs serviceDiscovery (dns or awsCloudMap), or callers cannot find it');
      }
    },
  },
  {
    id: 'node-listener-protocol-keys',
    summary: 'a listener\'s timeout and connectionPool are keyed by the listener protocol',
    check: (node, ctx) => {
      items(node.spec.listeners).forEach((listener, i) => {
        const protocol = listener.portMapping?.protocol;
        checkProtocolKey(listener.timeout, protocol, `.spec.listeners[${i}].timeout`, 'timeout', ctx);
        checkProtocolKey(listener.connectionPool, protocol, `.spec.listeners[${i}].connectionPool`, 'connectionPool', ctx);
      });
    },
  },
  {
    id: 'node-health-check-path',
    summary: 'a health check path is set only for http and http2 checks',
    check: (node, ctx) => {
      items(node.spec.listeners).forEach((listener, i) => checkHealthCheckPath(listener.healthCheck, `.spec.listeners[${i}].healthCheck`, ctx));
    },
  },
  {
    id: 'node-durations-complete',
    summary: 'every duration of a listener (timeouts, outlier detection) sets unit and value',
    check: (node, ctx) => {
      items(node.spec.listeners).forEach((listener, i) => {
        const at = `.spec.listeners[${i}]`;
        const timeout = listener.timeout as Record<string, { idle?: object; perRequest?: object } | undefined> | undefined;
        for (const protocol of ['http', 'http2', 'grpc', 'tcp']) {
          checkDuration(timeout?.[protocol]?.idle, `${at}.timeout.${protocol}.idle`, ctx);
          checkDuration(timeout?.[protocol]?.perRequest, `${at}.timeout.${protocol}.perRequest`, ctx);
        }
        checkDuration(listener.outlierDetection?.interval, `${at}.outlierDetection.interval`, ctx);
        checkDuration(listener.outlierDetection?.baseEjectionDuration, `${at}.outlierDetection.baseEjectionDuration`, ctx);
      });
    },
  },
  {
    id: 'node-backend-exists',
    summary: 'every backend names a virtual service of the mesh',
    check: (node, ctx) => {
      items(node.spec.backends).forEach((backend, i) => {
        const name = backend.virtualService?.virtualServiceName;
        if (name === undefined || !ctx.known(name) || ctx.index.virtualServices.has(name)) return;
        ctx.report(`.spec.backends[${i}].virtualService.virtualServiceName`, `virtual service ${quote(name)} does not exist in mesh ${quote(ctx.meshName)}`);
      });
    },
  },
];
