import { Token } from 'aws-cdk-lib';
import { KubernetesControlPlaneEndpoint, KubernetesControlPlaneProps, KubernetesVirtualGatewayWorkloadProps, KubernetesVirtualNodeWorkloadProps } from './kubernetes-options';
import * as spec from '../../spec';
import { controlPlaneEndpoint, renderControlPlane, renderSpecConfigMap } from './private/control-plane-manifests';
import { isKubernetesLabel } from './private/kubernetes-names';
import { MANAGED_BY, MANAGED_BY_LABEL } from './private/labels';
import { renderVirtualGatewayWorkload, renderVirtualNodeWorkload } from './private/workload-manifests';
import { toYamlDocuments } from './private/yaml';
import { toCanonicalJson } from '../../spec/canonical';

/**
 * Kubernetes objects of a mesh, as plain JSON-ready objects: a pure builder with no
 * construct and no cluster. Give the results to `cluster.addManifest`, to any other
 * tool, or write them with `KubernetesManifests.toYaml` for `kubectl apply -f`.
 *
 * Only the spec ConfigMap depends on the mesh's routing; workload objects carry a
 * proxy's identity (node id), the control plane's address and the Envoy settings given
 * (tracing and stats included), nothing of the mesh spec, so a mesh change updates one
 * ConfigMap and restarts no pod.
 */
export class KubernetesManifests {
  /** A namespace. */
  public static namespace(name: string): any {
    if (!isKubernetesLabel(name)) throw new Error(`'${name}' is not a valid namespace name`);
    return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } } };
  }

  /**
   * A virtual node's objects: ServiceAccount, Envoy bootstrap ConfigMap, Deployment (an
   * iptables init container, the mesh agent, the Envoy sidecar, the application) and a Service
   * for its listener ports. The agent proves the ServiceAccount, so grant it the node's stream:
   * `virtualNode.grantStreamAggregatedResources(new iam.ArnPrincipal('system:serviceaccount:<namespace>:<name>'))`
   * (EksMesh does).
   */
  public static virtualNodeWorkload(props: KubernetesVirtualNodeWorkloadProps): any[] {
    return renderVirtualNodeWorkload(props);
  }

  /**
   * A virtual gateway's objects: ServiceAccount, Envoy bootstrap ConfigMap, Deployment
   * (Envoy and the mesh agent) and a Service (a load balancer by default) for its listener
   * ports. Grant the ServiceAccount the gateway's stream, as for a virtual node.
   */
  public static virtualGatewayWorkload(props: KubernetesVirtualGatewayWorkloadProps): any[] {
    return renderVirtualGatewayWorkload(props);
  }

  /**
   * The control plane's ServiceAccount, headless Service (xDS and certificate exchange),
   * Deployment and PodDisruptionBudget; with TLS (the default) also its Role and RoleBinding
   * and the CA's Secret and trust bundle ConfigMap, created empty. Its spec comes from
   * `meshSpecConfigMap`.
   */
  public static controlPlane(props: KubernetesControlPlaneProps): any[] {
    return renderControlPlane(props);
  }

  /**
   * The ConfigMap holding the mesh spec (canonical JSON) that the control plane mounts;
   * `props` must name the control plane as for `controlPlane`.
   */
  public static meshSpecConfigMap(props: KubernetesControlPlaneProps, document: spec.MeshSpecDocument): any {
    if (!Token.isUnresolved(document.mesh.meshName) && document.mesh.meshName !== props.meshName) {
      throw new Error(`The document is for mesh '${document.mesh.meshName}', the control plane for mesh '${props.meshName}'`);
    }
    return renderSpecConfigMap(props, toCanonicalJson(document));
  }

  /**
   * Where the control plane described by `props` serves xDS (`<name>.<namespace>.svc.<domain>:18000`)
   * and how workloads' agents reach and trust it: give it to the workloads as `controlPlane`.
   */
  public static controlPlaneEndpoint(props: KubernetesControlPlaneProps): KubernetesControlPlaneEndpoint {
    return controlPlaneEndpoint(props);
  }

  /**
   * Objects as one multi-document YAML stream, for `kubectl apply -f`.
   * @throws if a value is a deploy-time token (YAML cannot carry it; use `EksMesh` with a cluster)
   */
  public static toYaml(manifests: any[]): string {
    const tokens: string[] = [];
    findTokens(manifests, '', tokens);
    if (tokens.length > 0) {
      throw new Error(`Kubernetes YAML needs concrete values; deploy-time values (tokens) at ${tokens.slice(0, 5).join(', ')}`);
    }
    return toYamlDocuments(manifests);
  }

  private constructor() {}
}

function findTokens(value: unknown, path: string, found: string[]): void {
  if (Token.isUnresolved(value)) {
    found.push(path || '$');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => findTokens(item, `${path}[${i}]`, found));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) findTokens(item, path ? `${path}.${key}` : key, found);
  }
}
