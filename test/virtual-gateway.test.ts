import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as appmesh from '../src';
import { buildMeshSpecs, collectMeshSpecs } from '../src/private/spec-builder';
import * as spec from '../src/spec';

function setUp() {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'shop' });
  return { app, stack, mesh };
}

function gatewaySpec(root: Stack, name: string): spec.VirtualGatewaySpec {
  const [doc] = buildMeshSpecs(root);
  const found = doc.virtualGateways.find((g) => g.virtualGatewayName === name);
  if (!found) throw new Error(`no virtual gateway ${name}: ${doc.virtualGateways.map((g) => g.virtualGatewayName)}`);
  return found.spec;
}

describe('VirtualGateway', () => {
  test('defaults to one HTTP listener on 8080', () => {
    const { stack, mesh } = setUp();
    new appmesh.VirtualGateway(stack, 'Gateway', { mesh, virtualGatewayName: 'ingress' });
    expect(gatewaySpec(stack, 'ingress')).toEqual({
      listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
    });
  });

  test('mesh.addVirtualGateway creates the gateway under the mesh with the name given', () => {
    const { stack, mesh } = setUp();
    const gateway = mesh.addVirtualGateway('Gateway', { virtualGatewayName: 'ingress' });
    expect(gateway.node.path).toBe('Stack/Mesh/Gateway');
    expect(gateway.mesh).toBe(mesh);
    const [doc] = buildMeshSpecs(stack);
    expect(doc.virtualGateways.map((g) => [g.meshName, g.virtualGatewayName])).toEqual([['shop', 'ingress']]);
  });

  test('the name defaults to one derived from the construct path', () => {
    const { stack, mesh } = setUp();
    const gateway = mesh.addVirtualGateway('Gateway');
    expect(gateway.virtualGatewayName).toMatch(/^StackMeshGateway[0-9A-F]{8}$/);
    expect(gatewaySpec(stack, gateway.virtualGatewayName).listeners).toHaveLength(1);
  });

  test('renders HTTP, HTTP/2 and gRPC listeners with health checks and connection pools', () => {
    const { stack, mesh } = setUp();
    mesh.addVirtualGateway('Gateway', {
      virtualGatewayName: 'ingress',
      listeners: [
        appmesh.VirtualGatewayListener.http({
          port: 80,
          healthCheck: appmesh.HealthCheck.http({ path: '/ping', interval: Duration.seconds(10), healthyThreshold: 3 }),
          connectionPool: { maxConnections: 100, maxPendingRequests: 20 },
        }),
        appmesh.VirtualGatewayListener.http2({
          port: 81,
          healthCheck: appmesh.HealthCheck.http2(),
          connectionPool: { maxRequests: 200 },
        }),
        appmesh.VirtualGatewayListener.grpc({
          port: 50051,
          healthCheck: appmesh.HealthCheck.grpc({ timeout: Duration.seconds(3) }),
          connectionPool: { maxRequests: 300 },
        }),
      ],
    });
    expect(gatewaySpec(stack, 'ingress').listeners).toEqual([
      {
        portMapping: { port: 80, protocol: 'http' },
        healthCheck: {
          protocol: 'http',
          path: '/ping',
          port: 80,
          healthyThreshold: 3,
          unhealthyThreshold: 2,
          intervalMillis: 10000,
          timeoutMillis: 2000,
        },
        connectionPool: { http: { maxConnections: 100, maxPendingRequests: 20 } },
      },
      {
        portMapping: { port: 81, protocol: 'http2' },
        healthCheck: {
          protocol: 'http2',
          path: '/',
          port: 81,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
          intervalMillis: 5000,
          timeoutMillis: 2000,
        },
        connectionPool: { http2: { maxRequests: 200 } },
      },
      {
        portMapping: { port: 50051, protocol: 'grpc' },
        healthCheck: {
          protocol: 'grpc',
          port: 50051,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
          intervalMillis: 5000,
          timeoutMillis: 3000,
        },
        connectionPool: { grpc: { maxRequests: 300 } },
      },
    ]);
  });

  test('renders listener TLS with mutual validation', () => {
    const { stack, mesh } = setUp();
    mesh.addVirtualGateway('Gateway', {
      virtualGatewayName: 'ingress',
      listeners: [appmesh.VirtualGatewayListener.http({
        port: 443,
        tls: {
          mode: appmesh.TlsMode.STRICT,
          certificate: appmesh.TlsCertificate.file('/certs/chain.pem', '/certs/key.pem'),
          mutualTlsValidation: {
            trust: appmesh.TlsValidationTrust.sds('client-ca'),
            subjectAlternativeNames: appmesh.SubjectAlternativeNames.matchingExactly('partner.example.com'),
          },
        },
      })],
    });
    expect(gatewaySpec(stack, 'ingress').listeners[0].tls).toEqual({
      mode: 'STRICT',
      certificate: { file: { certificateChain: '/certs/chain.pem', privateKey: '/certs/key.pem' } },
      validation: {
        trust: { sds: { secretName: 'client-ca' } },
        subjectAlternativeNames: { match: { exact: ['partner.example.com'] } },
      },
    });
  });

  test('renders an ACM listener certificate and an SDS one without client validation', () => {
    const { stack, mesh } = setUp();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    mesh.addVirtualGateway('Gateway', {
      virtualGatewayName: 'ingress',
      listeners: [
        appmesh.VirtualGatewayListener.http2({
          port: 443,
          tls: { mode: appmesh.TlsMode.PERMISSIVE, certificate: appmesh.TlsCertificate.acm(certificate) },
        }),
        appmesh.VirtualGatewayListener.grpc({
          port: 8443,
          tls: { mode: appmesh.TlsMode.DISABLED, certificate: appmesh.TlsCertificate.sds('gw-cert') },
        }),
      ],
    });
    expect(gatewaySpec(stack, 'ingress').listeners.map((l) => l.tls)).toEqual([
      { mode: 'PERMISSIVE', certificate: { acm: { certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } } },
      { mode: 'DISABLED', certificate: { sds: { secretName: 'gw-cert' } } },
    ]);
  });

  test('renders backend defaults (TLS client policy) and the access log', () => {
    const { stack, mesh } = setUp();
    mesh.addVirtualGateway('Gateway', {
      virtualGatewayName: 'ingress',
      backendDefaults: {
        tlsClientPolicy: {
          ports: [8443],
          validation: {
            trust: appmesh.TlsValidationTrust.file('/certs/mesh-ca.pem'),
            subjectAlternativeNames: appmesh.SubjectAlternativeNames.matchingExactly('orders.shop.local'),
          },
          mutualTlsCertificate: appmesh.TlsCertificate.sds('gateway-client'),
        },
      },
      accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout', appmesh.LoggingFormat.fromJson({ status: '%RESPONSE_CODE%' })),
    });
    const gw = gatewaySpec(stack, 'ingress');
    expect(gw.backendDefaults).toEqual({
      clientPolicy: {
        tls: {
          enforce: true,
          ports: [8443],
          validation: {
            trust: { file: { certificateChain: '/certs/mesh-ca.pem' } },
            subjectAlternativeNames: { match: { exact: ['orders.shop.local'] } },
          },
          certificate: { sds: { secretName: 'gateway-client' } },
        },
      },
    });
    expect(gw.logging).toEqual({
      accessLog: { file: { path: '/dev/stdout', format: { json: [{ key: 'status', value: '%RESPONSE_CODE%' }] } } },
    });
  });

  // aws-cdk-lib constructs each of these without a word; App Mesh refused them at deploy time.
  // Here they construct too, and app.synth() fails naming the construct and the spec field.
  test.each([
    ['a TCP health check on a gateway listener',
      () => [appmesh.VirtualGatewayListener.http({ healthCheck: appmesh.HealthCheck.tcp() })],
      'spec.listeners[0].healthCheck.protocol: "tcp" is not one of "http", "http2", "grpc"'],
    ['an empty listener list', () => [], 'spec.listeners: a virtual gateway needs at least one listener'],
    ['two listeners on one port',
      () => [appmesh.VirtualGatewayListener.http({ port: 8080 }), appmesh.VirtualGatewayListener.grpc({ port: 8080 })],
      'spec.listeners[1].portMapping.port: port 8080 is already used by listeners[0]; listener ports must be unique'],
    ['listener port 0', () => [appmesh.VirtualGatewayListener.http2({ port: 0 })],
      'spec.listeners[0].portMapping.port: 0 is below the minimum 1'],
    ['listener port 65536', () => [appmesh.VirtualGatewayListener.grpc({ port: 65536 })],
      'spec.listeners[0].portMapping.port: 65536 is above the maximum 65535'],
    ['listener port 80.5', () => [appmesh.VirtualGatewayListener.http({ port: 80.5 })],
      'spec.listeners[0].portMapping.port: '],
  ])('%s constructs, as with aws-cdk-lib, and fails at synth with the path and field', (_name, listeners, message) => {
    const { app, mesh } = setUp();
    expect(() => mesh.addVirtualGateway('Gateway', { virtualGatewayName: 'ingress', listeners: listeners() })).not.toThrow();
    expect(() => app.synth()).toThrow(`[Stack/Mesh/Gateway] virtualGateways["ingress"].${message}`);
  });

  test('an out-of-range connection pool is reported at synth with the construct path', () => {
    const { app, mesh } = setUp();
    mesh.addVirtualGateway('Gateway', {
      listeners: [appmesh.VirtualGatewayListener.grpc({ connectionPool: { maxRequests: 0 } })],
    });
    expect(() => app.synth()).toThrow(/\[Stack\/Mesh\/Gateway\] .*connectionPool\.grpc\.maxRequests/);
  });

  test('its ARN and node id follow App Mesh', () => {
    const { stack, mesh } = setUp();
    const gateway = mesh.addVirtualGateway('Gateway', { virtualGatewayName: 'ingress' });
    expect(stack.resolve(gateway.virtualGatewayArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':appmesh:eu-west-1:123456789012:mesh/shop/virtualGateway/ingress']],
    });
    expect(gateway.nodeId).toBe('mesh/shop/virtualGateway/ingress');
    expect(gateway.virtualGatewayRef).toEqual({ virtualGatewayArn: gateway.virtualGatewayArn });
  });

  test('fromVirtualGatewayArn reads mesh and gateway names', () => {
    const stack = new Stack();
    const arn = 'arn:aws:appmesh:eu-west-1:123456789012:mesh/shop/virtualGateway/ingress';
    const gateway = appmesh.VirtualGateway.fromVirtualGatewayArn(stack, 'Imported', arn);
    expect(gateway.virtualGatewayName).toBe('ingress');
    expect(gateway.mesh.meshName).toBe('shop');
    expect(gateway.virtualGatewayArn).toBe(arn);
    expect(gateway.virtualGatewayRef).toEqual({ virtualGatewayArn: arn });
    expect(appmesh.VirtualGateway.nodeIdOf(gateway)).toBe('mesh/shop/virtualGateway/ingress');
  });

  test.each([
    ['arn:aws:appmesh:eu-west-1:123456789012:mesh/shop/virtualNode/orders', 'orders'],
    ['arn:aws:appmesh:eu-west-1:123456789012:mesh/shop/virtualGateway/ingress/gatewayRoute/r1', 'ingress'],
  ])('fromVirtualGatewayArn reads %s by position, as aws-cdk-lib does, and warns', (arn, name) => {
    const stack = new Stack();
    expect(appmesh.VirtualGateway.fromVirtualGatewayArn(stack, 'Imported', arn).virtualGatewayName).toBe(name);
    Annotations.fromStack(stack).hasWarning('/Default/Imported', Match.stringLikeRegexp(
      'is not the ARN of a virtualGateway \\(expected \\.\\.\\.:mesh/<mesh>/virtualGateway/<name>\\).*open-app-mesh:arn-kind-mismatch'));
  });

  test.each([
    'arn:aws:appmesh:eu-west-1:123456789012:mesh/shop/virtualGateway/',
    'arn:aws:appmesh:eu-west-1:123456789012:mesh/shop',
  ])('fromVirtualGatewayArn imports %s, which has no gateway name, with a warning; a route on it fails at synth', (arn) => {
    // aws-cdk-lib imports it too and leaves the name empty; App Mesh refused the route at deploy time.
    const { app, stack, service } = (() => {
      const a = new App();
      const st = new Stack(a, 'Stack');
      const mesh = new appmesh.Mesh(st, 'Mesh', { meshName: 'shop' });
      const svc = new appmesh.VirtualService(st, 'Orders', {
        virtualServiceName: 'orders.shop.local', virtualServiceProvider: appmesh.VirtualServiceProvider.none(mesh),
      });
      return { app: a, stack: st, service: svc };
    })();
    const gateway = appmesh.VirtualGateway.fromVirtualGatewayArn(stack, 'Imported', arn);
    expect(gateway.virtualGatewayName).toBe('');
    expect(gateway.node.metadata.map((m) => m.data)).toEqual([expect.stringMatching(
      /is not the ARN of a virtualGateway .*no name at each position.*open-app-mesh:arn-kind-mismatch/)]);
    gateway.addGatewayRoute('Route', { gatewayRouteName: 'r', routeSpec: appmesh.GatewayRouteSpec.http({ routeTarget: service }) });
    expect(() => app.synth()).toThrow(/\[Stack\/Imported\/Route\] gatewayRoutes\["\/r"\]\.virtualGatewayName: /);
  });

  test('fromVirtualGatewayArn throws aws-cdk-lib\'s own error for a string that is not an ARN', () => {
    expect(() => appmesh.VirtualGateway.fromVirtualGatewayArn(new Stack(), 'Imported', 'ingress'))
      .toThrow('ARNs must start with "arn:" and have at least 6 components: ingress');
  });

  test('fromVirtualGatewayArn works with a deploy-time ARN', () => {
    const stack = new Stack();
    const arn = new CfnParameter(stack, 'Arn').valueAsString;
    const gateway = appmesh.VirtualGateway.fromVirtualGatewayArn(stack, 'Imported', arn);
    const resourcePart = { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'Arn' }] }] };
    expect(stack.resolve(gateway.virtualGatewayName)).toEqual({ 'Fn::Select': [3, { 'Fn::Split': ['/', resourcePart] }] });
    expect(stack.resolve(gateway.mesh.meshName)).toEqual({ 'Fn::Select': [1, { 'Fn::Split': ['/', resourcePart] }] });
  });

  test('fromVirtualGatewayAttributes builds the ARN; an imported gateway adds no gateway to the spec', () => {
    const stack = new Stack(undefined, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'shop' });
    const gateway = appmesh.VirtualGateway.fromVirtualGatewayAttributes(stack, 'Imported', { mesh, virtualGatewayName: 'edge' });
    expect(gateway.virtualGatewayName).toBe('edge');
    expect(stack.resolve(gateway.virtualGatewayArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':appmesh:eu-west-1:123456789012:mesh/shop/virtualGateway/edge']],
    });
    expect(buildMeshSpecs(stack)[0].virtualGateways).toEqual([]);
  });
});

