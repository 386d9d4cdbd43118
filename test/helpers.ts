import { App, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { buildMeshSpecs } from '../src/private/spec-builder';
import * as spec from '../src/spec';

/**
 * A fresh app with one stack in a fixed environment (so ARNs are concrete). The built-in
 * CloudFormation template check is off: these stacks hold no CloudFormation resources
 * (mesh resources go to the spec), which that check would warn about on every synth.
 */
export function newStack(id = 'Stack'): { app: App; stack: Stack } {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new Stack(app, id, { env: { account: '123456789012', region: 'eu-west-1' } });
  return { app, stack };
}

/** The only document under `root`. */
export function onlyDocument(root: IConstruct): spec.MeshSpecDocument {
  const docs = buildMeshSpecs(root);
  if (docs.length !== 1) throw new Error(`expected one mesh document, got ${docs.length}`);
  return docs[0];
}

/** The document of `meshName` under `root`. */
export function documentOf(root: IConstruct, meshName: string): spec.MeshSpecDocument {
  const doc = buildMeshSpecs(root).find((d) => d.mesh.meshName === meshName);
  if (doc === undefined) throw new Error(`no document for mesh ${meshName}`);
  return doc;
}

/** Spec of the virtual node `name` in `doc`. */
export function nodeSpec(doc: spec.MeshSpecDocument, name: string): spec.VirtualNodeSpec {
  const node = doc.virtualNodes.find((n) => n.virtualNodeName === name);
  if (node === undefined) throw new Error(`no virtual node ${name}; have ${doc.virtualNodes.map((n) => n.virtualNodeName)}`);
  return node.spec;
}

/** Spec of the route `name` (of router `router`, when given) in `doc`. */
export function routeSpec(doc: spec.MeshSpecDocument, name: string, router?: string): spec.RouteSpec {
  const route = doc.routes.find((r) => r.routeName === name && (router === undefined || r.virtualRouterName === router));
  if (route === undefined) throw new Error(`no route ${name}; have ${doc.routes.map((r) => r.routeName)}`);
  return route.spec;
}
