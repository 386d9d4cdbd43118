/**
 * Every example under examples/ is a CDK app that synthesizes: each `examples/<name>/app.ts`
 * exports `build…App(app)` functions (or is run as a script when it exports none); each is
 * synthesized into a real cloud assembly, and the
 * mesh spec files it writes must parse and validate, be canonical, translate to Envoy
 * resources the real protos accept for every node, and draw through the graph command
 * (a well-formed SVG and a Mermaid chart naming every resource).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { runGraphCommand } from '../lib-runtime/src/graph/cli';
import { escapeLabel } from '../lib-runtime/src/graph/mermaid';
import { compiledMeshOf, EnvoyConfig, listNodeIds, renderNode, resolveNode, TYPE_URLS } from '../lib-runtime/src/translate';
import { encodeResource } from '../lib-runtime/src/xds/protos';
import { allElements, parseWellFormedXml, textContent } from '../lib-runtime/test/graph/xml-well-formed';
import { parseMeshSpec, toCanonicalJson } from '../src/spec/canonical';
import { MeshSpecDocument } from '../src/spec/document';
import { isCloudFormationIntrinsic } from '../src/spec/intrinsic';

// Synthesis loads aws-cdk-lib and the examples' dependencies: slow on a busy machine.
jest.setTimeout(120_000);

const EXAMPLES_DIR = path.resolve(__dirname, '..', 'examples');

type AppBuilder = (app: App) => unknown;

/** One way to synthesize an example: returns the cloud assembly directory. */
type Synthesizer = (outdir: string) => string;

/** The app in-process through an exported build…App function. */
function inProcess(builder: AppBuilder): Synthesizer {
  return (outdir) => {
    const app = new App({ outdir });
    builder(app);
    // Stacks that hold only mesh resources have an empty CloudFormation template.
    Validations.of(app).acknowledge({ id: 'CloudFormation-Validate::F0001', reason: 'mesh-only example stacks' });
    return app.synth().directory;
  };
}

/** The app file run as a CDK app is run (`cdk synth` sets CDK_OUTDIR the same way). */
function asScript(file: string): Synthesizer {
  return (outdir) => {
    execFileSync(path.join(__dirname, '..', 'node_modules', '.bin', 'ts-node'), ['--transpile-only', file], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, CDK_OUTDIR: outdir, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 110_000,
    });
    return outdir;
  };
}

/**
 * Every examples/<name>/app.ts: one entry per exported build…App function (`<name>/<function>`),
 * or, for an app that exports none, the file itself run as a script (`<name>/app.ts`).
 */
function exampleSynthesizers(): [string, Synthesizer][] {
  const found: [string, Synthesizer][] = [];
  for (const name of fs.readdirSync(EXAMPLES_DIR).sort()) {
    const file = path.join(EXAMPLES_DIR, name, 'app.ts');
    if (!fs.existsSync(file)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(file) as Record<string, unknown>;
    const builders = Object.keys(exported).sort().filter((key) => /^build\w*App$/.test(key) && typeof exported[key] === 'function');
    for (const key of builders) found.push([`${name}/${key}`, inProcess(exported[key] as AppBuilder)]);
    if (builders.length === 0) found.push([`${name}/app.ts`, asScript(file)]);
  }
  return found;
}

/** Every `*.mesh.json` under an assembly directory (nested stage assemblies included). */
function meshSpecFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    // Nested stages have their own assembly directories; asset directories hold copies for deployment
    // (e.g. BucketDeployment's staged spec with deploy-time markers), not the synthesized spec.
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('asset.')) files.push(...meshSpecFiles(full));
    } else if (entry.name.endsWith('.mesh.json')) {
      files.push(full);
    }
  }
  return files.sort();
}

function resourceNames(doc: MeshSpecDocument): string[] {
  return [
    doc.mesh.meshName,
    ...doc.virtualGateways.map((r) => r.virtualGatewayName),
    ...doc.gatewayRoutes.map((r) => r.gatewayRouteName),
    ...doc.virtualServices.map((r) => r.virtualServiceName),
    ...doc.virtualRouters.map((r) => r.virtualRouterName),
    ...doc.routes.map((r) => r.routeName),
    ...doc.virtualNodes.map((r) => r.virtualNodeName),
  ];
}

function encodingProblems(config: EnvoyConfig): string[] {
  const lists: [string, object[]][] = [
    [TYPE_URLS.listener, config.listeners],
    [TYPE_URLS.routeConfiguration, config.routes],
    [TYPE_URLS.cluster, config.clusters],
    [TYPE_URLS.clusterLoadAssignment, config.endpoints],
    [TYPE_URLS.secret, config.secrets],
  ];
  const problems: string[] = [];
  for (const [typeUrl, resources] of lists) {
    for (const resource of resources) {
      try {
        encodeResource(typeUrl, resource);
      } catch (error) {
        problems.push(`${typeUrl}: ${(error as Error).message}`);
      }
    }
  }
  return problems;
}

const EXAMPLES = exampleSynthesizers();

/**
 * The translation golden files (lib-runtime/test/translate/golden/) cover every example's mesh:
 * each mesh example's spec is committed as a fixture there, kept equal to what the example
 * synthesizes (`UPDATE_GOLDEN=1` rewrites it, then the translate golden test renders it).
 * The platform examples deploy the canary's mesh, so they add no fixture.
 */
