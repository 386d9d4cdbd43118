import * as fs from 'fs';
import * as path from 'path';
import { GATEWAY_ROUTE_RULES } from '../src/spec/rules/gateway-route-rules';
import { ROUTE_RULES } from '../src/spec/rules/route-rules';
import { VIRTUAL_GATEWAY_RULES } from '../src/spec/rules/virtual-gateway-rules';
import { VIRTUAL_NODE_RULES } from '../src/spec/rules/virtual-node-rules';
import { VIRTUAL_ROUTER_RULES } from '../src/spec/rules/virtual-router-rules';
import { VIRTUAL_SERVICE_RULES } from '../src/spec/rules/virtual-service-rules';

/** docs/validation.md classifies every check: a rule or warning added without a line there fails here. */
const ROOT = path.join(__dirname, '..');
const doc = fs.readFileSync(path.join(ROOT, 'docs', 'validation.md'), 'utf8');

/** Rows of the doc's tables whose first cell is `id`. */
function documentedIds(): Set<string> {
  return new Set([...doc.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]));
}

test('every spec rule has a row in docs/validation.md, and every row is a rule or a warning', () => {
  const rules = [GATEWAY_ROUTE_RULES, ROUTE_RULES, VIRTUAL_GATEWAY_RULES, VIRTUAL_NODE_RULES, VIRTUAL_ROUTER_RULES, VIRTUAL_SERVICE_RULES]
    .flatMap((list) => list.map((rule) => rule.id));
  const sources = fs.readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => fs.readFileSync(path.join(ROOT, 'src', f), 'utf8'))
    .join('\n');
  const warnings = [...new Set([...sources.matchAll(/'(open-app-mesh:[A-Za-z-]+)'/g)].map((m) => m[1]))];
  expect(rules.length).toBeGreaterThan(30);
  expect(warnings).toEqual(expect.arrayContaining(['open-app-mesh:acm-mesh-ca', 'open-app-mesh:arn-kind-mismatch']));
  const documented = documentedIds();
  expect([...rules, ...warnings].filter((id) => !documented.has(id))).toEqual([]);
  expect([...documented].filter((id) => !rules.includes(id) && !warnings.includes(id))).toEqual([]);
});

test('the constructs throw at a call only with the error codes aws-cdk-lib/aws-appmesh throws with (docs: "Checks at the call")', () => {
  // The policy: a check aws-cdk-lib never made at a call runs at synth instead. A construct file
  // that starts throwing a code of its own fails here.
  const upstreamDir = path.join(path.dirname(require.resolve('aws-cdk-lib/package.json')), 'aws-appmesh', 'lib');
  const upstream = [...fs.readdirSync(upstreamDir), ...fs.readdirSync(path.join(upstreamDir, 'private')).map((f) => `private/${f}`)]
    .filter((f) => f.endsWith('.js'))
    .map((f) => fs.readFileSync(path.join(upstreamDir, f), 'utf8'))
    .join('\n');
  const upstreamCodes = new Set([...upstream.matchAll(/lit\)?`(\w+)`/g)].map((m) => m[1]));
  const ours = fs.readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.startsWith('platform') && !f.endsWith('errors.ts'))
    .map((f) => fs.readFileSync(path.join(ROOT, 'src', f), 'utf8'))
    .filter((text) => text.includes('meshError('));
  // Codes reach meshError directly or through a small helper (checkRange, checkCount, ...): every
  // PascalCase string literal in a file that throws one.
  const codes = new Set(ours.flatMap((text) => [...text.matchAll(/'([A-Z][a-z]+(?:[A-Z][A-Za-z0-9]*)+)'/g)].map((m) => m[1])));
  expect(codes.size).toBeGreaterThan(15);
  expect([...codes].filter((code) => !upstreamCodes.has(code)).sort()).toEqual([]);
});
