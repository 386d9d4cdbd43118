import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Logger } from '../../src/log';
import { FileSpecSource } from '../../src/sources/file-spec-source';
import { SpecRejection, SpecSnapshot } from '../../src/sources/spec-source';
import { WatchedFileOptions } from '../../src/sources/watched-file';
import { settle, waitFor } from '../support/wait';

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

  function start(options: WatchedFileOptions = {}) {
    const log = new Logger('debug', {}, (line) => logLines.push(JSON.parse(line)));
    source = new FileSpecSource(file, log, { debounceMs: 20, statIntervalMs: 50, ...options });
    const specs: SpecSnapshot[] = [];
    const rejections: SpecRejection[] = [];
    source.onSpec((s) => specs.push(s));
    source.onRejected((r) => rejections.push(r));
    return { s: source, specs, rejections };
  }

  /** Writes through a temp file and a rename, as deployment tools do. */
  function writeAtomically(content: string | Buffer): void {
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
    bad.routes[2].spec.grpcRoute.action.weightedTargets[0].virtualNode = 'no-such-node';
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

  test('with no spec delivered yet, a rejection says that nothing is served', async () => {
    fs.writeFileSync(file, '{ "specVersion": ');
    const { s } = start();
    await s.start();
    expect(logLines.find((l) => l.level === 'error')).toMatchObject({ msg: 'spec rejected; no spec is being served yet', servingVersion: null });
    expect(logLines.some((l) => String(l.msg).includes('last good'))).toBe(false);
  });

  test('bytes that are not UTF-8 are rejected with the offset of the first bad byte; the last good spec stays', async () => {
    const good = fs.readFileSync(FIXTURE);
    fs.writeFileSync(file, good);
    const { s, specs, rejections } = start();
    await s.start();
    // A hostname ending in a byte that is not UTF-8 (a lenient decoder made it U+FFFD and served it).
    const at = good.indexOf('serviceb.apps.local') + 'serviceb.apps.local'.length;
    writeAtomically(Buffer.concat([good.subarray(0, at), Buffer.from([0xff]), good.subarray(at)]));
    await waitFor(() => rejections.length === 1, 'the rejection');
    expect(rejections[0].reasons).toEqual([`spec is not valid UTF-8: bad byte (0xFF) at byte offset ${at}`]);
    expect(specs).toHaveLength(1);
    expect(s.current()).toBe(specs[0]);
  });

  test('a file over the size limit is rejected by its size, naming the limit and the flag', async () => {
    const content = fs.readFileSync(FIXTURE);
    fs.writeFileSync(file, content);
    const { s, specs, rejections } = start({ maxBytes: content.length - 1 });
    await s.start();
    expect(specs).toHaveLength(0);
    expect(rejections[0].reasons).toEqual([`spec is ${content.length} bytes, over the limit of ${content.length - 1} bytes (--max-spec-bytes)`]);
  });

  test('a missing file is reported once however busy its directory is, then only reminded, rate-limited', async () => {
    const { s, rejections } = start({ errorReminderMs: 60_000 });
    await s.start();
    expect(rejections).toHaveLength(1);
    // Every event in the directory makes the source look again (a log file written next to the spec, say).
    for (let i = 0; i < 20; i++) {
      fs.writeFileSync(path.join(dir, 'control-plane.log'), `line ${i}\n`, { flag: 'a' });
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await settle();
    expect(rejections).toHaveLength(1);
    expect(logLines.filter((l) => l.level === 'error' || l.level === 'warn')).toHaveLength(1);

    // A different failure is a change of state: reported once too.
    fs.mkdirSync(file);
    await waitFor(() => rejections.length === 2, 'the directory reported');
    expect(rejections[1].reasons[0]).toContain('is not a regular file (it is a directory)');
    fs.writeFileSync(path.join(dir, 'control-plane.log'), 'more\n', { flag: 'a' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(rejections).toHaveLength(2);

    // Readable again: served; missing again later: a new state, reported again.
    fs.rmdirSync(file);
    writeAtomically(fs.readFileSync(FIXTURE, 'utf8'));
    await waitFor(() => s.current() !== undefined, 'the spec');
    fs.rmSync(file);
    await waitFor(() => rejections.length === 3, 'the file gone again');
    expect(logLines.filter((l) => l.level === 'error').map((l) => l.msg)).toEqual([
      'spec rejected; no spec is being served yet',
      'spec rejected; no spec is being served yet',
      'spec rejected; still serving the last good spec',
    ]);
  });

  test('a lasting read error is reminded at most once per errorReminderMs, without another rejection', async () => {
    const { s, rejections } = start({ errorReminderMs: 150 });
    await s.start();
    const deadline = Date.now() + 700;
    while (Date.now() < deadline) {
      fs.writeFileSync(path.join(dir, 'control-plane.log'), 'x\n', { flag: 'a' });
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(rejections).toHaveLength(1);
    const reminders = logLines.filter((l) => l.msg === 'spec file still cannot be read');
    expect(reminders.length).toBeGreaterThanOrEqual(1);
    // 700 ms of events at most one reminder per 150 ms (the window may start a little late).
    expect(reminders.length).toBeLessThanOrEqual(5);
    expect(reminders[0]).toMatchObject({ level: 'warn', servingVersion: null });
    expect(reminders[0].failedReads).toBeGreaterThanOrEqual(1);
  });

  test('a listener that throws has not applied the spec: it is a rejection, and the watch goes on', async () => {
    fs.writeFileSync(file, fs.readFileSync(FIXTURE, 'utf8'));
    const { s, rejections } = start();
    let fail = true;
    s.onSpec(() => {
      if (fail) throw new TypeError("Cannot read properties of undefined (reading 'serviceDiscovery')");
    });
    await s.start();
    expect(s.current()).toBeUndefined();
    expect(rejections[0].reasons).toEqual(["applying the spec failed: Cannot read properties of undefined (reading 'serviceDiscovery')"]);

    fail = false;
    writeAtomically(JSON.stringify(JSON.parse(fs.readFileSync(FIXTURE, 'utf8')), null, 1));
    await waitFor(() => s.current() !== undefined, 'the next spec, applied');
  });

  test('a listener that returns false has not applied the spec: the one served before stays the last good one', async () => {
    fs.writeFileSync(file, fs.readFileSync(FIXTURE, 'utf8'));
    const { s, specs } = start();
    let accept = true;
    s.onSpec(() => accept);
    await s.start();
    const good = s.current();
    accept = false;
    writeAtomically(JSON.stringify(JSON.parse(fs.readFileSync(FIXTURE, 'utf8')), null, 1));
    await waitFor(() => specs.length === 2, 'the second spec offered');
    expect(s.current()).toBe(good);
  });
});
