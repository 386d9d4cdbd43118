import { jsonChanges, sameJson } from '../../src/diff/json-changes';

describe('jsonChanges', () => {
  test('equal values, whatever the key order, have no changes', () => {
    expect(jsonChanges({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }, 'x')).toEqual([]);
    expect(sameJson({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameJson([1, 2], [2, 1])).toBe(false);
  });

  test('scalars, added and removed members, with member paths (quoted when not identifiers)', () => {
    expect(jsonChanges({ 'a': 1, 'gone': true, '@type': 't1' }, { 'a': 2, 'added': 'x', '@type': 't2' }, 'r')).toEqual([
      { path: 'r.a', change: 'changed', before: 1, after: 2 },
      { path: 'r.gone', change: 'removed', before: true },
      { path: 'r["@type"]', change: 'changed', before: 't1', after: 't2' },
      { path: 'r.added', change: 'added', after: 'x' },
    ]);
  });

  test('named elements are matched by name: an insertion is one addition, and a new order is reported', () => {
    const before = [{ name: 'a', v: 1 }, { name: 'b', v: 1 }];
    const after = [{ name: 'new', v: 0 }, { name: 'b', v: 2 }, { name: 'a', v: 1 }];
    expect(jsonChanges(before, after, 'routes')).toEqual([
      { path: 'routes[name="new"]', change: 'added', after: { name: 'new', v: 0 } },
      { path: 'routes[name="b"].v', change: 'changed', before: 1, after: 2 },
      { path: 'routes', change: 'reordered', before: ['name="a"', 'name="b"'], after: ['name="b"', 'name="a"'] },
    ]);
  });

  test('weighted targets are matched by node and port, backends by service, listeners by port', () => {
    expect(jsonChanges(
      { t: [{ virtualNode: 'v1', weight: 75 }, { virtualNode: 'v1', port: 9090, weight: 25 }] },
      { t: [{ virtualNode: 'v1', weight: 0 }, { virtualNode: 'v1', port: 9090, weight: 100 }] }, 's').map(c => c.path))
      .toEqual(['s.t[virtualNode="v1"].weight', 's.t[virtualNode="v1",port=9090].weight']);
    expect(jsonChanges(
      [{ virtualService: { virtualServiceName: 'a' } }],
      [{ virtualService: { virtualServiceName: 'b' } }, { virtualService: { virtualServiceName: 'a' } }], 'backends'))
      .toEqual([{ path: 'backends[virtualService="b"]', change: 'added', after: { virtualService: { virtualServiceName: 'b' } } }]);
    expect(jsonChanges([{ portMapping: { port: 8080, protocol: 'http' } }], [{ portMapping: { port: 8080, protocol: 'grpc' } }], 'l'))
      .toEqual([{ path: 'l[port=8080].portMapping.protocol', change: 'changed', before: 'http', after: 'grpc' }]);
  });

  test('lists without identities (or with a repeated one) are compared index by index', () => {
    expect(jsonChanges([1, 2, 3], [1, 5], 'x')).toEqual([
      { path: 'x[1]', change: 'changed', before: 2, after: 5 },
      { path: 'x[2]', change: 'removed', before: 3 },
    ]);
    expect(jsonChanges([{ name: 'a', v: 1 }, { name: 'a', v: 2 }], [{ name: 'a', v: 1 }, { name: 'a', v: 3 }], 'x'))
      .toEqual([{ path: 'x[1].v', change: 'changed', before: 2, after: 3 }]);
  });

  test('a value that changes type is one change', () => {
    expect(jsonChanges({ a: [1] }, { a: { b: 1 } }, 'x')).toEqual([{ path: 'x.a', change: 'changed', before: [1], after: { b: 1 } }]);
  });
});
