/**
 * The code generator's acceptance test: for every input spec, the generated CDK app, written to
 * disk and run as an app is run, synthesizes the same spec (canonical JSON) — the input itself
 * for specs the constructs wrote, its constructs form otherwise. The generated code also passes
 * the project's eslint config and type-checks against this library and, with the import
 * swapped, against aws-cdk-lib/aws-appmesh (one tsc program for all apps each time).
 *
 * Inputs: every mesh spec JSON under lib-runtime/test and test (the translate and graph
 * fixtures, including the examples' synthesized specs that test/examples.test.ts keeps equal to
 * the examples, and the importers' golden specs), and the hand-written specs beside this test.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';
import { synthesizeApp, writeApp } from './generated-app';
import { HAND_WRITTEN } from './hand-written-specs';
import { CodegenError, constructsForm, generateCdkApp, GeneratedApp } from '../../../lib-runtime/src/import/codegen';
import { EXTENSION_MARK } from '../../../lib-runtime/src/import/codegen/fragments';
import { parseMeshSpec, toCanonicalJson } from '../../../src/spec/canonical';
import { MeshSpecDocument } from '../../../src/spec/document';

jest.setTimeout(300_000);

const REPO = path.resolve(__dirname, '..', '..', '..');

/** Every committed mesh spec document (JSON with a specVersion) outside golden outputs. */
function specFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!/^(golden|golden-clients|node_modules|__snapshots__)$/.test(entry.name)) found.push(...specFiles(full));
    } else if (entry.name.endsWith('.json') && /"specVersion"\s*:\s*"open-app-mesh\/v1"/.test(fs.readFileSync(full, 'utf8'))) {
      found.push(full);
    }
  }
  return found.sort();
}

const CASES: [string, MeshSpecDocument][] = [
  ...[...specFiles(path.join(REPO, 'lib-runtime', 'test')), ...specFiles(path.join(REPO, 'test'))]
    .map((file): [string, MeshSpecDocument] => [path.relative(REPO, file), parseMeshSpec(fs.readFileSync(file, 'utf8'))]),
  ...Object.entries(HAND_WRITTEN).map(([name, doc]): [string, MeshSpecDocument] => [`hand-written/${name}`, doc]),
];

/**
 * Inputs holding values the construct API cannot express: generating them fails, naming the field.
 * (HeaderMatch and QueryParameterMatch have no presence match: App Mesh's match without a match method.)
 */
const NOT_EXPRESSIBLE: Record<string, RegExp> = {
  'lib-runtime/test/translate/fixtures/routing.json':
    /routes\["api-router\/beta-users"\]\.spec\.httpRoute\.match\.queryParameters\[1\]: a match on the presence of the query parameter "debug" cannot be written/,
  'lib-runtime/test/graph/fixtures/header-routing.json':
    /routes\["catalog-router\/mobile"\]\.spec\.httpRoute\.match\.headers\[1\]: a match on the presence of "x-debug" \(no match method\) cannot be written/,
};

let root: string;
const apps = new Map<string, { dir: string; app: GeneratedApp }>();

beforeAll(() => {
  // The apps live under one directory whose node_modules holds what `npm install` would give them.
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-codegen-'));
  const modules = path.join(root, 'node_modules');
  fs.mkdirSync(path.join(modules, '@types'), { recursive: true });
  for (const name of ['aws-cdk-lib', 'constructs']) fs.symlinkSync(path.join(REPO, 'node_modules', name), path.join(modules, name));
  fs.symlinkSync(path.join(REPO, 'node_modules', '@types', 'node'), path.join(modules, '@types', 'node'));
  fs.symlinkSync(REPO, path.join(modules, 'open-app-mesh'));
  for (const [name, doc] of CASES) {
    if (NOT_EXPRESSIBLE[name] !== undefined) continue;
    const dir = path.join(root, name.replace(/[^A-Za-z0-9]+/g, '-'));
    const app = generateCdkApp(doc);
    writeApp(dir, app);
    writeApp(`${dir}-aws-cdk-lib`, generateCdkApp(doc, { importFrom: 'aws-cdk-lib/aws-appmesh' }));
    apps.set(name, { dir, app });
  }
});

afterAll(() => {
  if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
});

test('the inputs cover the examples, the fixtures and the hand-written specs', () => {
  const names = CASES.map(([name]) => name);
  for (const example of ['canary', 'gateway', 'mtls', 'routing']) {
    expect(names).toContain(`lib-runtime/test/translate/fixtures/example-${example}.json`);
  }
  expect(names.filter((n) => n.startsWith('hand-written/'))).toHaveLength(Object.keys(HAND_WRITTEN).length);
});

test.each(Object.entries(NOT_EXPRESSIBLE))('%s cannot be written, and the error names the field', (name, message) => {
  const doc = CASES.find(([n]) => n === name)![1];
  expect(() => generateCdkApp(doc)).toThrow(CodegenError);
  expect(() => generateCdkApp(doc)).toThrow(message);
});