const TRANSLATE_FIXTURES = path.join(__dirname, '..', 'lib-runtime', 'test', 'translate', 'fixtures');
const MESH_OF_PLATFORM_EXAMPLE: Record<string, string> = { 'canary-ecs': 'canary', 'eks': 'canary' };

test('every example is a mesh example with a golden fixture or names the mesh example it deploys', () => {
  for (const name of fs.readdirSync(EXAMPLES_DIR).filter((n) => fs.existsSync(path.join(EXAMPLES_DIR, n, 'app.ts')))) {
    const meshExample = MESH_OF_PLATFORM_EXAMPLE[name] ?? name;
    expect(fs.existsSync(path.join(TRANSLATE_FIXTURES, `example-${meshExample}.json`))).toBe(true);
  }
});
let workDir: string;

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-examples-'));
});

afterAll(() => {
  fs.rmSync(workDir, { recursive: true, force: true });
});

test('the examples the README explains are all here', () => {
  const names = EXAMPLES.map(([name]) => name);
  for (const expected of ['canary/buildCanaryApp', 'gateway/buildGatewayApp', 'mtls/buildMtlsApp', 'routing/buildRoutingApp']) {
    expect(names).toContain(expected);
  }
});

test('docs/mesh-canary.svg (shown in the README) is the current drawing of examples/canary', async () => {
  const canary = EXAMPLES.find(([name]) => name === 'canary/buildCanaryApp')![1];
  const [file] = meshSpecFiles(canary(path.join(workDir, 'docs-canary')));
  const svgFile = path.join(workDir, 'docs-canary.svg');
  expect(await runGraphCommand([file, '--out', svgFile], { stdout: () => undefined, stderr: () => undefined })).toBe(0);
  // When the drawing changes on purpose: npm run demo, then cp .demo/apps.mesh.svg docs/mesh-canary.svg
  expect(fs.readFileSync(path.join(__dirname, '..', 'docs', 'mesh-canary.svg'), 'utf8')).toBe(fs.readFileSync(svgFile, 'utf8'));
});

describe.each(EXAMPLES)('%s', (name, synthesize) => {
  let files: string[];
  const docs = new Map<string, MeshSpecDocument>();

  beforeAll(() => {
    files = meshSpecFiles(synthesize(path.join(workDir, name.replace(/\W+/g, '-'))));
  });

  test('synthesizes mesh spec files that validate and are canonical', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8');
      // Deploy-time values (here the task roles granted in proxyAccess) are still intrinsics in the assembly file.
      const doc = parseMeshSpec(text, { isUnresolved: isCloudFormationIntrinsic });
      expect(path.basename(file)).toBe(`${doc.mesh.meshName}.mesh.json`);
      expect(toCanonicalJson(doc)).toBe(text);
      expect(doc.virtualNodes.length + doc.virtualGateways.length).toBeGreaterThan(0);
      docs.set(file, doc);
    }
  });

  test('its spec is the translation golden fixture of the example', () => {
    const example = name.split('/')[0];
    if (MESH_OF_PLATFORM_EXAMPLE[example] !== undefined) return; // deploys another example's mesh
    expect(files).toHaveLength(1);
    const fixture = path.join(TRANSLATE_FIXTURES, `example-${example}.json`);
    const text = fs.readFileSync(files[0], 'utf8');
    if (process.env.UPDATE_GOLDEN === '1') fs.writeFileSync(fixture, text);
    expect(fs.readFileSync(fixture, 'utf8')).toBe(text);
  });

  test('every node and gateway translates to Envoy resources the real protos encode, in both views', () => {
    for (const doc of docs.values()) {
      const mesh = compiledMeshOf(doc);
      const ids = listNodeIds(mesh);
      expect(ids.length).toBe(doc.virtualNodes.length + doc.virtualGateways.length);
      for (const id of ids) {
        const config = renderNode(mesh, resolveNode(mesh, id), {});
        expect({ id, problems: [...encodingProblems(config.envoy), ...encodingProblems(config.proxyless)] }).toEqual({ id, problems: [] });
        expect(config.envoy.listeners.length + config.envoy.clusters.length).toBeGreaterThan(0);
      }
    }
  });

  test('the graph command draws each spec: well-formed SVG and Mermaid naming every resource', async () => {
    for (const [file, doc] of docs) {
      const svgFile = file.replace(/\.json$/, '.svg');
      let mermaid = '';
      const errors: string[] = [];
      const io = { stdout: (t: string) => { mermaid += t; }, stderr: (t: string) => { errors.push(t); } };
      expect(await runGraphCommand(['graph', file, '--out', svgFile], io)).toBe(0);
      expect(await runGraphCommand([file, '--format', 'mermaid'], io)).toBe(0);
      expect(errors).toEqual([]);

      const svg = parseWellFormedXml(fs.readFileSync(svgFile, 'utf8'));
      expect(svg.name).toBe('svg');
      const texts = allElements(svg).filter((e) => e.name === 'text').map(textContent);
      expect(mermaid).toMatch(/^(flowchart|graph) /m);
      for (const resource of resourceNames(doc)) {
        expect({ resource, inSvg: texts.some((t) => t === resource || t === `Mesh ${resource}`) }).toEqual({ resource, inSvg: true });
        expect({ resource, inMermaid: mermaid.includes(escapeLabel(resource)) }).toEqual({ resource, inMermaid: true });
      }
    }
  });
});
