import { parseAllDocuments } from 'yaml';
import { LabelSelector, selects } from './label-selector';
import type { SchemaRootName } from '../../../../src/spec/schema-check';
import { toApiShape } from '../api-shape';
import { parseAppMeshArn } from '../appmesh-arn';
import { ImportError } from '../import-error';
import { ImportedResource, ResourceKind } from '../imported-resource';
import { fillVars, lineOf } from '../placeholder-vars';
import { countIgnored, ReadResult } from '../read-result';

/**
 * Reads Kubernetes manifests for the App Mesh controller (`appmesh.k8s.aws/v1beta2`): Mesh,
 * VirtualNode, VirtualService, VirtualRouter (its inline `routes` become Route resources),
 * VirtualGateway and GatewayRoute, in multi-document YAML with `${VAR}` placeholders.
 *
 * Names follow the controller: `spec.awsName`, else `<name>_<namespace>` (`<name>.<namespace>` for
 * virtual services; the mesh's own name for a mesh; a route's `name`). References (`*Ref`, with
 * an optional namespace, or `*ARN`) become the App Mesh names the spec uses. A resource's mesh is
 * its `meshRef`, else the mesh whose `namespaceSelector` selects its namespace; a gateway route's
 * gateway is its `virtualGatewayRef`, else the gateway whose `namespaceSelector` (and
 * `gatewayRouteSelector`) select it. Pod and namespace selectors do not reach the spec and are
 * reported; fields the CRDs do not define are stripped, as the API server's structural schema does.
 */

export interface K8sReadOptions {
  /** `--var K=V`, for `${VAR}` placeholders. */
  readonly vars?: Readonly<Record<string, string>>;
}

const API_GROUP = 'appmesh.k8s.aws/';
const API_VERSION = 'appmesh.k8s.aws/v1beta2';
const NAME_LABEL = 'kubernetes.io/metadata.name';

type CrdKind = 'Mesh' | 'VirtualNode' | 'VirtualService' | 'VirtualRouter' | 'VirtualGateway' | 'GatewayRoute';

const CRDS: Record<CrdKind, { readonly kind: ResourceKind; readonly root: SchemaRootName; readonly k8sOnly: readonly string[] }> = {
  Mesh: { kind: 'mesh', root: 'MeshSpec', k8sOnly: ['awsName', 'namespaceSelector', 'meshOwner'] },
  VirtualNode: { kind: 'virtualNode', root: 'VirtualNodeSpec', k8sOnly: ['awsName', 'meshRef', 'podSelector', 'backendGroups'] },
  VirtualService: { kind: 'virtualService', root: 'VirtualServiceSpec', k8sOnly: ['awsName', 'meshRef'] },
  VirtualRouter: { kind: 'virtualRouter', root: 'VirtualRouterSpec', k8sOnly: ['awsName', 'meshRef', 'routes'] },
  VirtualGateway: { kind: 'virtualGateway', root: 'VirtualGatewaySpec', k8sOnly: ['awsName', 'meshRef', 'namespaceSelector', 'podSelector', 'gatewayRouteSelector'] },
  GatewayRoute: { kind: 'gatewayRoute', root: 'GatewayRouteSpec', k8sOnly: ['awsName', 'meshRef', 'virtualGatewayRef'] },
};

const ROUTE_PROTOCOLS = ['httpRoute', 'http2Route', 'grpcRoute', 'tcpRoute'];

interface K8sObject {
  readonly crd: CrdKind;
  readonly name: string;
  /** Undefined for a Mesh (cluster-scoped). */
  readonly namespace?: string;
  readonly labels: Record<string, string>;
  readonly spec: Record<string, unknown>;
  /** `VirtualNode default/web (document 3)`. */
  readonly origin: string;
  /** True when the manifest gives no namespace and `default` is assumed. */
  readonly namespaceAssumed: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> {
  return isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)])) : {};
}