describe('VirtualGateway.grantStreamAggregatedResources', () => {
  test('records the role ARN in proxyAccess under the gateway node id', () => {
    const { stack, mesh } = setUp();
    const gateway = mesh.addVirtualGateway('Gateway', { virtualGatewayName: 'ingress' });
    const role = iam.Role.fromRoleArn(stack, 'Role', 'arn:aws:iam::123456789012:role/gateway-task');
    const grant = gateway.grantStreamAggregatedResources(role);
    // No IAM statement: the stream goes to the control plane, not to an AWS API.
    expect(grant.principalStatements).toEqual([]);
    expect(buildMeshSpecs(stack)[0].proxyAccess).toEqual([
      { nodeId: 'mesh/shop/virtualGateway/ingress', principals: ['arn:aws:iam::123456789012:role/gateway-task'] },
    ]);
  });

  test('grants.streamAggregatedResources merges principals per node id, sorted', () => {
    const { stack, mesh } = setUp();
    const gateway = mesh.addVirtualGateway('Edge', { virtualGatewayName: 'edge' });
    gateway.grantStreamAggregatedResources(new iam.ArnPrincipal('arn:aws:iam::123456789012:role/b'));
    gateway.grants.streamAggregatedResources(new iam.ArnPrincipal('arn:aws:iam::123456789012:role/a'));
    expect(buildMeshSpecs(stack)[0].proxyAccess).toEqual([
      { nodeId: 'mesh/shop/virtualGateway/edge', principals: ['arn:aws:iam::123456789012:role/a', 'arn:aws:iam::123456789012:role/b'] },
    ]);
  });

  test('a grant on an imported gateway is recorded under its node id', () => {
    const { stack, mesh } = setUp();
    const gateway = appmesh.VirtualGateway.fromVirtualGatewayAttributes(stack, 'Edge', { mesh, virtualGatewayName: 'edge' });
    gateway.grantStreamAggregatedResources(new iam.ArnPrincipal('arn:aws:iam::123456789012:role/edge'));
    const [collected] = collectMeshSpecs(stack);
    expect(collected.document.proxyAccess).toEqual([
      { nodeId: 'mesh/shop/virtualGateway/edge', principals: ['arn:aws:iam::123456789012:role/edge'] },
    ]);
  });

  test('a grantee without an ARN is granted nothing, as in aws-cdk-lib, and synth warns', () => {
    const { app, mesh } = setUp();
    const gateway = mesh.addVirtualGateway('Gateway');
    expect(gateway.grantStreamAggregatedResources(new iam.ServicePrincipal('ecs-tasks.amazonaws.com')).success).toBe(false);
    const warnings = app.synth().getStackByName('Stack').messages.filter((m) => m.level === 'warning');
    expect(warnings.map((m) => `${m.id} ${m.entry.data}`)).toEqual([expect.stringMatching(
      /^\/Stack\/Mesh\/Gateway grantStreamAggregatedResources granted nothing to ServicePrincipal\(ecs-tasks\.amazonaws\.com\): .*open-app-mesh:grantee-without-arn/)]);
  });
});