describe.each(CASES.filter(([name]) => NOT_EXPRESSIBLE[name] === undefined))('%s', (name, doc) => {
  test('the generated app synthesizes the same spec', () => {
    const { dir } = apps.get(name)!;
    const outdir = path.join(dir, 'cdk.out');
    synthesizeApp(dir, outdir);
    const file = path.join(outdir, `${doc.mesh.meshName}.mesh.json`);
    expect(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `no ${file}`).toBe(toCanonicalJson(constructsForm(doc)));
  });

  test('is deterministic', () => {
    expect(generateCdkApp(doc)).toEqual(apps.get(name)!.app);
  });
});

test('specs the constructs wrote are their own constructs form', () => {
  for (const example of ['canary', 'gateway', 'mtls', 'routing']) {
    const doc = CASES.find(([name]) => name.endsWith(`example-${example}.json`))![1];
    expect(toCanonicalJson(constructsForm(doc))).toBe(toCanonicalJson(doc));
  }
});

/**
 * One tsc program over every generated app, both imports (aws-cdk-lib's .d.ts are the bulk, parsed
 * once); the diagnostics of the generated files as `file:line: text`. Only those files are
 * checked: the library is type-checked by its own build.
 */
let checked: string[] | undefined;
function typeCheck(): string[] {
  if (checked) return checked;
  const dirs = [...apps.values()].flatMap((a) => [a.dir, `${a.dir}-aws-cdk-lib`]);
  const rootNames = dirs.flatMap((dir) => ['bin/app.ts', ...fs.readdirSync(path.join(dir, 'lib')).map((f) => `lib/${f}`)].map((f) => path.join(dir, f)));
  const program = ts.createProgram(rootNames, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    strict: true,
    noUnusedLocals: true,
    noImplicitReturns: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    // The apps import 'open-app-mesh': this repository's sources; the swapped apps do not import it.
    paths: { 'open-app-mesh': [path.join(REPO, 'src', 'index.ts')] },
  });
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()];
  for (const file of rootNames) {
    const sourceFile = program.getSourceFile(file)!;
    diagnostics.push(...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile));
  }
  checked = diagnostics.map((d) => {
    if (d.file === undefined) return `(no file): ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    return `${d.file.fileName}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
  return checked;
}

test('the generated apps type-check against this library', () => {
  const dirs = [...apps.values()].map((a) => a.dir);
  expect(dirs.length).toBeGreaterThan(0);
  expect(typeCheck().filter((error) => !dirs.some((dir) => error.startsWith(`${dir}-aws-cdk-lib/`)))).toEqual([]);
});

test('with the import swapped to aws-cdk-lib/aws-appmesh they type-check, but where marked as open-app-mesh only', () => {
  const dirs = [...apps.values()].map((a) => `${a.dir}-aws-cdk-lib`);
  const errors = typeCheck().filter((error) => dirs.some((dir) => error.startsWith(`${dir}/`)));
  const unmarked = errors.filter((error) => {
    const [, file, line] = /^(.*?):(\d+): /.exec(error)!;
    const previous = fs.readFileSync(file, 'utf8').split('\n')[Number(line) - 2] ?? '';
    return !previous.includes(EXTENSION_MARK);
  });
  expect(unmarked).toEqual([]);
  // The marks are real: each marked line is an error against aws-cdk-lib.
  const marked = dirs.flatMap((dir) => fs.readdirSync(path.join(dir, 'lib')).flatMap((f) => {
    const lines = fs.readFileSync(path.join(dir, 'lib', f), 'utf8').split('\n');
    return lines.flatMap((l, i) => (l.includes(EXTENSION_MARK) ? [`${path.join(dir, 'lib', f)}:${i + 2}`] : []));
  }));
  expect(marked.length).toBeGreaterThan(0);
  for (const at of marked) expect(errors.some((e) => e.startsWith(`${at}: `))).toBe(true);
});

test('the generated code passes the project\'s eslint config', async () => {
  // eslint 9 runs the project's .eslintrc.json through its legacy class.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { LegacyESLint } = require('eslint/use-at-your-own-risk');
  const problems: string[] = [];
  // Type information for the typed rules from one program over all the apps, with the apps' own
  // compiler options: the project service would build one program per app (each tsconfig.json).
  const appTsconfig = JSON.parse(fs.readFileSync(path.join([...apps.values()][0].dir, 'tsconfig.json'), 'utf8'));
  const lintProject = path.join(root, 'tsconfig.eslint.json');
  fs.writeFileSync(lintProject, JSON.stringify({ compilerOptions: appTsconfig.compilerOptions, include: ['*/bin/*.ts', '*/lib/*.ts'] }));
  const eslint = new LegacyESLint({
    cwd: root,
    useEslintrc: false,
    overrideConfigFile: path.join(REPO, '.eslintrc.json'),
    overrideConfig: { parserOptions: { projectService: false, project: [lintProject], tsconfigRootDir: root } },
  });
  const files = [...apps.values()].flatMap(({ dir }) => [`${dir}/bin/*.ts`, `${dir}/lib/*.ts`]);
  for (const result of await eslint.lintFiles(files)) {
    for (const m of result.messages) problems.push(`${result.filePath}:${m.line}: ${m.ruleId} ${m.message}`);
  }
  expect(files.length).toBeGreaterThan(0);
  expect(problems).toEqual([]);
});
