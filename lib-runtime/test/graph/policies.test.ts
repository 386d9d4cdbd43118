/**
 * The graph shows policies (docs/policies.md): route and gateway route policies as `⚑` lines in
 * the route box and the gateway route's label, mirrors as dashed arrows to the target node, node
 * and gateway policies as `⚑` lines in their boxes. Drawn from the policies example's spec.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseMeshSpec } from '../../../src/spec/canonical';
import { buildMeshGraph, renderMermaid, renderSvg } from '../../src/graph';
import { resourcePolicyLines, routePolicyLines } from '../../src/graph/policy-summary';

const spec = parseMeshSpec(fs.readFileSync(path.join(__dirname, '..', 'translate', 'fixtures', 'example-policies.json'), 'utf8'));

test('route boxes list their policies; a mirror is a dashed arrow with its share', () => {
  const graph = buildMeshGraph(spec);
  expect(graph.nodes.find(n => n.id === 'route:cart/chaos')?.details).toEqual(expect.arrayContaining(['⚑ fault: abort http 503 10%, delay 500ms 50% if x-chaos']));
  expect(graph.nodes.find(n => n.id === 'route:cart/main')?.details).toEqual(expect.arrayContaining(['⚑ headers: 2 request, 2 response']));
  expect(graph.nodes.find(n => n.id === 'route:ratings/ratings')?.details).toEqual(expect.arrayContaining(['⚑ fault: abort grpc 14 1%']));
  expect(graph.edges.filter(e => e.kind === 'mirror')).toEqual([{ kind: 'mirror', from: 'route:cart/main', to: 'virtualNode:cart-next', labels: ['mirror 5%'] }]);
  const gatewayRoute = graph.edges.find(e => e.kind === 'gatewayRoute' && e.title === 'cart');
  expect(gatewayRoute?.labels).toEqual(expect.arrayContaining(['⚑ fault: abort http 429 100% if x-shed-load', '⚑ headers: 1 request, 1 response']));

  const mermaid = renderMermaid(graph);
  expect(mermaid).toContain('rt_cart__main -.->|"mirror 5%"| vn_cart_next');
  const svg = renderSvg(graph);
  expect(svg).toContain('⚑ fault: abort grpc 14 1%');
  expect(svg).toContain('mirror: copies of a route&apos;s requests, answers dropped');
});

test('a spec without policies draws no policy line and no mirror legend', () => {
  const plain = parseMeshSpec(fs.readFileSync(path.join(__dirname, '..', 'translate', 'fixtures', 'example-routing.json'), 'utf8'));
  const graph = buildMeshGraph(plain);
  expect(JSON.stringify(graph)).not.toContain('⚑');
  expect(renderSvg(graph)).not.toContain('mirror:');
});

test('node and gateway policies show by field, lists with their length; unknown route policies by name', () => {
  expect(resourcePolicyLines({ authorization: { rules: [] }, rateLimits: [{}, {}] })).toEqual(['⚑ authorization', '⚑ rateLimits (2)']);
  expect(resourcePolicyLines(undefined)).toEqual([]);
  expect(routePolicyLines({ headerRules: { requestHeadersToRemove: ['x'] }, rateLimit: {} } as never)).toEqual(['⚑ headers: 1 request', '⚑ rateLimit']);
});
