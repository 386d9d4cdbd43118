import { Annotations, Stack } from 'aws-cdk-lib';
import { Annotations as AssertAnnotations, Match } from 'aws-cdk-lib/assertions';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as appmesh from '../src';
import { newStack, nodeSpec, onlyDocument } from './helpers';

/**
 * ACM certificates and trusts are accepted, as App Mesh accepted them, and stand for the mesh CA
 * of open-app-mesh: synth says so with an acknowledgeable warning on the node or gateway.
 */
const CERT_ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/abc';
const CA_ARN = 'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012';
const CERTIFICATE_WARNING = Match.stringLikeRegexp(
  '^\\[Stack/mesh/(node|gateway)\\] TlsCertificate\\.acm\\(\\.\\.\\.\\): the ACM certificate ARN is not used; .*open-app-mesh mesh CA.*'
  + 'needs the open-app-mesh agent.*\\[ack: open-app-mesh:acm-mesh-ca\\]$');
const TRUST_WARNING = Match.stringLikeRegexp(
  '^\\[Stack/mesh/(node|gateway)\\] TlsValidationTrust\\.acm\\(\\.\\.\\.\\): the certificate authority ARNs are not used; .*mesh CA\'s trust bundle.*'
  + 'holds an ACM Private CA only when the control plane is given one as its root \\(ControlPlane certificateAuthority, --ca-acm-pca-arn\\).*'
  + 'needs the open-app-mesh agent.*\\[ack: open-app-mesh:acm-mesh-ca\\]$');
const ANY_ACM_WARNING = Match.stringLikeRegexp('open-app-mesh:acm-mesh-ca');

function mesh(stack: Stack): appmesh.Mesh {
  return new appmesh.Mesh(stack, 'mesh', { meshName: 'm' });
}

function acmListenerNode(stack: Stack): appmesh.VirtualNode {
  const certificate = appmesh.TlsCertificate.acm(acm.Certificate.fromCertificateArn(stack, 'cert', CERT_ARN));
  return mesh(stack).addVirtualNode('node', {
    virtualNodeName: 'node',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local'),
    listeners: [appmesh.VirtualNodeListener.http({ port: 8443, tls: { mode: appmesh.TlsMode.STRICT, certificate } })],
  });
}

function acmTrust(stack: Stack): appmesh.TlsValidationTrust {
  return appmesh.TlsValidationTrust.acm([acmpca.CertificateAuthority.fromCertificateAuthorityArn(stack, 'ca', CA_ARN)]);
}

test('a listener with an ACM certificate synthesizes, keeps the ARN in the spec, and warns on the node', () => {
  const { stack } = newStack();
  acmListenerNode(stack);
  expect(nodeSpec(onlyDocument(stack), 'node').listeners![0].tls!.certificate).toEqual({ acm: { certificateArn: CERT_ARN } });
  AssertAnnotations.fromStack(stack).hasWarning('/Stack/mesh/node', CERTIFICATE_WARNING);
});

test('an ACM trust in backend defaults or on a backend warns on the node, once per message', () => {
  const { stack } = newStack();
  const m = mesh(stack);
  const service = new appmesh.VirtualService(stack, 'svc', { virtualServiceName: 'svc.local', virtualServiceProvider: appmesh.VirtualServiceProvider.none(m) });
  const trust = acmTrust(stack);
  m.addVirtualNode('node', {
    virtualNodeName: 'node',
    backendDefaults: { tlsClientPolicy: { validation: { trust } } },
    backends: [appmesh.Backend.virtualService(service, { tlsClientPolicy: { validation: { trust } } })],
  });
  AssertAnnotations.fromStack(stack).hasWarning('/Stack/mesh/node', TRUST_WARNING);
  expect(AssertAnnotations.fromStack(stack).findWarning('*', ANY_ACM_WARNING)).toHaveLength(1);
});

test('a virtual gateway with an ACM listener certificate and an ACM trust warns on the gateway', () => {
  const { stack } = newStack();
  const certificate = appmesh.TlsCertificate.acm(acm.Certificate.fromCertificateArn(stack, 'cert', CERT_ARN));
  mesh(stack).addVirtualGateway('gateway', {
    virtualGatewayName: 'gateway',
    listeners: [appmesh.VirtualGatewayListener.http({ port: 443, tls: { mode: appmesh.TlsMode.STRICT, certificate } })],
    backendDefaults: { tlsClientPolicy: { validation: { trust: acmTrust(stack) } } },
  });
  const annotations = AssertAnnotations.fromStack(stack);
  annotations.hasWarning('/Stack/mesh/gateway', CERTIFICATE_WARNING);
  annotations.hasWarning('/Stack/mesh/gateway', TRUST_WARNING);
});

test('file and SDS material gives no ACM warning', () => {
  const { stack } = newStack();
  mesh(stack).addVirtualNode('node', {
    virtualNodeName: 'node',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local'),
    listeners: [appmesh.VirtualNodeListener.http({
      tls: { mode: appmesh.TlsMode.STRICT, certificate: appmesh.TlsCertificate.file('/c/cert.pem', '/c/key.pem') },
    })],
    backendDefaults: { tlsClientPolicy: { validation: { trust: appmesh.TlsValidationTrust.sds('ROOTCA') } } },
  });
  AssertAnnotations.fromStack(stack).hasNoWarning('*', ANY_ACM_WARNING);
});

test('the warning can be acknowledged for the whole stack', () => {
  const { stack } = newStack();
  Annotations.of(stack).acknowledgeWarning('open-app-mesh:acm-mesh-ca', 'our ACM settings mean the mesh CA');
  acmListenerNode(stack);
  AssertAnnotations.fromStack(stack).hasNoWarning('*', ANY_ACM_WARNING);
});
