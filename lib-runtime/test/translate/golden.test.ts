import * as fs from 'fs';
import * as path from 'path';
import { consistencyProblems, encodingProblems } from './envoy-checks';
import { parseMeshSpec } from '../../../src/spec/canonical';
import { compileMesh, listNodeIds, parseNodeId, translateNode } from '../../src/translate';

/**
 * Golden files: for every fixture spec in fixtures/ (a directory listing, so new fixtures just
 * work) and every node of it, the rendered config is compared with golden/<fixture>/<node>.json.
 * `UPDATE_GOLDEN=1 npx jest lib-runtime/test/translate` rewrites them.
 */
const FIXTURES = path.join(__dirname, 'fixtures');
const GOLDEN = path.join(__dirname, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const fixtures = fs.readdirSync(FIXTURES).filter(f => f.endsWith('.json')).sort();

test('there are fixtures', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(5);
});

describe.each(fixtures)('fixture %s', (file) => {
  const fixture = path.basename(file, '.json');
  const spec = parseMeshSpec(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
  const mesh = compileMesh(spec);
  const nodeIds = listNodeIds(mesh);
  const dir = path.join(GOLDEN, fixture);

  test('node names do not collide in golden file names', () => {
    const names = nodeIds.map(id => parseNodeId(id).name);
    expect(new Set(names).size).toBe(names.length);
  });

  test.each(nodeIds)('%s matches its golden file, encodes and is consistent', (nodeId) => {
    const config = translateNode({ mesh, nodeId });
    const json = `${JSON.stringify(config, null, 2)}\n`;
    const goldenFile = path.join(dir, `${parseNodeId(nodeId).name}.json`);
    if (UPDATE) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(goldenFile, json);
    }
    expect(fs.existsSync(goldenFile)).toBe(true);
    expect(json).toEqual(fs.readFileSync(goldenFile, 'utf8'));
    expect(encodingProblems(config.envoy)).toEqual([]);
    expect(encodingProblems(config.proxyless)).toEqual([]);
    expect(consistencyProblems(config.envoy)).toEqual([]);
    expect(consistencyProblems(config.proxyless)).toEqual([]);
    // Deterministic: rendering again from a fresh index gives the same bytes.
    expect(`${JSON.stringify(translateNode({ spec: JSON.parse(JSON.stringify(spec)), nodeId }), null, 2)}\n`).toEqual(json);
  });

  // After the per-node tests, so that an UPDATE_GOLDEN run of a new fixture has written its files first.
  test('no stale golden files', () => {
    if (UPDATE) {
      fs.mkdirSync(dir, { recursive: true });
      for (const f of fs.readdirSync(dir)) {
        if (!nodeIds.some(id => `${parseNodeId(id).name}.json` === f)) fs.unlinkSync(path.join(dir, f));
      }
    }
    const present = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    expect(present).toEqual(nodeIds.map(id => `${parseNodeId(id).name}.json`).sort());
  });
});
