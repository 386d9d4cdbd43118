import { listeningNode, meshDoc } from './fixtures';
import { parseMeshSpec, toCanonicalJson } from '../../src/spec/canonical';
import { isCloudFormationIntrinsic } from '../../src/spec/intrinsic';

describe('isCloudFormationIntrinsic', () => {
  test.each([
    [{ Ref: 'TaskRole' }, true],
    [{ 'Fn::GetAtt': ['TaskRole', 'Arn'] }, true],
    [{ 'Fn::Join': ['', ['a', 'b']] }, true],
    [{ Ref: 'A', Other: 1 }, false],
    [{ arn: 'x' }, false],
    ['arn:aws:iam::123456789012:role/r', false],
    [['Ref'], false],
    [null, false],
  ])('%j → %s', (value, expected) => {
    expect(isCloudFormationIntrinsic(value)).toBe(expected);
  });

  test('an assembly file with an intrinsic principal reads only when intrinsics count as unresolved', () => {
    const doc = {
      ...meshDoc({ virtualNodes: [listeningNode('serviceA', ['http', 8080])] }),
      proxyAccess: [{ nodeId: 'mesh/demo/virtualNode/serviceA', principals: [{ 'Fn::GetAtt': ['TaskRole', 'Arn'] }] }],
    };
    const text = toCanonicalJson(doc as never);
    expect(() => parseMeshSpec(text)).toThrow('proxyAccess[0].principals[0]: expected a principal ARN, got an object');
    expect(parseMeshSpec(text, { isUnresolved: isCloudFormationIntrinsic }).proxyAccess).toHaveLength(1);
  });
});
