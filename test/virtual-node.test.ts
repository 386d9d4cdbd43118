import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as appmesh from '../src';
import { newStack, nodeSpec, onlyDocument } from './helpers';
import { buildMeshSpecs } from '../src/private/spec-builder';

function meshIn(stack: Stack): appmesh.Mesh {
  return new appmesh.Mesh(stack, 'mesh', { meshName: 'test-mesh' });
}

function dnsNode(mesh: appmesh.IMesh, props: appmesh.VirtualNodeBaseProps = {}): appmesh.VirtualNode {
  return new appmesh.VirtualNode(mesh.stack, 'node', {
    mesh,
    virtualNodeName: 'node',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local'),
    ...props,
  });
}

function listenerOf(stack: Stack, index = 0): any {
  return nodeSpec(onlyDocument(stack), 'node').listeners![index];
}

const CA_ARN = 'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012';

describe('VirtualNode', () => {
  describe('backends', () => {
    test('backends given at construction and added later are all rendered, in order', () => {
      const { stack } = newStack();
      const mesh = meshIn(stack);
      const s1 = new appmesh.VirtualService(stack, 's1', { virtualServiceName: 'one.local', virtualServiceProvider: appmesh.VirtualServiceProvider.none(mesh) });
      const s2 = new appmesh.VirtualService(stack, 's2', { virtualServiceName: 'two.local', virtualServiceProvider: appmesh.VirtualServiceProvider.none(mesh) });
      const node = dnsNode(mesh, { backends: [appmesh.Backend.virtualService(s1)] });
      node.addBackend(appmesh.Backend.virtualService(s2));
      expect(nodeSpec(onlyDocument(stack), 'node').backends).toEqual([
        { virtualService: { virtualServiceName: 'one.local' } },
        { virtualService: { virtualServiceName: 'two.local' } },
      ]);
    });

    test('a backend with its own TLS client policy (file trust, SAN, mutual TLS certificate, ports)', () => {
      const { stack } = newStack();
      const mesh = meshIn(stack);
      const svc = new appmesh.VirtualService(stack, 's', { virtualServiceName: 'svc.local', virtualServiceProvider: appmesh.VirtualServiceProvider.none(mesh) });
      dnsNode(mesh, {
        backends: [appmesh.Backend.virtualService(svc, {
          tlsClientPolicy: {
            ports: [8080, 8081],
            validation: {
              trust: appmesh.TlsValidationTrust.file('/certs/ca.pem'),
              subjectAlternativeNames: appmesh.SubjectAlternativeNames.matchingExactly('svc.local', 'svc2.local'),
            },
            mutualTlsCertificate: appmesh.TlsCertificate.sds('client-cert'),
          },
        })],
      });
      expect(nodeSpec(onlyDocument(stack), 'node').backends).toEqual([{
        virtualService: {
          virtualServiceName: 'svc.local',
          clientPolicy: {
            tls: {
              enforce: true,
              ports: [8080, 8081],
              validation: {
                trust: { file: { certificateChain: '/certs/ca.pem' } },
                subjectAlternativeNames: { match: { exact: ['svc.local', 'svc2.local'] } },
              },
              certificate: { sds: { secretName: 'client-cert' } },
            },
          },
        },
      }]);
    });

    test('a node may use the service it provides as a backend, also when the service name is generated', () => {
      const { app, stack } = newStack();
      const mesh = meshIn(stack);
      const node = dnsNode(mesh, { listeners: [appmesh.VirtualNodeListener.http()] });
      const named = new appmesh.VirtualService(stack, 'named', { virtualServiceName: 'service1.domain.local', virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(node) });
      const generated = new appmesh.VirtualService(stack, 'generated', { virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(node) });
      node.addBackend(appmesh.Backend.virtualService(named));
      node.addBackend(appmesh.Backend.virtualService(generated));
      expect(() => app.synth()).not.toThrow();
      expect(nodeSpec(onlyDocument(stack), 'node').backends).toEqual([
        { virtualService: { virtualServiceName: 'service1.domain.local' } },
        { virtualService: { virtualServiceName: generated.virtualServiceName } },
      ]);
      expect(generated.virtualServiceName).toMatch(/^Stackgenerated[0-9A-F]{8}$/);
    });

    test('cyclic backends A <-> B work in one stack (names, not references)', () => {
      const { app, stack } = newStack();
      const mesh = meshIn(stack);
      const a = mesh.addVirtualNode('a', { virtualNodeName: 'a', serviceDiscovery: appmesh.ServiceDiscovery.dns('a.local'), listeners: [appmesh.VirtualNodeListener.http()] });
      const b = mesh.addVirtualNode('b', { virtualNodeName: 'b', serviceDiscovery: appmesh.ServiceDiscovery.dns('b.local'), listeners: [appmesh.VirtualNodeListener.http()] });
      const sa = new appmesh.VirtualService(stack, 'sa', { virtualServiceName: 'a.apps.local', virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(a) });
      const sb = new appmesh.VirtualService(stack, 'sb', { virtualServiceName: 'b.apps.local', virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(b) });
      a.addBackend(appmesh.Backend.virtualService(sb));
      b.addBackend(appmesh.Backend.virtualService(sa));
      expect(() => app.synth()).not.toThrow();
      const doc = onlyDocument(stack);
      expect(nodeSpec(doc, 'a').backends).toEqual([{ virtualService: { virtualServiceName: 'b.apps.local' } }]);
      expect(nodeSpec(doc, 'b').backends).toEqual([{ virtualService: { virtualServiceName: 'a.apps.local' } }]);
    });

    test('cyclic backends across two stacks synthesize without a stack dependency', () => {
      const app = new App();
      const one = new Stack(app, 'One');
      const two = new Stack(app, 'Two');
      const mesh = new appmesh.Mesh(one, 'mesh', { meshName: 'cross' });
      const a = new appmesh.VirtualNode(one, 'a', { mesh, virtualNodeName: 'a', serviceDiscovery: appmesh.ServiceDiscovery.dns('a.local'), listeners: [appmesh.VirtualNodeListener.http()] });
      const b = new appmesh.VirtualNode(two, 'b', { mesh, virtualNodeName: 'b', serviceDiscovery: appmesh.ServiceDiscovery.dns('b.local'), listeners: [appmesh.VirtualNodeListener.http()] });
      const sa = new appmesh.VirtualService(one, 'sa', { virtualServiceName: 'a.apps.local', virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(a) });
      const sb = new appmesh.VirtualService(two, 'sb', { virtualServiceName: 'b.apps.local', virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(b) });
      a.addBackend(appmesh.Backend.virtualService(sb));
      b.addBackend(appmesh.Backend.virtualService(sa));
      const assembly = app.synth();
      expect(one.dependencies).toEqual([]);
      expect(two.dependencies).toEqual([]);
      const doc = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'cross.mesh.json'), 'utf-8'));
      expect(doc.virtualNodes.map((n: any) => [n.virtualNodeName, n.spec.backends[0].virtualService.virtualServiceName]))
        .toEqual([['a', 'b.apps.local'], ['b', 'a.apps.local']]);
      expect(doc.virtualServices.map((s: any) => s.virtualServiceName)).toEqual(['a.apps.local', 'b.apps.local']);
    });
  });

  describe('backend defaults', () => {
    test('ACM trust renders the authorities ARNs', () => {
      const { stack } = newStack();
      const ca = acmpca.CertificateAuthority.fromCertificateAuthorityArn(stack, 'ca', CA_ARN);
      dnsNode(meshIn(stack), {
        backendDefaults: { tlsClientPolicy: { validation: { trust: appmesh.TlsValidationTrust.acm([ca]) } } },
      });
      expect(nodeSpec(onlyDocument(stack), 'node').backendDefaults).toEqual({
        clientPolicy: { tls: { enforce: true, validation: { trust: { acm: { certificateAuthorityArns: [CA_ARN] } } } } },
      });
    });

    test('SDS trust, enforce false, file client certificate', () => {
      const { stack } = newStack();
      dnsNode(meshIn(stack), {
        backendDefaults: {
          tlsClientPolicy: {
            enforce: false,
            validation: { trust: appmesh.TlsValidationTrust.sds('ca-bundle') },
            mutualTlsCertificate: appmesh.TlsCertificate.file('/c/chain.pem', '/c/key.pem'),
          },
        },
      });
      expect(nodeSpec(onlyDocument(stack), 'node').backendDefaults?.clientPolicy?.tls).toEqual({
        enforce: false,
        validation: { trust: { sds: { secretName: 'ca-bundle' } } },
        certificate: { file: { certificateChain: '/c/chain.pem', privateKey: '/c/key.pem' } },
      });
    });

    test('an ACM trust without authorities is refused (CertificateAuthorityRequired)', () => {
      const { stack } = newStack();
      expect(() => dnsNode(meshIn(stack), {
        backendDefaults: { tlsClientPolicy: { validation: { trust: appmesh.TlsValidationTrust.acm([]) } } },
      })).toThrow(/\[Stack\/node\] you must provide at least one Certificate Authority when creating an ACM Trust ClientPolicy \(CertificateAuthorityRequired\)/);
    });
  });

  describe('listeners', () => {
    test('a listener needs service discovery (ServiceDiscoveryRequired), at construction or via addListener', () => {
      const { stack } = newStack();
      const mesh = meshIn(stack);
      expect(() => new appmesh.VirtualNode(stack, 'a', { mesh, listeners: [appmesh.VirtualNodeListener.http()] }))
        .toThrow(/\[Stack\/a\] Service discovery information is required for a VirtualNode with a listener\. \(ServiceDiscoveryRequired\)/);
      expect(() => mesh.addVirtualNode('b', { listeners: [appmesh.VirtualNodeListener.http()] }))
        .toThrow(/ServiceDiscoveryRequired/);
      const c = new appmesh.VirtualNode(stack, 'c', { mesh });
      expect(() => c.addListener(appmesh.VirtualNodeListener.tcp())).toThrow(/\[Stack\/c\].*ServiceDiscoveryRequired/);
    });

    test('default listener: HTTP on 8080', () => {
      const { stack } = newStack();
      dnsNode(meshIn(stack), { listeners: [appmesh.VirtualNodeListener.http()] });
      expect(listenerOf(stack)).toEqual({ portMapping: { port: 8080, protocol: 'http' } });
    });

    test('several listeners, added at construction and later', () => {
      const { stack } = newStack();
      const node = dnsNode(meshIn(stack), { listeners: [appmesh.VirtualNodeListener.http({ port: 80 })] });
      node.addListener(appmesh.VirtualNodeListener.grpc({ port: 50051 }));
      node.addListener(appmesh.VirtualNodeListener.http2({ port: 8443 }));
      node.addListener(appmesh.VirtualNodeListener.tcp({ port: 5432 }));
      expect(nodeSpec(onlyDocument(stack), 'node').listeners!.map((l) => l.portMapping)).toEqual([
        { port: 80, protocol: 'http' },
        { port: 50051, protocol: 'grpc' },
        { port: 8443, protocol: 'http2' },
        { port: 5432, protocol: 'tcp' },
      ]);
    });

    test.each([
      ['http', appmesh.VirtualNodeListener.http({ timeout: { idle: Duration.seconds(10), perRequest: Duration.seconds(5) } }), { http: { idle: { unit: 'ms', value: 10000 }, perRequest: { unit: 'ms', value: 5000 } } }],
      ['http2', appmesh.VirtualNodeListener.http2({ timeout: { idle: Duration.seconds(10) } }), { http2: { idle: { unit: 'ms', value: 10000 } } }],
      ['grpc', appmesh.VirtualNodeListener.grpc({ timeout: { perRequest: Duration.millis(1500) } }), { grpc: { perRequest: { unit: 'ms', value: 1500 } } }],
      ['tcp', appmesh.VirtualNodeListener.tcp({ timeout: { idle: Duration.minutes(1) } }), { tcp: { idle: { unit: 'ms', value: 60000 } } }],
    ])('%s listener timeout is keyed by the protocol', (_name, listener, expected) => {
      const { stack } = newStack();
      dnsNode(meshIn(stack), { listeners: [listener] });
      expect(listenerOf(stack).timeout).toEqual(expected);
    });

    test('an empty timeout renders nothing', () => {
      const { stack } = newStack();
      dnsNode(meshIn(stack), { listeners: [appmesh.VirtualNodeListener.http({ timeout: {} })] });
      expect(listenerOf(stack).timeout).toBeUndefined();
    });

    test.each([
      ['http', appmesh.VirtualNodeListener.http({ connectionPool: { maxConnections: 100, maxPendingRequests: 10 } }), { http: { maxConnections: 100, maxPendingRequests: 10 } }],
      ['http2', appmesh.VirtualNodeListener.http2({ connectionPool: { maxRequests: 20 } }), { http2: { maxRequests: 20 } }],
      ['grpc', appmesh.VirtualNodeListener.grpc({ connectionPool: { maxRequests: 30 } }), { grpc: { maxRequests: 30 } }],
      ['tcp', appmesh.VirtualNodeListener.tcp({ connectionPool: { maxConnections: 40 } }), { tcp: { maxConnections: 40 } }],
    ])('%s connection pool is keyed by the protocol', (_name, listener, expected) => {
      const { stack } = newStack();
      dnsNode(meshIn(stack), { listeners: [listener] });
      expect(listenerOf(stack).connectionPool).toEqual(expected);
    });

    test('outlier detection', () => {
      const { stack } = newStack();
      dnsNode(meshIn(stack), {
        listeners: [appmesh.VirtualNodeListener.http({
          outlierDetection: {
            baseEjectionDuration: Duration.seconds(10),
            interval: Duration.seconds(30),
            maxEjectionPercent: 50,
            maxServerErrors: 5,
          },
        })],
      });
      expect(listenerOf(stack).outlierDetection).toEqual({
        baseEjectionDuration: { unit: 'ms', value: 10000 },
        interval: { unit: 'ms', value: 30000 },
        maxEjectionPercent: 50,
        maxServerErrors: 5,
      });
    });

    test('health check uses the listener port unless it names its own (Q10)', () => {
      const { stack } = newStack();
      dnsNode(meshIn(stack), {
        listeners: [
          appmesh.VirtualNodeListener.grpc({ port: 50051, healthCheck: appmesh.HealthCheck.grpc() }),
          appmesh.VirtualNodeListener.http({ port: 8080, healthCheck: appmesh.HealthCheck.http({ port: 9901, path: '/ready' }) }),
        ],
      });
      expect(listenerOf(stack, 0).healthCheck).toEqual({
        protocol: 'grpc', port: 50051, healthyThreshold: 2, unhealthyThreshold: 2, intervalMillis: 5000, timeoutMillis: 2000,
      });
      expect(listenerOf(stack, 1).healthCheck).toMatchObject({ protocol: 'http', port: 9901, path: '/ready' });
    });

    test('TLS with an ACM certificate, STRICT', () => {
      const { stack } = newStack();
      const cert = acm.Certificate.fromCertificateArn(stack, 'cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
      dnsNode(meshIn(stack), {
        listeners: [appmesh.VirtualNodeListener.http({ tls: { mode: appmesh.TlsMode.STRICT, certificate: appmesh.TlsCertificate.acm(cert) } })],
      });
      expect(listenerOf(stack).tls).toEqual({
        mode: 'STRICT',
        certificate: { acm: { certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' } },
      });
    });

    test('TLS with an ACM certificate created in the stack keeps the deploy-time ARN', () => {
      const { stack } = newStack();
      const cert = new acm.Certificate(stack, 'cert', { domainName: 'node.local' });
      dnsNode(meshIn(stack), {
        listeners: [appmesh.VirtualNodeListener.grpc({ tls: { mode: appmesh.TlsMode.STRICT, certificate: appmesh.TlsCertificate.acm(cert) } })],
      });
      expect(stack.resolve(listenerOf(stack).tls.certificate)).toEqual({ acm: { certificateArn: { Ref: expect.stringMatching(/^cert/) } } });
    });

    test('TLS with a file certificate and mutual TLS validation (SDS trust, SAN)', () => {
      const { stack } = newStack();
      dnsNode(meshIn(stack), {
        listeners: [appmesh.VirtualNodeListener.grpc({
          tls: {
            mode: appmesh.TlsMode.PERMISSIVE,
            certificate: appmesh.TlsCertificate.file('/c/chain.pem', '/c/key.pem'),
            mutualTlsValidation: {
              trust: appmesh.TlsValidationTrust.sds('client-ca'),
              subjectAlternativeNames: appmesh.SubjectAlternativeNames.matchingExactly('client.local'),
            },
          },
        })],
      });
      expect(listenerOf(stack).tls).toEqual({
        mode: 'PERMISSIVE',
        certificate: { file: { certificateChain: '/c/chain.pem', privateKey: '/c/key.pem' } },
        validation: {
          trust: { sds: { secretName: 'client-ca' } },
          subjectAlternativeNames: { match: { exact: ['client.local'] } },
        },
      });
    });

    test('TLS with an SDS certificate, DISABLED, file trust', () => {
      const { stack } = newStack();
      dnsNode(meshIn(stack), {
        listeners: [appmesh.VirtualNodeListener.tcp({
          tls: {
            mode: appmesh.TlsMode.DISABLED,
            certificate: appmesh.TlsCertificate.sds('server'),
            mutualTlsValidation: { trust: appmesh.TlsValidationTrust.file('/c/ca.pem') },
          },
        })],
      });
      expect(listenerOf(stack).tls).toEqual({
        mode: 'DISABLED',
        certificate: { sds: { secretName: 'server' } },
        validation: { trust: { file: { certificateChain: '/c/ca.pem' } } },
      });
    });
  });

  describe('access log', () => {
    test('file path only', () => {
      const { stack } = newStack();
      dnsNode(meshIn(stack), { accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout') });
      expect(nodeSpec(onlyDocument(stack), 'node').logging).toEqual({ accessLog: { file: { path: '/dev/stdout' } } });
    });

    test('text format', () => {
      const { stack } = newStack();
      dnsNode(meshIn(stack), { accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout', appmesh.LoggingFormat.fromText('%START_TIME% %PROTOCOL%')) });
      expect(nodeSpec(onlyDocument(stack), 'node').logging?.accessLog?.file?.format).toEqual({ text: '%START_TIME% %PROTOCOL%' });
    });

    test('JSON format', () => {
      const { stack } = newStack();
      dnsNode(meshIn(stack), {
        accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout', appmesh.LoggingFormat.fromJson({ start: '%START_TIME%', status: '%RESPONSE_CODE%' })),
      });
      expect(nodeSpec(onlyDocument(stack), 'node').logging?.accessLog?.file?.format).toEqual({
        json: [{ key: 'start', value: '%START_TIME%' }, { key: 'status', value: '%RESPONSE_CODE%' }],
      });
    });

    test('an empty JSON format is refused (JsonKeyPairsEmpty)', () => {
      expect(() => appmesh.LoggingFormat.fromJson({})).toThrow(/Json key pairs cannot be empty\. \(JsonKeyPairsEmpty\)/);
    });
  });

  describe('service discovery', () => {
    test('DNS with response type and IP preference', () => {
      const { stack } = newStack();
      new appmesh.VirtualNode(stack, 'node', {
        mesh: meshIn(stack),
        virtualNodeName: 'node',
        serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local', appmesh.DnsResponseType.ENDPOINTS, appmesh.IpPreference.IPV6_ONLY),
      });
      expect(nodeSpec(onlyDocument(stack), 'node').serviceDiscovery).toEqual({
        dns: { hostname: 'node.local', responseType: 'ENDPOINTS', ipPreference: 'IPv6_ONLY' },
      });
    });

    test('LOAD_BALANCER renders as LOADBALANCER', () => {
      const { stack } = newStack();
      new appmesh.VirtualNode(stack, 'node', {
        mesh: meshIn(stack),
        virtualNodeName: 'node',
        serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local', appmesh.DnsResponseType.LOAD_BALANCER),
      });
      expect(nodeSpec(onlyDocument(stack), 'node').serviceDiscovery?.dns?.responseType).toBe('LOADBALANCER');
    });

    test('a node without service discovery or listeners renders an empty spec', () => {
      const { stack } = newStack();
      new appmesh.VirtualNode(stack, 'node', { mesh: meshIn(stack), virtualNodeName: 'node' });
      expect(nodeSpec(onlyDocument(stack), 'node')).toEqual({});
    });
  });

  describe('identity', () => {
    test('ARN, node id, and default name', () => {
      const { stack } = newStack();
      const mesh = meshIn(stack);
      const node = new appmesh.VirtualNode(stack, 'my-node', { mesh });
      expect(node.virtualNodeName).toMatch(/^Stackmynode[0-9A-F]{8}$/);
      expect(node.nodeId).toBe(`mesh/test-mesh/virtualNode/${node.virtualNodeName}`);
      expect(appmesh.VirtualNode.nodeIdOf(node)).toBe(node.nodeId);
      expect(stack.resolve(node.virtualNodeArn)).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:appmesh:eu-west-1:123456789012:mesh/test-mesh/virtualNode/${node.virtualNodeName}`]],
      });
    });

    test('fromVirtualNodeArn', () => {
      const { stack } = newStack();
      const arn = 'arn:aws:appmesh:us-west-2:123456789012:mesh/test-mesh/virtualNode/test-node';
      const node = appmesh.VirtualNode.fromVirtualNodeArn(stack, 'imported', arn);
      expect(node.virtualNodeName).toBe('test-node');
      expect(node.mesh.meshName).toBe('test-mesh');
      expect(node.virtualNodeArn).toBe(arn);
      expect(appmesh.VirtualNode.nodeIdOf(node)).toBe('mesh/test-mesh/virtualNode/test-node');
    });

    test('fromVirtualNodeAttributes', () => {
      const { stack } = newStack();
      const mesh = appmesh.Mesh.fromMeshName(stack, 'mesh', 'test-mesh');
      const node = appmesh.VirtualNode.fromVirtualNodeAttributes(stack, 'imported', { mesh, virtualNodeName: 'test-node' });
      expect(node.virtualNodeName).toBe('test-node');
      expect(stack.resolve(node.virtualNodeArn)).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':appmesh:eu-west-1:123456789012:mesh/test-mesh/virtualNode/test-node']],
      });
      // An imported node defines nothing.
      expect(buildMeshSpecs(stack)).toEqual([]);
    });
  });

  describe('grantStreamAggregatedResources', () => {
    test('records the role ARN in proxyAccess for the node id and returns a statement-less grant', () => {
      const { app, stack } = newStack();
      const node = dnsNode(meshIn(stack));
      const role = new iam.Role(stack, 'role', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
      const grant = node.grantStreamAggregatedResources(role);
      // Nothing was added to IAM: the grant is a documented "dropped" one.
      expect(grant.success).toBe(false);
      expect(grant.principalStatements).toEqual([]);
      const doc = onlyDocument(stack);
      expect(doc.proxyAccess).toHaveLength(1);
      expect(doc.proxyAccess![0].nodeId).toBe('mesh/test-mesh/virtualNode/node');
      expect(stack.resolve(doc.proxyAccess![0].principals)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^role/), 'Arn'] }]);
      // No IAM policy was attached to the role.
      const template = JSON.parse(fs.readFileSync(path.join(app.synth().directory, 'Stack.template.json'), 'utf-8'));
      expect(Object.values(template.Resources).map((r: any) => r.Type)).not.toContain('AWS::IAM::Policy');
    });

    test('principals are deduplicated and sorted; grants.streamAggregatedResources is the same', () => {
      const { stack } = newStack();
      const node = dnsNode(meshIn(stack));
      node.grantStreamAggregatedResources(new iam.ArnPrincipal('arn:aws:iam::123456789012:role/zeta'));
      node.grants.streamAggregatedResources(new iam.ArnPrincipal('arn:aws:iam::123456789012:role/alpha'));
      node.grantStreamAggregatedResources(new iam.ArnPrincipal('arn:aws:iam::123456789012:role/zeta'));
      expect(onlyDocument(stack).proxyAccess).toEqual([{
        nodeId: 'mesh/test-mesh/virtualNode/node',
        principals: ['arn:aws:iam::123456789012:role/alpha', 'arn:aws:iam::123456789012:role/zeta'],
      }]);
    });

    test('works on an imported node: the grant lands in the document defining the node', () => {
      const app = new App();
      const defining = new Stack(app, 'Defining');
      const using = new Stack(app, 'Using');
      new appmesh.VirtualNode(defining, 'n', { mesh: new appmesh.Mesh(defining, 'mesh', { meshName: 'other' }), virtualNodeName: 'n' });
      const node = appmesh.VirtualNode.fromVirtualNodeArn(using, 'imported', 'arn:aws:appmesh:eu-west-1:123456789012:mesh/other/virtualNode/n');
      node.grantStreamAggregatedResources(iam.Role.fromRoleArn(using, 'r', 'arn:aws:iam::123456789012:role/task'));
      expect(onlyDocument(app)).toMatchObject({
        mesh: { meshName: 'other' },
        proxyAccess: [{ nodeId: 'mesh/other/virtualNode/n', principals: ['arn:aws:iam::123456789012:role/task'] }],
      });
    });

    test('a grant for a node the app does not define is reported', () => {
      const { stack } = newStack();
      const node = appmesh.VirtualNode.fromVirtualNodeArn(stack, 'imported', 'arn:aws:appmesh:eu-west-1:123456789012:mesh/other/virtualNode/n');
      node.grantStreamAggregatedResources(iam.Role.fromRoleArn(stack, 'r', 'arn:aws:iam::123456789012:role/task'));
      expect(() => buildMeshSpecs(stack)).toThrow(/proxyAccess\[0\]\.nodeId.*does not exist/);
    });

    test('an IAM user is recorded by its ARN', () => {
      const { stack } = newStack();
      const node = dnsNode(meshIn(stack));
      node.grantStreamAggregatedResources(new iam.User(stack, 'user'));
      expect(stack.resolve(onlyDocument(stack).proxyAccess![0].principals)).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^user/), 'Arn'] }]);
    });

    test('a principal without an ARN is granted nothing, as in aws-cdk-lib, with a warning', () => {
      const { stack } = newStack();
      const node = dnsNode(meshIn(stack));
      const grant = node.grantStreamAggregatedResources(new iam.ServicePrincipal('ecs.amazonaws.com'));
      expect(grant.success).toBe(false);
      expect(onlyDocument(stack).proxyAccess).toBeUndefined();
      expect(node.node.metadata.map((m) => m.data)).toEqual([expect.stringMatching(
        /grantStreamAggregatedResources granted nothing to ServicePrincipal\(ecs\.amazonaws\.com\): .*has none.*open-app-mesh:grantee-without-arn/)]);
    });
  });
});

describe('imports from deploy-time ARNs', () => {
  test('fromVirtualNodeArn selects mesh and node names from the whole resource part', () => {
    const { stack } = newStack();
    const arn = new CfnParameter(stack, 'Arn').valueAsString;
    const node = appmesh.VirtualNode.fromVirtualNodeArn(stack, 'imported', arn);
    const resourcePart = { 'Fn::Select': [5, { 'Fn::Split': [':', { Ref: 'Arn' }] }] };
    expect(stack.resolve(node.virtualNodeName)).toEqual({ 'Fn::Select': [3, { 'Fn::Split': ['/', resourcePart] }] });
    expect(stack.resolve(node.mesh.meshName)).toEqual({ 'Fn::Select': [1, { 'Fn::Split': ['/', resourcePart] }] });
  });
});