/** Reads one manifest file. Throws `ImportError` naming the file, the object and the field. */
export function readK8sManifests(file: string, text: string, options: K8sReadOptions = {}): ReadResult {
  const filled = fillVars(text, options.vars ?? {}, false, ({ name, index }) => {
    // A placeholder in a comment does not matter.
    const lineStart = text.lastIndexOf('\n', index) + 1;
    if (/^\s*#/.test(text.slice(lineStart, index))) return;
    throw new ImportError({ file, resource: `line ${lineOf(text, index)}` }, `\${${name}} has no value; pass --var ${name}=VALUE`);
  });
  const docs = parseAllDocuments(filled, { prettyErrors: true });
  const values: unknown[] = [];
  for (const [i, doc] of (Array.isArray(docs) ? docs : [docs]).entries()) {
    if (doc.errors.length > 0) throw new ImportError({ file, resource: `document ${i + 1}` }, `not valid YAML: ${doc.errors[0].message}`);
    const value = doc.toJS();
    // `kind: List` (what `kubectl get -o yaml` writes) holds its objects in items.
    if (isObject(value) && value.kind === 'List' && Array.isArray(value.items)) values.push(...value.items);
    else if (value !== null && value !== undefined) values.push(value);
  }
  return new ManifestReader(file, values).read();
}

class ManifestReader {
  private readonly objects: K8sObject[] = [];
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  private readonly ignored: Record<string, number> = {};

  constructor(private readonly file: string, values: readonly unknown[]) {
    values.forEach((value, i) => this.classify(value, i + 1));
  }

  private fail(origin: string | undefined, field: string | undefined, problem: string): never {
    throw new ImportError({ file: this.file, resource: origin, field }, problem);
  }

  private classify(value: unknown, docNumber: number): void {
    if (!isObject(value)) return this.fail(`document ${docNumber}`, undefined, 'not a Kubernetes object (expected apiVersion, kind, metadata)');
    const apiVersion = String(value.apiVersion ?? '');
    const kind = String(value.kind ?? '');
    const metadata = isObject(value.metadata) ? value.metadata : {};
    if (kind === 'Namespace' && apiVersion === 'v1') {
      this.namespaceLabels.set(String(metadata.name), stringMap(metadata.labels));
      return;
    }
    if (!apiVersion.startsWith(API_GROUP)) return countIgnored(this.ignored, `${apiVersion} ${kind}`);
    const origin = `${kind} ${metadata.namespace === undefined ? '' : `${metadata.namespace}/`}${metadata.name} (document ${docNumber})`;
    if (apiVersion !== API_VERSION) this.fail(origin, 'apiVersion', `only ${API_VERSION} is read; convert older manifests with the controller's upgrade first`);
    if (!(kind in CRDS)) this.fail(origin, 'kind', `not an App Mesh kind this importer knows (${Object.keys(CRDS).join(', ')})`);
    if (typeof metadata.name !== 'string' || metadata.name === '') this.fail(origin, 'metadata.name', 'missing');
    if (!isObject(value.spec)) this.fail(origin, 'spec', 'missing');
    this.objects.push({
      crd: kind as CrdKind,
      name: metadata.name,
      // A namespaced object without one goes where kubectl puts it: the context's namespace, usually `default`.
      namespace: kind === 'Mesh' ? undefined : String(metadata.namespace ?? 'default'),
      labels: stringMap(metadata.labels),
      spec: value.spec,
      origin,
      namespaceAssumed: kind !== 'Mesh' && metadata.namespace === undefined,
    });
  }

  private awsName(object: K8sObject): string {
    if (typeof object.spec.awsName === 'string' && object.spec.awsName !== '') return object.spec.awsName;
    switch (object.crd) {
      case 'Mesh': return object.name;
      case 'VirtualService': return `${object.name}.${object.namespace}`;
      default: return `${object.name}_${object.namespace}`;
    }
  }

  /** The labels of a namespace, and whether the inputs hold its manifest (else only the name label is known). */
  private labelsOf(namespace: string): { labels: Record<string, string>; known: boolean } {
    const declared = this.namespaceLabels.get(namespace);
    return { labels: { ...declared, [NAME_LABEL]: namespace }, known: declared !== undefined };
  }

  public read(): ReadResult {
    if (this.objects.length === 0) {
      const others = Object.values(this.ignored).reduce((a, b) => a + b, 0);
      this.fail(undefined, undefined, `no App Mesh resources (${API_VERSION}) in the file (${others} other objects)`);
    }
    const resources: ImportedResource[] = [];
    for (const object of this.objects) {
      const assumptions: string[] = object.namespaceAssumed
        ? ['metadata.namespace not given; taken as "default", where kubectl puts it without a context namespace']
        : [];
      const dropped: string[] = [];
      const meshName = this.meshOf(object, assumptions);
      for (const selector of ['podSelector', 'namespaceSelector', 'gatewayRouteSelector']) {
        if (object.spec[selector] !== undefined) {
          dropped.push(`spec.${selector}: the spec has no selectors; ${selector === 'podSelector' ? 'which pods run the proxy is decided where the workload is deployed' : 'membership is the spec itself'}`);
        }
      }
      if (object.spec.backendGroups !== undefined) dropped.push('spec.backendGroups: not an App Mesh field; list the backends on the node');
      if (object.crd === 'VirtualRouter') resources.push(...this.routesOf(object, meshName));
      let parentName: string | undefined;
      if (object.crd === 'GatewayRoute') parentName = this.gatewayOf(object, assumptions);
      const spec = this.specOf(object, assumptions, dropped);
      resources.push({
        kind: CRDS[object.crd].kind,
        meshName,
        name: this.awsName(object),
        parentName,
        spec,
        meshOwner: object.crd === 'Mesh' && typeof object.spec.meshOwner === 'string' ? object.spec.meshOwner : undefined,
        source: { file: this.file, origin: object.origin },
        assumptions,
        dropped,
      });
    }
    return { file: this.file, format: 'k8s', resources, ignored: this.ignored, placeholders: [] };
  }

  /** The spec in API shape: references become names, CRD-only fields go, unknown fields are stripped. */
  private specOf(object: K8sObject, assumptions: string[], dropped: string[]): Record<string, unknown> {
    const raw: Record<string, unknown> = { ...object.spec };
    for (const field of CRDS[object.crd].k8sOnly) delete raw[field];
    const spec = this.withNames(object, raw, assumptions);
    return toApiShape(spec, CRDS[object.crd].root, 'spec', {
      unknownFields: 'strip',
      onError: (field, message) => this.fail(object.origin, field, message),
      onStripped: (field) => dropped.push(`${field}: not a field of the ${object.crd} CRD; stripped as the API server would`),
    });
  }

  /** Rewrites the CRDs' references (`virtualServiceRef`, `virtualNodeARN`, …) to the API's name fields. */
  private withNames(object: K8sObject, spec: Record<string, unknown>, assumptions: string[]): Record<string, unknown> {
    const copy = structuredClone(spec);
    const ref = (holder: unknown, target: CrdKind, field: string, base: string, required = true) =>
      this.rewriteRef(object, holder, target, field, base, assumptions, required);
    switch (object.crd) {
      case 'VirtualNode':
        (Array.isArray(copy.backends) ? copy.backends : []).forEach((backend, i) => {
          if (isObject(backend)) ref(backend.virtualService, 'VirtualService', 'virtualServiceName', `spec.backends[${i}].virtualService`);
        });
        break;
      case 'VirtualService': {
        const provider = isObject(copy.provider) ? copy.provider : {};
        ref(provider.virtualNode, 'VirtualNode', 'virtualNodeName', 'spec.provider.virtualNode', false);
        ref(provider.virtualRouter, 'VirtualRouter', 'virtualRouterName', 'spec.provider.virtualRouter', false);
        break;
      }
      case 'GatewayRoute':
        for (const protocol of ROUTE_PROTOCOLS) {
          const route = copy[protocol];
          const target = isObject(route) && isObject(route.action) && isObject(route.action.target) ? route.action.target : undefined;
          if (target !== undefined) ref(target.virtualService, 'VirtualService', 'virtualServiceName', `spec.${protocol}.action.target.virtualService`);
        }
        break;
      default:
        break;
    }
    return copy;
  }

  /**
   * In `holder`, replaces `<kind>Ref: { name, namespace }` or `<kind>ARN` by `nameField: <AWS name>`.
   * The referenced object's awsName when the inputs hold it, else the controller's default name.
   */
  private rewriteRef(
    from: K8sObject, holder: unknown, target: CrdKind, nameField: string, base: string, assumptions: string[], required: boolean,
  ): void {
    if (!isObject(holder)) return;
    const stem = target.charAt(0).toLowerCase() + target.slice(1);
    const refField = `${stem}Ref`;
    const arnField = `${stem}ARN`;
    const ref = holder[refField];
    const arn = holder[arnField];
    delete holder[refField];
    delete holder[arnField];
    if (isObject(ref)) {
      if (typeof ref.name !== 'string') this.fail(from.origin, `${base}.${refField}.name`, 'missing');
      const namespace = typeof ref.namespace === 'string' ? ref.namespace : from.namespace!;
      const found = this.objects.find((o) => o.crd === target && o.name === ref.name && o.namespace === namespace);
      if (found !== undefined) {
        holder[nameField] = this.awsName(found);
      } else {
        holder[nameField] = target === 'VirtualService' ? `${ref.name}.${namespace}` : `${ref.name}_${namespace}`;
        assumptions.push(`${base}.${refField}: ${target} ${namespace}/${ref.name} is not in the inputs; its App Mesh name taken as the controller's default "${holder[nameField]}"`);
      }
    } else if (typeof arn === 'string') {
      const parsed = parseAppMeshArn(arn);
      if (parsed === undefined) this.fail(from.origin, `${base}.${arnField}`, `not an App Mesh ARN: ${JSON.stringify(arn)}`);
      holder[nameField] = parsed.name;
    } else if (required && holder[nameField] === undefined) {
      this.fail(from.origin, base, `needs ${refField} or ${arnField}`);
    }
  }

  /** The mesh of an object: its meshRef, else the mesh selecting its namespace, else the only mesh. */
  private meshOf(object: K8sObject, assumptions: string[]): string | undefined {
    if (object.crd === 'Mesh') return this.awsName(object);
    const meshes = this.objects.filter((o) => o.crd === 'Mesh');
    const meshRef = object.spec.meshRef;
    if (isObject(meshRef) && typeof meshRef.name === 'string') {
      const found = meshes.find((m) => m.name === meshRef.name);
      if (found !== undefined) return this.awsName(found);
      assumptions.push(`spec.meshRef: Mesh "${meshRef.name}" is not in the inputs; its App Mesh name taken as "${meshRef.name}"`);
      return meshRef.name;
    }
    const { labels, known } = this.labelsOf(object.namespace!);
    const selecting = meshes.filter((m) => selects(m.spec.namespaceSelector as LabelSelector | undefined, labels));
    if (selecting.length === 1) return this.awsName(selecting[0]);
    if (selecting.length > 1) {
      this.fail(object.origin, 'metadata.namespace', `namespace "${object.namespace}" is selected by several meshes (${selecting.map((m) => m.name).join(', ')}); set spec.meshRef`);
    }
    if (meshes.length === 1) {
      assumptions.push(known
        ? `no mesh's namespaceSelector selects namespace "${object.namespace}"; taken as in mesh "${this.awsName(meshes[0])}", the only mesh of the file`
        : `namespace "${object.namespace}" has no manifest in the file, so its labels are unknown; taken as in mesh "${this.awsName(meshes[0])}", the only mesh of the file`);
      return this.awsName(meshes[0]);
    }
    return undefined;
  }

  /** The gateway of a gateway route: virtualGatewayRef, else the gateway selecting the route's namespace (and labels). */
  private gatewayOf(route: K8sObject, assumptions: string[]): string {
    const gateways = this.objects.filter((o) => o.crd === 'VirtualGateway');
    const ref = route.spec.virtualGatewayRef;
    if (isObject(ref) && typeof ref.name === 'string') {
      const namespace = typeof ref.namespace === 'string' ? ref.namespace : route.namespace;
      const found = gateways.find((g) => g.name === ref.name && g.namespace === namespace);
      if (found !== undefined) return this.awsName(found);
      const name = `${ref.name}_${namespace}`;
      assumptions.push(`spec.virtualGatewayRef: VirtualGateway ${namespace}/${ref.name} is not in the inputs; its App Mesh name taken as "${name}"`);
      return name;
    }
    const { labels, known } = this.labelsOf(route.namespace!);
    const selecting = gateways.filter((g) => selects(g.spec.namespaceSelector as LabelSelector | undefined, labels)
      && (g.spec.gatewayRouteSelector === undefined || selects(g.spec.gatewayRouteSelector as LabelSelector, route.labels)));
    if (selecting.length === 1) {
      assumptions.push(`gateway found through VirtualGateway ${selecting[0].namespace}/${selecting[0].name}'s namespaceSelector`);
      return this.awsName(selecting[0]);
    }
    if (selecting.length > 1) {
      this.fail(route.origin, 'spec.virtualGatewayRef', `several gateways select this route (${selecting.map((g) => g.name).join(', ')}); set spec.virtualGatewayRef`);
    }
    if (!known && gateways.length === 1) {
      assumptions.push(`namespace "${route.namespace}" has no manifest in the file, so its labels are unknown; taken as a route of "${this.awsName(gateways[0])}", the only gateway of the file`);
      return this.awsName(gateways[0]);
    }
    return this.fail(route.origin, 'spec.virtualGatewayRef',
      `no VirtualGateway's namespaceSelector selects namespace "${route.namespace}"${known ? '' : ' (the file has no manifest for it, so its labels are unknown)'}; set spec.virtualGatewayRef`);
  }

  /** A router's inline routes, each a Route resource named by its `name`. */
  private routesOf(router: K8sObject, meshName: string | undefined): ImportedResource[] {
    const routes = router.spec.routes;
    if (routes === undefined) return [];
    if (!Array.isArray(routes)) this.fail(router.origin, 'spec.routes', 'must be a list');
    return routes.map((route, i) => {
      const base = `spec.routes[${i}]`;
      if (!isObject(route) || typeof route.name !== 'string') return this.fail(router.origin, `${base}.name`, 'every route needs a name');
      const assumptions: string[] = [];
      const dropped: string[] = [];
      const { name, ...rest } = route;
      const spec = structuredClone(rest);
      for (const protocol of ROUTE_PROTOCOLS) {
        const body = spec[protocol];
        const targets = isObject(body) && isObject(body.action) && Array.isArray(body.action.weightedTargets) ? body.action.weightedTargets : [];
        targets.forEach((target, t) => this.rewriteRef(router, target, 'VirtualNode', 'virtualNode', `${base}.${protocol}.action.weightedTargets[${t}]`, assumptions, true));
      }
      return {
        kind: 'route' as const,
        meshName,
        name,
        parentName: this.awsName(router),
        spec: toApiShape(spec, 'RouteSpec', base, {
          unknownFields: 'strip',
          onError: (field, message) => this.fail(router.origin, field, message),
          onStripped: (field) => dropped.push(`${field}: not a field of the VirtualRouter CRD's routes; stripped as the API server would`),
        }),
        source: { file: this.file, origin: `${router.origin} route "${name}"` },
        assumptions,
        dropped,
      };
    });
  }
}
