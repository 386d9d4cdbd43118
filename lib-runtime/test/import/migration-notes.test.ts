import { SPEC_VERSION, MeshSpecDocument } from '../../../src/spec/document';
import { migrationNotes } from '../../src/import/migration-notes';

function docWith(nodeName: string, spec: Record<string, unknown>): MeshSpecDocument {
  return {
    specVersion: SPEC_VERSION,
    mesh: { meshName: 'shop', spec: {} },
    virtualNodes: [{ meshName: 'shop', virtualNodeName: nodeName, spec: spec as never }],
    virtualServices: [],
    virtualRouters: [],
    routes: [],
    virtualGateways: [],
    gatewayRoutes: [],
  };
}

const LISTENER = { portMapping: { port: 8080, protocol: 'http' } };

test('a name the mesh CA cannot put in a SPIFFE ID is noted with the CDK warning id', () => {
  const notes = migrationNotes(docWith('cart:v1', { listeners: [LISTENER] }));
  expect(notes).toEqual([{
    resource: 'virtual node "cart:v1"',
    path: 'virtualNodes["cart:v1"]',
    warning: 'open-app-mesh:node-name-not-spiffe-safe',
    message: expect.stringMatching(/^virtualNode name "cart:v1" cannot be a SPIFFE path segment .*the mesh CA cannot issue this proxy a certificate/),
  }]);
});

test('ACM certificates and ACM trust are noted where they are, other TLS material is not', () => {
  const notes = migrationNotes(docWith('cart', {
    listeners: [{ ...LISTENER, tls: { mode: 'STRICT', certificate: { acm: { certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/c' } } } }],
    backends: [{ virtualService: { virtualServiceName: 'a.local', clientPolicy: { tls: { validation: { trust: { file: { certificateChain: '/ca.pem' } } } } } } }],
    backendDefaults: { clientPolicy: { tls: { validation: { trust: { acm: { certificateAuthorityArns: ['arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/x'] } } } } } },
  }));
  expect(notes.map((n) => [n.path, n.warning])).toEqual([
    ['virtualNodes["cart"].spec.listeners[0].tls.certificate.acm', 'open-app-mesh:acm-mesh-ca'],
    ['virtualNodes["cart"].spec.backendDefaults.clientPolicy.tls.validation.trust.acm', 'open-app-mesh:acm-mesh-ca'],
  ]);
});
