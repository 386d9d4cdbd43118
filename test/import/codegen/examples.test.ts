/**
 * Every example app, synthesized here, then its mesh spec through the code generator: the
 * generated app synthesizes the same spec. An example whose spec holds deploy-time values
 * (canary-ecs grants node access to task roles, whose ARNs are CloudFormation intrinsics in the
 * assembly file) is refused, each intrinsic named by its spec path.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { synthesizeApp, writeApp } from './generated-app';
import { CodegenError, generateCdkApp } from '../../../lib-runtime/src/import/codegen';
import { parseMeshSpec } from '../../../src/spec/canonical';
import { isCloudFormationIntrinsic } from '../../../src/spec/intrinsic';

jest.setTimeout(300_000);

const EXAMPLES_DIR = path.resolve(__dirname, '..', '..', '..', 'examples');

/** `<example>/<build…App>` for every builder the examples export. */
function builders(): [string, (app: App) => unknown][] {
  const found: [string, (app: App) => unknown][] = [];
  for (const name of fs.readdirSync(EXAMPLES_DIR).sort()) {
    const file = path.join(EXAMPLES_DIR, name, 'app.ts');
    if (!fs.existsSync(file)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = require(file) as Record<string, unknown>;
    for (const key of Object.keys(exported).sort().filter((k) => /^build\w*App$/.test(k) && typeof exported[k] === 'function')) {
      found.push([`${name}/${key}`, exported[key] as (app: App) => unknown]);
    }
  }
  return found;
}

let root: string;
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-codegen-examples-'));
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const EXAMPLES = builders();
/** Examples whose generated app synthesized their spec; the others were refused for deploy-time values. */
const roundTripped = new Set<string>();

test('every example directory is here', () => {
  const examples = new Set(EXAMPLES.map(([name]) => name.split('/')[0]));
  expect([...examples].sort()).toEqual(fs.readdirSync(EXAMPLES_DIR).filter((n) => fs.existsSync(path.join(EXAMPLES_DIR, n, 'app.ts'))).sort());
});

test.each(EXAMPLES)('%s: the generated app synthesizes its spec, or the deploy-time values are named', (name, build) => {
  const dir = path.join(root, name.replace(/\W+/g, '-'));
  const app = new App({ outdir: path.join(dir, 'example.out') });
  build(app);
  Validations.of(app).acknowledge({ id: 'CloudFormation-Validate::F0001', reason: 'mesh-only example stacks' });
  const assembly = app.synth().directory;
  const files = fs.readdirSync(assembly).filter((f) => f.endsWith('.mesh.json'));
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) {
    const text = fs.readFileSync(path.join(assembly, file), 'utf8');
    const doc = parseMeshSpec(text, { isUnresolved: isCloudFormationIntrinsic });
    const intrinsics = (text.match(/"(Ref|Fn::[A-Za-z]+)"/g) ?? []).length;
    if (intrinsics > 0) {
      let error: unknown;
      try {
        generateCdkApp(doc);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CodegenError);
      const issues = (error as CodegenError).issues;
      expect(issues.length).toBeGreaterThan(0);
      for (const issue of issues) {
        expect(issue.message).toMatch(/is a CloudFormation intrinsic, resolved only at deploy time/);
        expect(issue.path).toMatch(/^[A-Za-z]+(\[\d+\]|\.[A-Za-z]+)*$/);
      }
      continue;
    }
    if (/"extensions"\s*:/.test(text)) {
      // Policies beyond App Mesh (spec v2) are refused by name, never dropped.
      expect(() => generateCdkApp(doc)).toThrow(CodegenError);
      try {
        generateCdkApp(doc);
      } catch (error) {
        const issues = (error as CodegenError).issues;
        expect(issues.length).toBeGreaterThan(0);
        for (const issue of issues) {
          expect(issue.path).toMatch(/^(virtualNodes|routes|virtualGateways|gatewayRoutes)\[\d+\]\.extensions\.[A-Za-z]+$/);
          expect(issue.message).toMatch(/is a policy beyond App Mesh, which the generated code does not state yet/);
        }
      }
      continue;
    }
    const appDir = path.join(dir, 'generated');
    writeApp(appDir, generateCdkApp(doc));
    synthesizeApp(appDir, path.join(appDir, 'cdk.out'));
    expect(fs.readFileSync(path.join(appDir, 'cdk.out', file), 'utf8')).toBe(text);
    roundTripped.add(name.split('/')[0]);
  }
});

test('every example round-trips but canary-ecs, whose task-role grants are deploy-time values, and policies, whose policies the generator does not write', () => {
  expect([...roundTripped].sort()).toEqual(['canary', 'eks', 'gateway', 'mtls', 'routing']);
});
