import { readCfnTemplate } from '../../src/import/cfn/cfn-reader';
import { ImportError } from '../../src/import/import-error';
import { ImportedResource } from '../../src/import/imported-resource';

/** Small templates, one reader feature each. */

const HEAD = 'AWSTemplateFormatVersion: \'2010-09-09\'\n';

/** A template with a mesh and one virtual node whose spec is `nodeSpec` (YAML, indented 6). */
function nodeTemplate(nodeSpec: string, extra = ''): string {
  return `${HEAD}${extra}
Resources:
  Mesh:
    Type: AWS::AppMesh::Mesh
    Properties:
      MeshName: shop
  Node:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: !GetAtt Mesh.MeshName
      VirtualNodeName: cart
      Spec:
${nodeSpec.split('\n').map((l) => `        ${l}`).join('\n')}
`;
}

function node(text: string, options = {}): ImportedResource {
  return readCfnTemplate('t.yaml', text, options).resources.find((r) => r.kind === 'virtualNode')!;
}

function readError(text: string, options = {}): ImportError {
  try {
    readCfnTemplate('t.yaml', text, options);
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('expected an ImportError');
}

const LISTENER = 'Listeners:\n  - PortMapping: { Port: 8080, Protocol: http }';

describe('parameters', () => {
  const params = 'Parameters:\n  Domain: { Type: String, Default: shop.local }\n  Env: { Type: String, AllowedValues: [dev, prod] }\n';
  const spec = `${LISTENER}\nServiceDiscovery:\n  DNS:\n    Hostname: !Sub 'cart.\${Domain}'`;

  test('a Ref takes the Default, and --param overrides it', () => {
    expect(node(nodeTemplate(spec, params)).spec.serviceDiscovery).toEqual({ dns: { hostname: 'cart.shop.local' } });
    expect(node(nodeTemplate(spec, params), { params: { Domain: 'shop.prod' } }).spec.serviceDiscovery).toEqual({ dns: { hostname: 'cart.shop.prod' } });
  });

  test('a parameter without Default and without --param is an error naming the flag', () => {
    const error = readError(nodeTemplate(`${LISTENER}\nServiceDiscovery:\n  DNS:\n    Hostname: !Ref Env`, params));
    expect(error.message).toBe('t.yaml: Node: Properties.Spec.ServiceDiscovery.DNS.Hostname.Ref: parameter "Env" has no Default; pass its value with --param Env=VALUE');
  });

  test('a --param outside AllowedValues is refused', () => {
    const error = readError(nodeTemplate(`${LISTENER}\nServiceDiscovery:\n  DNS:\n    Hostname: !Ref Env`, params), { params: { Env: 'qa' } });
    expect(error.message).toMatch(/parameter "Env" is "qa", not one of its AllowedValues \["dev","prod"\]/);
  });

  test('a CommaDelimitedList parameter is a list for Fn::Select', () => {
    const extra = 'Parameters:\n  Hosts: { Type: CommaDelimitedList, Default: "a.local, b.local" }\n';
    const result = node(nodeTemplate(`${LISTENER}\nServiceDiscovery:\n  DNS:\n    Hostname: !Select [1, !Ref Hosts]`, extra));
    expect(result.spec.serviceDiscovery).toEqual({ dns: { hostname: 'b.local' } });
  });
});

describe('pseudo parameters', () => {
  const spec = `${LISTENER}\nServiceDiscovery:\n  AWSCloudMap:\n    NamespaceName: !Sub '\${AWS::Region}.\${AWS::AccountId}.\${AWS::Partition}'\n    ServiceName: !Ref AWS::StackName`;

  test('defaults are used and reported as assumptions', () => {
    const result = node(nodeTemplate(spec));
    expect(result.spec.serviceDiscovery).toEqual({ awsCloudMap: { namespaceName: 'us-east-1.123456789012.aws', serviceName: 't' } });
    expect(result.assumptions).toEqual(expect.arrayContaining([
      expect.stringMatching(/^AWS::Region taken as "us-east-1", the importer's default \(pass --param AWS::Region=VALUE/),
      expect.stringMatching(/^AWS::StackName taken as "t"/),
    ]));
  });

  test('--param overrides them, and then nothing is assumed', () => {
    const result = node(nodeTemplate(spec), { params: { 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '111122223333', 'AWS::Partition': 'aws', 'AWS::StackName': 'shop' } });
    expect(result.spec.serviceDiscovery).toEqual({ awsCloudMap: { namespaceName: 'eu-west-1.111122223333.aws', serviceName: 'shop' } });
    expect(result.assumptions).toEqual([]);
  });

  test('AWS::NoValue removes the field, and the list item', () => {
    const result = node(nodeTemplate([
      'Listeners:',
      '  - PortMapping: { Port: 8080, Protocol: http }',
      '    HealthCheck: !Ref AWS::NoValue',
      '  - !Ref AWS::NoValue',
      'ServiceDiscovery:',
      '  DNS: { Hostname: cart.local, ResponseType: !Ref AWS::NoValue }',
    ].join('\n')));
    expect(result.spec).toEqual({ listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'cart.local' } } });
  });
});

