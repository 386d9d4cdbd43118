import * as fs from 'fs';
import * as path from 'path';
import { compatibilityProblems, JsiiAssembly, JsiiType, readAssembly, upstreamModuleTypes } from './compat/jsii-api-compat';

/**
 * The public API against aws-cdk-lib's own type system: every type of its aws_appmesh module
 * (read from the installed aws-cdk-lib's .jsii) must exist here with a compatible signature.
 * Runs on the .jsii that `npx projen compile` writes; CI compiles before it tests.
 */
const ROOT = path.join(__dirname, '..');
const UPSTREAM_PREFIX = 'aws-cdk-lib.aws_appmesh.';
const OUR_PREFIX = 'open-app-mesh.';

/**
 * The only accepted differences, each with its reason. A `bind()` result of upstream carries the
 * CloudFormation L1 property shape (`CfnRoute.HttpRouteProperty`, …); ours carries the same
 * fields as the mesh spec's type (`spec.HttpRoute`, …), because there is no CloudFormation
 * resource to render any more. Only code that implements its own `bind()` sees the difference.
 */
const KNOWN_DIFFERENCES: { readonly pattern: RegExp; readonly reason: string }[] = [
  {
    pattern: /^\w+Config\.\w+: type open-app-mesh\.spec\.\w+, upstream aws-cdk-lib\.aws_appmesh\.Cfn\w+\.\w+Property$/,
    reason: 'bind() configs carry the mesh spec types instead of the CloudFormation L1 property types',
  },
];

function ourAssembly(): JsiiAssembly {
  const file = path.join(ROOT, '.jsii');
  if (!fs.existsSync(file)) throw new Error('no .jsii: run `npx projen compile` first');
  const built = fs.statSync(file).mtimeMs;
  const newer = fs.readdirSync(path.join(ROOT, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && fs.statSync(path.join(ROOT, 'src', f)).mtimeMs > built);
  if (newer.length > 0) throw new Error(`.jsii is older than src/${newer[0]}: run \`npx projen compile\` first`);
  return readAssembly(file);
}

describe('the API is aws-cdk-lib/aws-appmesh\'s, by its jsii type system', () => {
  const upstream = readAssembly(require.resolve('aws-cdk-lib/.jsii'));
  const constructs = readAssembly(require.resolve('constructs/.jsii'));
  const ours = ourAssembly();
  const upstreamTypes = upstreamModuleTypes(upstream, UPSTREAM_PREFIX);
  const check = (assembly: JsiiAssembly) => compatibilityProblems(upstreamTypes, {
    resolve: (fqn) => assembly.types[fqn] ?? upstream.types[fqn] ?? constructs.types[fqn],
    upstreamPrefix: UPSTREAM_PREFIX,
    ourPrefix: OUR_PREFIX,
  });

  test('the module compared is the L2 API (classes, interfaces, enums; not the Cfn* resources)', () => {
    const names = upstreamTypes.map((t) => t.fqn.slice(UPSTREAM_PREFIX.length));
    expect(names).toEqual(expect.arrayContaining(['Mesh', 'VirtualNode', 'RouteSpec', 'GatewayRouteSpec', 'HealthCheck', 'DnsResponseType', 'IVirtualNode', 'VirtualNodeProps']));
    expect(names.filter((n) => n.startsWith('Cfn'))).toEqual([]);
  });

  test('every type, member, parameter, optionality and readonly-ness matches, but for the listed differences', () => {
    const problems = check(ours);
    const unexplained = problems.filter((p) => !KNOWN_DIFFERENCES.some((k) => k.pattern.test(p)));
    expect(unexplained).toEqual([]);
    // A difference that no longer occurs comes off the list.
    for (const known of KNOWN_DIFFERENCES) expect(problems.some((p) => known.pattern.test(p))).toBe(true);
  });

  test('the check is real: a missing member, a changed type, a required optional and a lost enum member are caught', () => {
    const broken: JsiiAssembly = JSON.parse(JSON.stringify(ours));
    const edit = (name: string, f: (t: any) => void) => f(broken.types[OUR_PREFIX + name] as JsiiType);
    edit('RouteSpec', (t) => { t.methods = t.methods.filter((m: any) => m.name !== 'grpc'); });
    edit('MeshProps', (t) => { t.properties.find((p: any) => p.name === 'meshName').optional = false; });
    edit('VirtualNodeListener', (t) => {
      t.methods.find((m: any) => m.name === 'http').parameters[0].type = { primitive: 'string' };
    });
    edit('DnsResponseType', (t) => { t.members = t.members.filter((m: any) => m.name !== 'ENDPOINTS'); });
    edit('IVirtualNode', (t) => { t.properties.find((p: any) => p.name === 'virtualNodeName').immutable = false; });
    expect(check(broken)).toEqual(expect.arrayContaining([
      'RouteSpec.grpc(): method missing (static)',
      'MeshProps.meshName: optional upstream, required here',
      expect.stringMatching(/^VirtualNodeListener\.http\(\): parameter 1 \(props\) is string, upstream aws-cdk-lib\.aws_appmesh\.HttpVirtualNodeListenerOptions$/),
      'DnsResponseType.ENDPOINTS: enum member missing',
      'IVirtualNode.virtualNodeName: readonly upstream, writable here',
    ]));
  });
});
