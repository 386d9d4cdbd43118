import { Lazy } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as appmesh from '../src';
import { newStack } from './helpers';
import { isSpiffeSafe } from '../src/private/spiffe-name-warning';

/**
 * A proxy's mesh identity is spiffe://<trust domain>/mesh/<mesh>/<kind>/<name>; a name that cannot
 * be a path segment of it means the control plane's CA can never issue that proxy a certificate.
 */
const ID = 'open-app-mesh:node-name-not-spiffe-safe';
const ANY = Match.stringLikeRegexp(ID);

test('a virtual node named outside letters, digits, ".", "-" and "_" warns, naming the name and the consequence', () => {
  const { stack } = newStack();
  const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'shop' });
  mesh.addVirtualNode('node', { virtualNodeName: 'cart service' });
  Annotations.fromStack(stack).hasWarning('/Stack/mesh/node', Match.stringLikeRegexp(
    '^\\[Stack/mesh/node\\] virtual node name "cart service" cannot appear in a SPIFFE ID .*: this virtual node can never get a '
    + 'certificate from the control plane\'s mesh CA.*\\[ack: open-app-mesh:node-name-not-spiffe-safe\\]$'));
  expect(Annotations.fromStack(stack).findWarning('*', ANY)).toHaveLength(1);
});

test('a virtual gateway and a mesh with unsafe names warn; the gateway names both', () => {
  const { stack } = newStack();
  const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'shop eu' });
  mesh.addVirtualGateway('gateway', { virtualGatewayName: 'ingress:443' });
  Annotations.fromStack(stack).hasWarning('/Stack/mesh', Match.stringLikeRegexp('mesh name "shop eu" cannot appear in a SPIFFE ID .*its virtual nodes and gateways can never get'));
  Annotations.fromStack(stack).hasWarning('/Stack/mesh/gateway', Match.stringLikeRegexp(
    'mesh name "shop eu" and virtual gateway name "ingress:443" cannot appear in a SPIFFE ID .*this virtual gateway can never get'));
});

test('safe names, generated names and names known only at deploy time do not warn', () => {
  const { stack } = newStack();
  const mesh = new appmesh.Mesh(stack, 'mesh', { meshName: 'shop-eu_1.prod' });
  mesh.addVirtualNode('node', { virtualNodeName: 'cart-v2_blue.x' });
  mesh.addVirtualNode('generated', {});
  mesh.addVirtualGateway('gateway', { virtualGatewayName: Lazy.string({ produce: () => 'in gress' }) });
  expect(Annotations.fromStack(stack).findWarning('*', ANY)).toEqual([]);
});

test('the rule is the SPIFFE path segment rule the runtime applies', () => {
  for (const name of ['a', 'A-b_c.d', '0', '...']) expect(isSpiffeSafe(name)).toBe(true);
  for (const name of ['', '.', '..', 'a b', 'a/b', 'a:b', 'é', 'a%20b']) expect(isSpiffeSafe(name)).toBe(false);
});