describe('functions', () => {
  test('Fn::Sub with a variable map, a GetAtt inside and a ${!Literal}', () => {
    const result = node(nodeTemplate([
      LISTENER,
      'ServiceDiscovery:',
      '  DNS:',
      "    Hostname: !Sub ['${Name}.${Mesh.MeshName}.${!x}', { Name: cart }]",
    ].join('\n')));
    expect(result.spec.serviceDiscovery).toEqual({ dns: { hostname: 'cart.shop.${x}' } });
  });

  test('Fn::Join, Fn::Split and Fn::FindInMap', () => {
    const extra = 'Mappings:\n  Ports:\n    cart: { http: 8080 }\n';
    const result = node(nodeTemplate([
      'Listeners:',
      '  - PortMapping: { Port: !FindInMap [Ports, cart, http], Protocol: http }',
      'ServiceDiscovery:',
      "  DNS: { Hostname: !Join ['.', !Split ['/', 'cart/shop/local']] }",
    ].join('\n'), extra));
    expect(result.spec).toEqual({ listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 'cart.shop.local' } } });
  });

  test('Fn::Select outside the list is an error naming the field', () => {
    const error = readError(nodeTemplate(`${LISTENER}\nServiceDiscovery:\n  DNS: { Hostname: !Select [3, [a, b]] }`));
    expect(error.message).toBe('t.yaml: Node: Properties.Spec.ServiceDiscovery.DNS.Hostname.Fn::Select: Fn::Select index 3 is outside the list of 2');
  });

  test('Fn::ImportValue takes --import-value, and names the flag when it is missing', () => {
    const spec = `${LISTENER}\nServiceDiscovery:\n  DNS: { Hostname: !ImportValue cart-host }`;
    expect(node(nodeTemplate(spec), { importValues: { 'cart-host': 'cart.shared.local' } }).spec.serviceDiscovery).toEqual({ dns: { hostname: 'cart.shared.local' } });
    expect(readError(nodeTemplate(spec)).message).toMatch(/Fn::ImportValue "cart-host": another stack's export; pass its value with --import-value cart-host=VALUE$/);
  });

  test('Fn::If follows the Conditions section (Equals, Not, And, Or, Condition)', () => {
    const extra = [
      'Parameters:',
      '  Env: { Type: String, Default: dev }',
      'Conditions:',
      '  IsProd: !Equals [!Ref Env, prod]',
      '  IsDev: !Not [!Condition IsProd]',
      '  Either: !Or [!Condition IsProd, !Condition IsDev]',
      '  Both: !And [!Condition IsProd, !Condition IsDev]',
      '',
    ].join('\n');
    const spec = `${LISTENER}\nServiceDiscovery:\n  DNS: { Hostname: !If [Both, both, !If [Either, !If [IsDev, dev, prod], none]] }`;
    expect(node(nodeTemplate(spec, extra)).spec.serviceDiscovery).toEqual({ dns: { hostname: 'dev' } });
    expect(node(nodeTemplate(spec, extra), { params: { Env: 'prod' } }).spec.serviceDiscovery).toEqual({ dns: { hostname: 'prod' } });
  });

  test('a condition cycle is an error naming the cycle and where it was evaluated', () => {
    const extra = 'Conditions:\n  A: !Not [!Condition B]\n  B: !Not [!Condition A]\n';
    const error = readError(nodeTemplate(`${LISTENER}\nServiceDiscovery:\n  DNS: { Hostname: !If [A, a, b] }`, extra));
    expect(error.message).toBe('t.yaml: Conditions.A: conditions refer to each other in a cycle: A → B → A (evaluated for Node Properties.Spec.ServiceDiscovery.DNS.Hostname.Fn::If)');
  });

  test('an undefined condition is an error', () => {
    const error = readError(nodeTemplate(`${LISTENER}\nServiceDiscovery:\n  DNS: { Hostname: !If [Missing, a, b] }`));
    expect(error.message).toMatch(/condition "Missing" is not defined in the Conditions section$/);
  });

  test('a resource whose Condition is false is excluded, with the reason', () => {
    const text = nodeTemplate(`${LISTENER}\nServiceDiscovery:\n  DNS: { Hostname: cart.local }`, 'Conditions:\n  Never: !Equals [a, b]\n')
      .replace('    Type: AWS::AppMesh::VirtualNode\n', '    Type: AWS::AppMesh::VirtualNode\n    Condition: Never\n');
    expect(node(text).excluded).toBe('its Condition "Never" is false, so CloudFormation would not create it');
  });
});

