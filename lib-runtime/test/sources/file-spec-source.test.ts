import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '../../src/log';
import { FileSpecSource } from '../../src/sources/file-spec-source';
import { SpecRejection, SpecSnapshot } from '../../src/sources/spec-source';
import { waitFor } from '../support/wait';

const FIXTURE = path.join(__dirname, '..', 'e2e', 'fixtures', 'canary-spec.json');

describe('FileSpecSource', () => {
  let dir: string;
  let file: string;
  let source: FileSpecSource | undefined;
  let logLines: Record<string, unknown>[];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-spec-'));
    file = path.join(dir, 'mesh-spec.json');
    logLines = [];
  });
  afterEach(async () => {
    await source?.stop();
    source = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function start() {
    const log = new Logger('debug', {}, (line) => logLines.push(JSON.parse(line)));
    source = new FileSpecSource(file, log, { debounceMs: 20, statIntervalMs: 50 });
    const specs: SpecSnapshot[] = [];
    const rejections: SpecRejection[] = [];
    source.onSpec((s) => specs.push(s));
    source.onRejected((r) => rejections.push(r));
    return { s: source, specs, rejections };
  }

  /** Writes through a temp file and a rename, as deployment tools do. */
  function writeAtomically(content: string): void {
    const tmp = path.join(dir, `.mesh-spec.${process.hrtime.bigint()}.tmp`);
    fs.writeFileSync(tmp, content);
    fs.renameSync(tmp, file);
  }

  test('loads a valid spec and delivers each new version once', async () => {
    const original = fs.readFileSync(FIXTURE, 'utf8');
    fs.writeFileSync(file, original);
    const { s, specs } = start();
    await s.start();
    expect(specs).toHaveLength(1);
    expect(s.current()!.doc.mesh.meshName).toBe('apps');
    expect(s.current()!.version).toMatch(/^[0-9a-f]{12}$/);

    const changed = JSON.parse(original);
    changed.routes[2].spec.grpcRoute.action.weightedTargets[0].weight = 50;
    changed.routes[2].spec.grpcRoute.action.weightedTargets[1].weight = 50;
    writeAtomically(JSON.stringify(changed, null, 2));
    await waitFor(() => specs.length === 2, 'the new spec');
    expect(specs[1].version).not.toBe(specs[0].version);
    expect(specs[1].doc.routes[2].spec.grpcRoute!.action.weightedTargets[0].weight).toBe(50);
  });

  test('an invalid spec is rejected with every issue logged, and the last good spec stays', async () => {
    fs.writeFileSync(file, fs.readFileSync(FIXTURE, 'utf8'));
    const { s, specs, rejections } = start();
    await s.start();
    const good = s.current();

    const bad = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
    bad.routes[2].spec.grpcRoute.action.weightedTargets[0].weight = 0;
    bad.routes[2].spec.grpcRoute.action.weightedTargets[1].weight = 0;
    bad.virtualNodes[1].spec.listeners[0].portMapping.port = 70000;
    writeAtomically(JSON.stringify(bad));
    await waitFor(() => rejections.length === 1, 'the rejection');

    expect(specs).toHaveLength(1);
    expect(s.current()).toBe(good);
    expect(rejections[0].reasons.length).toBeGreaterThanOrEqual(2);
    expect(rejections[0].reasons.join('\n')).toContain('weightedTargets');
    const line = logLines.find((l) => l.msg === 'spec rejected; still serving the last good spec')!;
    expect(line).toMatchObject({ level: 'error', servingVersion: good!.version, path: file });
    expect((line.issues as string[]).some((i) => i.includes('portMapping.port'))).toBe(true);
  });

  test('text that is not JSON, or a document of another specVersion, is rejected', async () => {
    fs.writeFileSync(file, '{ "specVersion": ');
    const { s, rejections } = start();
    await s.start();
    expect(s.current()).toBeUndefined();
    expect(rejections[0].reasons[0]).toContain('not valid JSON');

    writeAtomically(JSON.stringify({ ...JSON.parse(fs.readFileSync(FIXTURE, 'utf8')), specVersion: 'open-app-mesh/v9' }));
    await waitFor(() => rejections.length === 2, 'the second rejection');
    expect(rejections[1].reasons[0]).toContain('unknown spec version');
  });

  test('a missing file is reported, and the spec is picked up once it appears', async () => {
    const { s, specs, rejections } = start();
    await s.start();
    expect(rejections).toHaveLength(1);
    writeAtomically(fs.readFileSync(FIXTURE, 'utf8'));
    await waitFor(() => specs.length === 1, 'the spec to appear');
  });
});
