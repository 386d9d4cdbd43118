import { httpRouteSpec, issueLines, route, routedMesh } from './fixtures';
import { canonicalizeMeshSpec, parseMeshSpec, SpecValidationError, toCanonicalJson } from '../../src/spec';
import * as schema from '../../src/spec/appmesh-spec.schema.json';
import { MAX_SPEC_DEPTH } from '../../src/spec/depth-limit';

/** `depth` arrays nested in one another around `1`, as JSON text (JSON.parse handles any depth). */
function nestedArraysJson(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

/** The JSON text of a valid routed mesh with the route's `virtualRouterName` replaced by `replacement`. */
function routedMeshJsonWithRouterName(replacement: string): string {
  const doc = routedMesh({ routes: [route('r', 'main', httpRouteSpec('a'))] });
  // Keys are sorted and `routes` comes before `virtualRouters`: the first occurrence is the route's.
  const text = toCanonicalJson(doc);
  const at = text.indexOf('"virtualRouterName": "r"');
  expect(text.indexOf('"routes"')).toBeLessThan(at);
  return `${text.slice(0, at)}"virtualRouterName": ${replacement}${text.slice(at + '"virtualRouterName": "r"'.length)}`;
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** How many levels the deepest value the schema allows sits below the document. */
function schemaDepth(): number {
  const defs = (schema as { $defs: Record<string, any> }).$defs;
  const depthOf = (node: any, seen: readonly string[]): number => {
    if (typeof node.$ref === 'string') {
      const name = node.$ref.slice('#/$defs/'.length);
      if (seen.includes(name)) return Infinity;
      return depthOf(defs[name], [...seen, name]);
    }
    if (node.type === 'object') return 1 + Math.max(0, ...Object.values<any>(node.properties ?? {}).map(p => depthOf(p, seen)));
    if (node.type === 'array') return 1 + (node.items !== undefined ? depthOf(node.items, seen) : 0);
    return 0;
  };
  const roots = ['MeshSpec', 'VirtualNodeSpec', 'VirtualServiceSpec', 'VirtualRouterSpec', 'RouteSpec', 'VirtualGatewaySpec', 'GatewayRouteSpec'];
  // document › resource list › resource › spec root
  return 3 + Math.max(...roots.map(root => depthOf({ $ref: `#/$defs/${root}` }, [])));
}

describe('nesting depth', () => {
  test('a 10,000-deep array as a route\'s virtualRouterName is one validation issue, not a stack overflow', () => {
    const error = thrownBy(() => parseMeshSpec(routedMeshJsonWithRouterName(nestedArraysJson(10_000))));
    expect(error).toBeInstanceOf(SpecValidationError);
    // document (1) › routes (2) › route (3) › outermost array (4) … the array at level 65 crosses the limit.
    const path = `routes[0].virtualRouterName${'[0]'.repeat(MAX_SPEC_DEPTH - 3)}`;
    expect((error as SpecValidationError).issues).toEqual([
      { path, message: `nested deeper than ${MAX_SPEC_DEPTH} levels of arrays and objects; no mesh spec field is nested this deep` },
    ]);
  });

  test('deep objects anywhere: in a spec, at the top level, in proxyAccess', () => {
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const valid = toCanonicalJson(routedMesh());
    const texts = [
      valid.replace('"spec": {\n      "egressFilter"', `"spec": {\n      "x": ${deepObject},\n      "egressFilter"`),
      valid.replace('{\n  "gatewayRoutes"', `{\n  "extra": ${deepObject},\n  "gatewayRoutes"`),
      valid.replace('{\n  "gatewayRoutes"', `{\n  "proxyAccess": [{ "nodeId": ${deepObject}, "principals": [] }],\n  "gatewayRoutes"`),
    ];
    for (const text of texts) {
      expect(text).not.toBe(valid);
      const error = thrownBy(() => parseMeshSpec(text)) as SpecValidationError;
      expect(error).toBeInstanceOf(SpecValidationError);
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0].message).toMatch(/^nested deeper than 64 levels/);
    }
  });

  test('the limit is exact: a document reaching it is checked as usual, one level more is refused', () => {
    // The route container sits at level 3, so an array of depth MAX-3 reaches the limit.
    const atLimit = issueLines(JSON.parse(routedMeshJsonWithRouterName(nestedArraysJson(MAX_SPEC_DEPTH - 3))));
    expect(atLimit.join('\n')).toMatch(/virtualRouterName: expected the virtual router name as a string, got an array/);
    expect(atLimit.join('\n')).not.toMatch(/nested deeper/);
    const beyond = issueLines(JSON.parse(routedMeshJsonWithRouterName(nestedArraysJson(MAX_SPEC_DEPTH - 2))));
    expect(beyond).toEqual([`routes[0].virtualRouterName${'[0]'.repeat(MAX_SPEC_DEPTH - 3)}: nested deeper than ${MAX_SPEC_DEPTH} levels of arrays and objects; no mesh spec field is nested this deep`]);
  });

  test('the limit leaves room: at least twice as deep as any document the schema allows', () => {
    const deepest = schemaDepth();
    expect(deepest).toBeGreaterThan(5);
    expect(MAX_SPEC_DEPTH).toBeGreaterThanOrEqual(2 * deepest);
  });

  test('a cycle in a built document is refused instead of walked forever', () => {
    const doc = routedMesh() as any;
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    doc.mesh.spec.loop = loop;
    expect(issueLines(doc)).toEqual([
      `mesh.spec.loop${'.self'.repeat(MAX_SPEC_DEPTH - 3)}: nested deeper than ${MAX_SPEC_DEPTH} levels of arrays and objects; no mesh spec field is nested this deep`,
    ]);
  });

  test('canonical form refuses a too-deep document with a validation error', () => {
    const doc = JSON.parse(routedMeshJsonWithRouterName(nestedArraysJson(10_000)));
    expect(thrownBy(() => canonicalizeMeshSpec(doc))).toBeInstanceOf(SpecValidationError);
    expect(thrownBy(() => toCanonicalJson(doc))).toBeInstanceOf(SpecValidationError);
  });
});