describe('references to resources', () => {
  const template = `${HEAD}
Resources:
  Mesh:
    Type: AWS::AppMesh::Mesh
    Properties: { MeshName: shop }
  Node:
    Type: AWS::AppMesh::VirtualNode
    Properties:
      MeshName: !GetAtt Mesh.MeshName
      Spec:
        Listeners: [{ PortMapping: { Port: 80, Protocol: http } }]
        ServiceDiscovery:
          DNS: { Hostname: !GetAtt Balancer.DNSName }
  Service:
    Type: AWS::AppMesh::VirtualService
    Properties:
      MeshName: !Ref Mesh
      VirtualServiceName: !GetAtt Discovery.Name
      Spec:
        Provider:
          VirtualNode: { VirtualNodeName: !Ref Node }
  Discovery:
    Type: AWS::ServiceDiscovery::Service
    Properties: { Name: cart.shop.local }
  Balancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: { Scheme: internal }
`;

  test('a node without a name takes its logical id, and says so', () => {
    const result = readCfnTemplate('t.yaml', template).resources.find((r) => r.kind === 'virtualNode')!;
    expect(result.name).toBe('Node');
    expect(result.assumptions[0]).toBe('no VirtualNodeName: CloudFormation generated one at deploy time; the logical id "Node" is used');
  });

  test('a Ref (an ARN) where a name goes is read back to the name', () => {
    const service = readCfnTemplate('t.yaml', template).resources.find((r) => r.kind === 'virtualService')!;
    expect(service.meshName).toBe('shop');
    expect(service.spec).toEqual({ provider: { virtualNode: { virtualNodeName: 'Node' } } });
    expect(service.assumptions).toEqual(expect.arrayContaining([
      'Properties.MeshName is an ARN (arn:aws:appmesh:us-east-1:123456789012:mesh/shop); its name "shop" is used',
      'Properties.Spec.provider.virtualNode.virtualNodeName is an ARN (arn:aws:appmesh:us-east-1:123456789012:mesh/shop/virtualNode/Node); its name "Node" is used',
    ]));
  });

  test('a foreign attribute comes from the template when literal, else a listed placeholder', () => {
    const result = readCfnTemplate('t.yaml', template);
    const service = result.resources.find((r) => r.kind === 'virtualService')!;
    expect(service.name).toBe('cart.shop.local');
    const balanced = result.resources.find((r) => r.kind === 'virtualNode')!;
    expect(balanced.spec.serviceDiscovery).toEqual({ dns: { hostname: 'unresolved.Balancer.DNSName.invalid' } });
    expect(result.placeholders).toEqual([{
      value: 'unresolved.Balancer.DNSName.invalid',
      meaning: 'Fn::GetAtt Balancer.DNSName (AWS::ElasticLoadBalancingV2::LoadBalancer), known only once deployed',
      file: 't.yaml',
      where: 'Node Properties.Spec.ServiceDiscovery.DNS.Hostname',
    }]);
    expect(result.ignored).toEqual({ 'AWS::ServiceDiscovery::Service': 1, 'AWS::ElasticLoadBalancingV2::LoadBalancer': 1 });
  });

  test('a Ref to nothing names the resource and the field', () => {
    const error = readError(template.replace('MeshName: !Ref Mesh', 'MeshName: !Ref Mesh2'));
    expect(error.message).toBe('t.yaml: Service: Properties.MeshName.Ref: Ref "Mesh2" refers to nothing: the template has no parameter or resource of that name');
  });

  test('an attribute App Mesh resources do not have is an error', () => {
    const error = readError(template.replace('!GetAtt Mesh.MeshName', '!GetAtt Mesh.Name'));
    expect(error.message).toBe('t.yaml: Node: Properties.MeshName.Fn::GetAtt: Fn::GetAtt Mesh.Name: AWS::AppMesh::Mesh has no attribute "Name"');
  });
});

