import * as fs from 'fs';
import * as path from 'path';
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import { APPMESH_SPEC_SCHEMA } from '../../../src/spec/appmesh-schema';
import { toApiShape } from '../../src/import/api-shape';
import { parseCfnYaml } from '../../src/import/cfn/cfn-yaml';

/**
 * CloudFormation's spelling of every App Mesh spec field, taken from the CloudFormation registry
 * schema shipped in @aws-cdk/aws-service-spec, walked in step with the App Mesh API schema: each
 * CloudFormation property must land on an API field, and each API field must be reachable from
 * CloudFormation, so no field is lost or misspelt on import.
 */

type Db = ReturnType<typeof loadAwsServiceSpecSync>;
interface CfnType { readonly type: string; readonly element?: CfnType; readonly reference?: { readonly $ref: string } }
interface SchemaNode { readonly $ref?: string; readonly type?: string; readonly properties?: Record<string, SchemaNode>; readonly items?: SchemaNode }

const DEFS = APPMESH_SPEC_SCHEMA.$defs as Record<string, SchemaNode>;
const deref = (node: SchemaNode): SchemaNode => (node.$ref === undefined ? node : deref(DEFS[node.$ref.replace('#/$defs/', '')]));

const RESOURCES: [string, string][] = [
  ['AWS::AppMesh::Mesh', 'MeshSpec'],
  ['AWS::AppMesh::VirtualNode', 'VirtualNodeSpec'],
  ['AWS::AppMesh::VirtualService', 'VirtualServiceSpec'],
  ['AWS::AppMesh::VirtualRouter', 'VirtualRouterSpec'],
  ['AWS::AppMesh::Route', 'RouteSpec'],
  ['AWS::AppMesh::VirtualGateway', 'VirtualGatewaySpec'],
  ['AWS::AppMesh::GatewayRoute', 'GatewayRouteSpec'],
];

let db: Db;
beforeAll(() => { db = loadAwsServiceSpecSync(); });

/** Walks a CloudFormation type and the API shape together; returns `cfn path → api path` pairs and misses. */
interface WalkResult { readonly pairs: Map<string, string>; readonly missing: string[]; readonly reached: Set<SchemaNode> }

function walk(cfn: CfnType, api: SchemaNode, cfnPath: string, apiPath: string, out: WalkResult): void {
  const shape = deref(api);
  if (cfn.type === 'array') {
    walk(cfn.element!, shape.items ?? {}, `${cfnPath}[]`, `${apiPath}[]`, out);
    return;
  }
  if (cfn.type !== 'ref') return;
  const definition = db.get('typeDefinition', cfn.reference!.$ref);
  out.reached.add(shape);
  for (const [name, property] of Object.entries(definition.properties as Record<string, { type: CfnType }>)) {
    const apiName = Object.keys(shape.properties ?? {}).find((field) => field.toLowerCase() === name.toLowerCase());
    if (apiName === undefined) {
      out.missing.push(`${cfnPath}.${name}`);
      continue;
    }
    out.pairs.set(`${cfnPath}.${name}`, `${apiPath}.${apiName}`);
    walk(property.type, shape.properties![apiName], `${cfnPath}.${name}`, `${apiPath}.${apiName}`, out);
  }
}

test.each(RESOURCES)('every property of %s Spec has an App Mesh API field, matched case-insensitively', (type, root) => {
  const [resource] = db.lookup('resource', 'cloudFormationType', 'equals', type);
  const spec = (resource.properties as Record<string, { type: CfnType }>).Spec;
  const out = { pairs: new Map<string, string>(), missing: [] as string[], reached: new Set<SchemaNode>() };
  walk(spec.type, DEFS[root], 'Spec', 'spec', out);
  expect(out.missing).toEqual([]);
  // The walk did reach into the spec (a Mesh spec has the fewest fields: 3).
  expect(out.pairs.size).toBeGreaterThanOrEqual(3);
  // Every API field of every shape CloudFormation reaches has a CloudFormation spelling.
  const apiFields = [...out.reached].flatMap((shape) => Object.keys(shape.properties ?? {}));
  const mapped = new Set([...out.pairs.values()].map((p) => p.slice(p.lastIndexOf('.') + 1)));
  expect(apiFields.filter((field) => !mapped.has(field))).toEqual([]);
});

test('the acronyms CloudFormation spells in capitals land on the API camelCase', () => {
  const problems: string[] = [];
  const spec = toApiShape({
    Listeners: [{
      PortMapping: { Port: '8080', Protocol: 'http2' },
      TLS: { Mode: 'STRICT', Certificate: { ACM: { CertificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/x' } } },
      ConnectionPool: { HTTP2: { MaxRequests: '10' } },
      Timeout: { GRPC: { PerRequest: { Unit: 's', Value: '5' } } },
    }],
    ServiceDiscovery: { AWSCloudMap: { NamespaceName: 'ns', ServiceName: 'svc' } },
    BackendDefaults: { ClientPolicy: { TLS: { Enforce: 'false', Ports: ['443'], Validation: { Trust: { SDS: { SecretName: 'ca' } } } } } },
  }, 'VirtualNodeSpec', 'Spec', { unknownFields: 'error', onError: (p, m) => problems.push(`${p}: ${m}`) });
  expect(problems).toEqual([]);
  expect(spec).toEqual({
    listeners: [{
      portMapping: { port: 8080, protocol: 'http2' },
      tls: { mode: 'STRICT', certificate: { acm: { certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/x' } } },
      connectionPool: { http2: { maxRequests: 10 } },
      timeout: { grpc: { perRequest: { unit: 's', value: 5 } } },
    }],
    serviceDiscovery: { awsCloudMap: { namespaceName: 'ns', serviceName: 'svc' } },
    backendDefaults: { clientPolicy: { tls: { enforce: false, ports: [443], validation: { trust: { sds: { secretName: 'ca' } } } } } },
  });
});

test('an unknown CloudFormation property is named with its path', () => {
  const problems: string[] = [];
  toApiShape({ Listeners: [{ PortMapping: { Port: 80, Protocol: 'http' }, HealthChecks: {} }] }, 'VirtualNodeSpec', 'Properties.Spec',
    { unknownFields: 'error', onError: (p, m) => problems.push(`${p}: ${m}`) });
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/^Properties\.Spec\.Listeners\[0\]\.HealthChecks: unknown field "HealthChecks" \(this object takes: .*healthCheck/);
});

describe('the CloudFormation fixtures are templates CloudFormation accepts', () => {
  // The registry schema check the construct tests use for synthesized templates.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { validateTemplateAgainstServiceSpec } = require('../../../test/platform/template-checks') as typeof import('../../../test/platform/template-checks');
  const dir = path.join(__dirname, 'fixtures', 'cfn');
  test.each(['routing.yaml', 'features.yaml', 'orders-gateway.json'])('%s', (file) => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const template = (file.endsWith('.json') ? JSON.parse(text) : parseCfnYaml(text)) as { Resources: Record<string, unknown> };
    const appMeshOnly = Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => String((r as { Type: string }).Type).startsWith('AWS::AppMesh::')));
    expect(validateTemplateAgainstServiceSpec({ Resources: appMeshOnly })).toEqual([]);
  });
});
