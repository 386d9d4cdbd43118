import { Stack, Token } from 'aws-cdk-lib';
import * as cloudmap from 'aws-cdk-lib/aws-servicediscovery';
import { IConstruct } from 'constructs';
import { meshResourceOf } from '../../private/registry';
import * as spec from '../../spec';

/**
 * The rendered spec of a virtual node or gateway defined in this app (undefined for an
 * imported one). Rendering is lazy in the core constructs, so call this at synth (inside a
 * Lazy) to see listeners added late.
 */
export function renderedSpecOf(resource: IConstruct): object | undefined {
  return meshResourceOf(resource)?.renderSpec();
}

/** Listener ports of a virtual node or gateway spec, in declaration order. */
export function listenerPortsOf(rendered: object | undefined): number[] {
  const listeners = (rendered as { listeners?: { portMapping: { port: number } }[] } | undefined)?.listeners ?? [];
  return listeners.map((l) => l.portMapping.port);
}

/**
 * The Cloud Map service that a virtual node's service discovery names, found among the
 * Cloud Map services of the app: for `awsCloudMap`, the service with that service and
 * namespace name; for `dns`, the service whose `<service>.<namespace>` is the hostname
 * (how ECS tasks registered in a private DNS namespace get a stable name).
 */
export function findCloudMapService(node: IConstruct, rendered: spec.VirtualNodeSpec | undefined): cloudmap.IService | undefined {
  const discovery = rendered?.serviceDiscovery;
  if (discovery === undefined) return undefined;
  const stack = Stack.of(node);
  const key = (value: unknown) => JSON.stringify(stack.resolve(value));
  const candidates = node.node.root.node.findAll().filter((c): c is cloudmap.Service => c instanceof cloudmap.Service);
  if (discovery.awsCloudMap !== undefined) {
    const wanted = key([discovery.awsCloudMap.namespaceName, discovery.awsCloudMap.serviceName]);
    return candidates.find((s) => key([s.namespace.namespaceName, s.serviceName]) === wanted);
  }
  if (discovery.dns !== undefined) {
    const hostname = discovery.dns.hostname;
    if (Token.isUnresolved(hostname)) return undefined;
    return candidates.find((s) => {
      // serviceName is a GetAtt; the literal name is on the L1.
      const name = stack.resolve((s.node.defaultChild as cloudmap.CfnService).name);
      const namespace = stack.resolve(s.namespace.namespaceName);
      return typeof name === 'string' && typeof namespace === 'string' && `${name}.${namespace}` === hostname;
    });
  }
  return undefined;
}