describe('shape', () => {
  test('numbers and booleans given as strings become numbers and booleans', () => {
    const result = node(nodeTemplate([
      "Listeners:\n  - PortMapping: { Port: '8080', Protocol: http }",
      "    OutlierDetection: { MaxServerErrors: '5', MaxEjectionPercent: '10', Interval: { Unit: s, Value: '10' }, BaseEjectionDuration: { Unit: s, Value: '30' } }",
      'ServiceDiscovery:\n  DNS: { Hostname: cart.local }',
      "BackendDefaults:\n  ClientPolicy:\n    TLS: { Enforce: 'false', Validation: { Trust: { File: { CertificateChain: /ca.pem } } } }",
    ].join('\n')));
    expect(result.spec.listeners).toEqual([{
      portMapping: { port: 8080, protocol: 'http' },
      outlierDetection: { maxServerErrors: 5, maxEjectionPercent: 10, interval: { unit: 's', value: 10 }, baseEjectionDuration: { unit: 's', value: 30 } },
    }]);
    expect(result.spec.backendDefaults).toEqual({ clientPolicy: { tls: { enforce: false, validation: { trust: { file: { certificateChain: '/ca.pem' } } } } } });
  });

  test('Tags are dropped and reported', () => {
    const text = nodeTemplate(`${LISTENER}\nServiceDiscovery:\n  DNS: { Hostname: cart.local }`).replace('      VirtualNodeName: cart\n', '      VirtualNodeName: cart\n      Tags: [{ Key: a, Value: b }]\n');
    expect(node(text).dropped).toEqual(['Tags (1): tags belong to the AWS resource, not the mesh spec; tag the CDK stack instead']);
  });

  test('an unknown resource property, and an unknown App Mesh type, are errors', () => {
    const text = nodeTemplate(`${LISTENER}\nServiceDiscovery:\n  DNS: { Hostname: cart.local }`);
    expect(readError(text.replace('VirtualNodeName: cart', 'NodeName: cart')).message)
      .toMatch(/^t\.yaml: Node: Properties\.NodeName: AWS::AppMesh::VirtualNode has no property "NodeName"/);
    expect(readError(text.replace('AWS::AppMesh::VirtualNode', 'AWS::AppMesh::VirtualNodes')).message)
      .toBe('t.yaml: Node: Type: unknown App Mesh resource type "AWS::AppMesh::VirtualNodes"');
  });

  test('JSON and YAML templates read the same', () => {
    const yaml = nodeTemplate(`${LISTENER}\nServiceDiscovery:\n  DNS: { Hostname: cart.local }`);
    const json = JSON.stringify({
      Resources: {
        Mesh: { Type: 'AWS::AppMesh::Mesh', Properties: { MeshName: 'shop' } },
        Node: {
          Type: 'AWS::AppMesh::VirtualNode',
          Properties: {
            MeshName: { 'Fn::GetAtt': ['Mesh', 'MeshName'] },
            VirtualNodeName: 'cart',
            Spec: { Listeners: [{ PortMapping: { Port: 8080, Protocol: 'http' } }], ServiceDiscovery: { DNS: { Hostname: 'cart.local' } } },
          },
        },
      },
    });
    const strip = (r: ImportedResource[]) => r.map(({ source, ...rest }) => rest);
    expect(strip(readCfnTemplate('t.json', json).resources)).toEqual(strip(readCfnTemplate('t.yaml', yaml).resources));
  });

  test('a template with no App Mesh resources, and one that is not YAML, are errors naming the file', () => {
    expect(readError(`${HEAD}Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n`).message)
      .toBe('t.yaml: no App Mesh resources (AWS::AppMesh::*) in the template (1 other resources)');
    expect(readError('Resources: [unclosed').message).toMatch(/^t\.yaml: not a readable CloudFormation template: /);
  });
});
