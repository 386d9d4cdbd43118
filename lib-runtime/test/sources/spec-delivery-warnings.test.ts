import { Logger } from '../../src/log';
import { SpecDelivery } from '../../src/sources/spec-delivery';
import { SpecSnapshot } from '../../src/sources/spec-source';
import { routedMesh } from '../translate/spec-builder';

/** A spec App Mesh accepted although one route could never be distributed: served, and the log says which. */
test('a spec with warnings only is served, and a warning line names each route left out', () => {
  const lines: Record<string, unknown>[] = [];
  const delivery = new SpecDelivery('test', new Logger('info', {}, line => lines.push(JSON.parse(line))));
  const served: SpecSnapshot[] = [];
  delivery.onSpec(snapshot => {
    served.push(snapshot);
  });
  const doc = routedMesh({
    served: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 1 }] } } },
    drained: { httpRoute: { match: { prefix: '/d' }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 0 }] } } },
  });
  delivery.offer(JSON.stringify(doc), 'a'.repeat(64));

  expect(served.map(s => s.doc.routes.length)).toEqual([2]);
  expect(delivery.current()?.version).toBe('a'.repeat(12));
  const warning = lines.find(line => line.level === 'warn');
  expect(warning).toMatchObject({ msg: 'spec loaded with warnings; these routes are not distributed', warningCount: 1 });
  expect(warning?.warnings).toEqual([expect.stringMatching(/^routes\["r\/drained"\]\.spec\.httpRoute\.action\.weightedTargets: every weight is 0.* \[weights-not-all-zero\]$/)]);
  expect(lines.filter(line => line.level === 'error')).toEqual([]);
});
