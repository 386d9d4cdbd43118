import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fixturePath, loadFixture } from './spec-fixtures';
import { parseWellFormedXml } from './xml-well-formed';
import { GRAPH_USAGE, parseGraphArgs, runGraphCommand } from '../../src/graph/cli';
import { renderMermaid } from '../../src/graph/mermaid';
import { buildMeshGraph } from '../../src/graph/mesh-graph';
import { renderSvg } from '../../src/graph/svg';

/** Runs the command with captured output. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runGraphCommand(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

describe('open-app-mesh graph', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'oam-graph-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  test('prints Mermaid to stdout by default (with or without the command name first)', async () => {
    const expected = renderMermaid(buildMeshGraph(loadFixture('canary')));
    expect(await run(fixturePath('canary'))).toEqual({ code: 0, stdout: expected, stderr: '' });
    expect(await run('graph', fixturePath('canary'))).toEqual({ code: 0, stdout: expected, stderr: '' });
  });

  test('--format svg --out writes a well-formed SVG file and prints nothing', async () => {
    const out = path.join(dir, 'mesh.txt');
    const result = await run('graph', fixturePath('gateway'), '--format', 'svg', '--out', out);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    const svg = await fs.readFile(out, 'utf8');
    expect(svg).toBe(renderSvg(buildMeshGraph(loadFixture('gateway'))));
    expect(parseWellFormedXml(svg).name).toBe('svg');
  });

  test('an --out file ending in .svg picks SVG; --format=mermaid wins over it', async () => {
    const svgOut = path.join(dir, 'mesh.svg');
    expect((await run(fixturePath('canary'), `--out=${svgOut}`)).code).toBe(0);
    expect(await fs.readFile(svgOut, 'utf8')).toMatch(/^<\?xml/);
    const mmdOut = path.join(dir, 'forced.svg');
    expect((await run(fixturePath('canary'), '-o', mmdOut, '--format=mermaid')).code).toBe(0);
    expect(await fs.readFile(mmdOut, 'utf8')).toMatch(/^---\ntitle: "Mesh apps"/);
  });

  test('an invalid spec is refused with every issue; --no-validate draws it anyway', async () => {
    const doc = loadFixture('canary');
    const broken = {
      ...doc,
      routes: doc.routes.map((r) => ({ ...r, spec: { httpRoute: { ...r.spec.httpRoute!, action: { weightedTargets: [{ virtualNode: 'serviceB', weight: 500 }] } } } })),
    };
    const file = path.join(dir, 'broken.json');
    await fs.writeFile(file, JSON.stringify(broken));
    const refused = await run(file);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`open-app-mesh graph: ${file}: invalid mesh spec`);
    expect(refused.stderr).toContain('weightedTargets[0].weight');
    const drawn = await run(file, '--no-validate');
    expect(drawn.code).toBe(0);
    expect(drawn.stdout).toContain('-->|"100% (weight 500)"| vn_serviceB');
  });

  test('a spec with warnings is drawn as written, each warning on stderr with its rule id, path and message', async () => {
    // An HTTP/2 route on the router's HTTP listener: App Mesh accepted it and never distributed it.
    const doc = loadFixture('canary');
    const warned = { ...doc, routes: doc.routes.map((r) => ({ ...r, spec: { http2Route: r.spec.httpRoute! } })) };
    const file = path.join(dir, 'warned.json');
    await fs.writeFile(file, JSON.stringify(warned));
    const route = warned.routes[0];
    const result = await run(file);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(renderMermaid(buildMeshGraph(warned as typeof doc)));
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^open-app-mesh graph: ${escape(file)}: warning \\[route-protocol-matches-listener\\] `
        + `${escape(`routes["${route.virtualRouterName}/${route.routeName}"].spec`)}\\S*: .*http2`)),
      `open-app-mesh graph: ${file}: 1 warning(s); the routes named above are drawn, but the control plane does not distribute them`,
    ]);
    // --out: the file is written and the warnings still go to stderr.
    const out = path.join(dir, 'warned.svg');
    const drawn = await run(file, '--out', out);
    expect(drawn).toEqual({ code: 0, stdout: '', stderr: result.stderr });
    expect(parseWellFormedXml(await fs.readFile(out, 'utf8')).name).toBe('svg');
  });

  test('unreadable input: a missing file, bad JSON, a wrong spec version', async () => {
    const missing = await run(path.join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');

    const notJson = path.join(dir, 'bad.json');
    await fs.writeFile(notJson, '{ nope');
    expect((await run(notJson)).stderr).toContain('not valid JSON');
    expect((await run(notJson, '--no-validate')).code).toBe(1);

    const oldVersion = path.join(dir, 'old.json');
    await fs.writeFile(oldVersion, JSON.stringify({ ...loadFixture('canary'), specVersion: 'open-app-mesh/v0' }));
    const refused = await run(oldVersion);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('unknown spec version');

    const notAMesh = path.join(dir, 'array.json');
    await fs.writeFile(notAMesh, '[]');
    expect((await run(notAMesh, '--no-validate')).stderr).toContain('not a mesh spec document');
  });

  test('an --out path that cannot be written fails with exit code 1', async () => {
    const result = await run(fixturePath('canary'), '--out', path.join(dir, 'no', 'such', 'dir', 'x.svg'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot write');
  });

  test('usage errors exit 2 with the usage; --help exits 0', async () => {
    for (const argv of [[], ['--format', 'png', 'x.json'], ['a.json', 'b.json'], ['--bogus', 'a.json'], ['a.json', '--out'], ['a.json', '--format']]) {
      const result = await run(...argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(GRAPH_USAGE);
    }
    expect(await run('--help')).toEqual({ code: 0, stdout: `${GRAPH_USAGE}\n`, stderr: '' });
  });

  test('argument parsing', () => {
    expect(parseGraphArgs(['s.json'])).toEqual({ specPath: 's.json', format: 'mermaid', out: undefined, validate: true });
    expect(parseGraphArgs(['--format=svg', 's.json'])).toEqual({ specPath: 's.json', format: 'svg', out: undefined, validate: true });
    expect(parseGraphArgs(['s.json', '--out', 'PIC.SVG', '--no-validate'])).toEqual({ specPath: 's.json', format: 'svg', out: 'PIC.SVG', validate: false });
    expect(parseGraphArgs(['-'])).toEqual({ specPath: '/dev/stdin', format: 'mermaid', out: undefined, validate: true });
    expect(parseGraphArgs(['--format', 'dot', 's.json'])).toBe('unknown format dot (use mermaid or svg)');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
