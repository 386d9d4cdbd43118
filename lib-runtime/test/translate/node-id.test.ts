import { meshDoc } from './spec-builder';
import { compileMesh, formatNodeId, parseNodeId, translateNode, UnknownNodeError } from '../../src/translate';

describe('parseNodeId', () => {
  test('short virtual node form', () => {
    expect(parseNodeId('mesh/apps/virtualNode/serviceA')).toEqual({ meshName: 'apps', kind: 'virtualNode', name: 'serviceA' });
  });

  test('short virtual gateway form', () => {
    expect(parseNodeId('mesh/apps/virtualGateway/gw')).toEqual({ meshName: 'apps', kind: 'virtualGateway', name: 'gw' });
  });

  test('full ARN', () => {
    expect(parseNodeId('arn:aws:appmesh:eu-west-1:123456789012:mesh/apps/virtualNode/serviceA'))
      .toEqual({ meshName: 'apps', kind: 'virtualNode', name: 'serviceA' });
    expect(parseNodeId('arn:aws-cn:appmesh:cn-north-1:123456789012:mesh/apps/virtualGateway/gw'))
      .toEqual({ meshName: 'apps', kind: 'virtualGateway', name: 'gw' });
  });

  test('shared mesh written mesh@owner', () => {
    expect(parseNodeId('mesh/apps@111122223333/virtualNode/a').meshName).toBe('apps');
  });

  test('formatNodeId round-trips', () => {
    expect(formatNodeId(parseNodeId('arn:aws:appmesh:us-east-1:1:mesh/x/virtualNode/y'))).toBe('mesh/x/virtualNode/y');
  });

  test.each([
    ['', /empty node id/],
    ['serviceA', /expected mesh\/<mesh>/],
    ['mesh/apps/virtualRouter/r', /neither virtualNode nor virtualGateway/],
    ['mesh/apps/virtualNode', /expected mesh/],
    ['mesh//virtualNode/a', /must not be empty/],
    ['arn:aws:s3:::bucket', /not an App Mesh ARN/],
    ['mesh/apps/virtualNode/a/extra', /expected mesh/],
  ])('malformed %j is refused with a typed error', (id, message) => {
    expect(() => parseNodeId(id)).toThrow(UnknownNodeError);
    expect(() => parseNodeId(id)).toThrow(message);
  });
});

describe('translateNode refuses unknown nodes clearly', () => {
  const spec = meshDoc({ nodes: { a: {} }, gateways: { gw: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] } } });
  const mesh = compileMesh(spec);

  test('known node and gateway render', () => {
    expect(translateNode({ mesh, nodeId: 'mesh/m/virtualNode/a' }).node.name).toBe('a');
    expect(translateNode({ spec, nodeId: 'mesh/m/virtualGateway/gw' }).node.kind).toBe('virtualGateway');
  });

  test('a node that does not exist', () => {
    const run = () => translateNode({ mesh, nodeId: 'mesh/m/virtualNode/ghost' });
    expect(run).toThrow(UnknownNodeError);
    expect(run).toThrow('unknown node id "mesh/m/virtualNode/ghost": mesh "m" has no virtualNode named "ghost"');
  });

  test('a gateway id naming a node', () => {
    expect(() => translateNode({ mesh, nodeId: 'mesh/m/virtualGateway/a' })).toThrow('has no virtualGateway named "a"');
  });

  test('another mesh', () => {
    expect(() => translateNode({ mesh, nodeId: 'mesh/other/virtualNode/a' })).toThrow(/mesh "other" is not served here/);
  });

  test('the error carries the presented id', () => {
    try {
      translateNode({ mesh, nodeId: 'nonsense' });
      throw new Error('expected a refusal');
    } catch (err) {
      expect(err).toBeInstanceOf(UnknownNodeError);
      expect((err as UnknownNodeError).nodeId).toBe('nonsense');
    }
  });
});
