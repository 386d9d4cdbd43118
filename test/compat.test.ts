import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as ts from 'typescript';
import { MeshSpecs } from '../src';
import { buildApiUsage } from './compat/api-usage';
import { documentOf, nodeSpec, routeSpec } from './helpers';
import { buildCanaryApp } from '../examples/canary/app';

const EXAMPLE = path.join(__dirname, '..', 'examples', 'canary', 'app.ts');
const OUR_IMPORT = "import * as appmesh from '../../src';";
const UPSTREAM_IMPORT = "import * as appmesh from 'aws-cdk-lib/aws-appmesh';";

/**
 * Type-check the given files (path → source; they need not exist on disk) with the examples'
 * compiler options, all in one program (its bulk, aws-cdk-lib's .d.ts, is read and parsed once).
 * Reports the diagnostics of each given file only: the library itself is checked by jsii, so
 * checking it again here would only cost time.
 */
function typeCheck(files: Record<string, string>): Map<string, string[]> {
  const configPath = path.join(__dirname, '..', 'examples', 'tsconfig.json');
  const config = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(configPath));
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true };
  const host = ts.createCompilerHost(options);
  const original = { getSourceFile: host.getSourceFile, readFile: host.readFile, fileExists: host.fileExists };
  const virtual = new Map(Object.entries(files).map(([file, text]) => [path.resolve(file), text]));
  host.fileExists = (f) => virtual.has(path.resolve(f)) || original.fileExists.call(host, f);
  host.readFile = (f) => virtual.get(path.resolve(f)) ?? original.readFile.call(host, f);
  host.getSourceFile = (f, languageVersion, onError, shouldCreate) => {
    const text = virtual.get(path.resolve(f));
    return text !== undefined
      ? ts.createSourceFile(f, text, languageVersion, true)
      : original.getSourceFile.call(host, f, languageVersion, onError, shouldCreate);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const format = (d: ts.Diagnostic): string => {
    const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  };
  const global = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map(format);
  return new Map([...virtual.keys()].map((file) => {
    const sourceFile = program.getSourceFile(file)!;
    return [file, [...global, ...[...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)].map(format)]];
  }));
}

const FIXTURE = path.join(__dirname, 'compat', 'api-usage.ts');

/**
 * Every examples/<name>/app.ts that uses only the aws-appmesh part of our API (no platform
 * constructs such as ControlPlane, which aws-cdk-lib does not have): all of them must compile
 * against both libraries.
 */
function meshOnlyExamples(): string[] {
  const examplesDir = path.join(__dirname, '..', 'examples');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ours = require('../src');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const upstream = require('aws-cdk-lib/aws-appmesh');
  return fs.readdirSync(examplesDir)
    .map((dir) => path.join(examplesDir, dir, 'app.ts'))
    .filter((file) => fs.existsSync(file) && fs.readFileSync(file, 'utf-8').includes(OUR_IMPORT))
    .filter((file) => {
      const members = new Set([...fs.readFileSync(file, 'utf-8').matchAll(/\bappmesh\.([A-Za-z_]\w*)/g)].map((m) => m[1]));
      return [...members].every((member) => !(member in ours) || member in upstream);
    })
    .sort();
}
// The swapped variants sit next to the originals so relative imports resolve the same way.
const upstreamVariant = (file: string): string => file.replace(/\.ts$/, '.upstream-variant.ts');
const brokenVariant = (file: string): string => file.replace(/\.ts$/, '.broken-variant.ts');

describe('source compatibility with aws-cdk-lib/aws-appmesh', () => {
  const source = fs.readFileSync(EXAMPLE, 'utf-8');
  const examples = meshOnlyExamples();
  // The canary example with a member name neither library has, to show the checks can fail.
  const broken = source.replace('appmesh.RouteSpec.http(', 'appmesh.RouteSpec.httpx(');

  /** Every example and the API fixture as written and with the import swapped, and the broken canary both ways: one program. */
  let checked: Map<string, string[]> | undefined;
  function diagnostics(): Map<string, string[]> {
    if (checked) return checked;
    const files: Record<string, string> = {};
    for (const file of [...examples, FIXTURE]) {
      const text = fs.readFileSync(file, 'utf-8');
      files[file] = text;
      files[upstreamVariant(file)] = text.replace(OUR_IMPORT, UPSTREAM_IMPORT);
    }
    files[brokenVariant(EXAMPLE)] = broken;
    files[upstreamVariant(brokenVariant(EXAMPLE))] = broken.replace(OUR_IMPORT, UPSTREAM_IMPORT);
    checked = typeCheck(files);
    return checked;
  }

  test('the example imports our library in exactly one place', () => {
    expect(source.split(OUR_IMPORT).length).toBe(2);
    expect(source).not.toContain("from 'aws-cdk-lib/aws-appmesh'");
  });

  test('the examples and the API fixture type-check against open-app-mesh and against aws-cdk-lib/aws-appmesh', () => {
    expect(examples).toContain(EXAMPLE);
    for (const file of [...examples, FIXTURE]) {
      expect(fs.readFileSync(file, 'utf-8').split(OUR_IMPORT).length).toBe(2);
      expect({ file, errors: diagnostics().get(file) }).toEqual({ file, errors: [] });
      expect({ file, errors: diagnostics().get(upstreamVariant(file)) }).toEqual({ file, errors: [] });
    }
  }, 180_000);

  test('the checks are real: a wrong member name fails in both variants', () => {
    expect(broken).not.toBe(source);
    const errors = [...diagnostics().get(brokenVariant(EXAMPLE))!, ...diagnostics().get(upstreamVariant(brokenVariant(EXAMPLE)))!];
    expect(errors.filter((e) => e.includes('httpx')).map((e) => path.basename(e.split(':')[0]))).toEqual(['app.broken-variant.ts', 'app.broken-variant.upstream-variant.ts']);
  }, 180_000);
});

describe('the API fixture', () => {
  test('synthesizes into one valid document', () => {
    const app = new App();
    buildApiUsage(app);
    const doc = documentOf(app, 'usage');
    expect(doc.virtualNodes.map((n) => n.virtualNodeName)).toEqual(['backend', 'frontend', 'grpc-node', 'simple']);
    expect(doc.routes.map((r) => `${r.virtualRouterName}/${r.routeName}`)).toEqual(['router/grpc', 'router/http', 'router/http2', 'router/regex', 'tcp-router/tcp']);
    expect(doc.virtualServices).toHaveLength(5);
    expect(doc.virtualRouters.map((r) => r.virtualRouterName)).toEqual(['router', 'tcp-router']);
    expect(doc.virtualGateways.map((g) => g.virtualGatewayName)).toEqual(['gateway']);
    expect(doc.gatewayRoutes).toHaveLength(2);
    expect(doc.proxyAccess?.map((p) => p.nodeId)).toEqual(['mesh/usage/virtualGateway/gateway', 'mesh/usage/virtualNode/frontend']);
    expect(nodeSpec(doc, 'backend').listeners).toHaveLength(5);
  });
});

describe('the canary example synthesizes the App Mesh walkthrough', () => {
  test('mesh apps, three DNS nodes with health-checked HTTP listeners, a 75/25 router, serviceA backend', () => {
    const app = new App();
    buildCanaryApp(app);
    const doc = documentOf(app, 'apps');

    expect(doc.mesh).toEqual({ meshName: 'apps', spec: { egressFilter: { type: 'DROP_ALL' } } });
    expect(doc.virtualNodes.map((n) => n.virtualNodeName)).toEqual(['serviceA', 'serviceB', 'serviceBv2']);
    for (const [name, host] of [['serviceA', 'servicea'], ['serviceB', 'serviceb'], ['serviceBv2', 'servicebv2']]) {
      const s = nodeSpec(doc, name);
      expect(s.serviceDiscovery).toEqual({ dns: { hostname: `${host}.apps.local` } });
      expect(s.listeners).toEqual([{
        portMapping: { port: 8080, protocol: 'http' },
        healthCheck: {
          protocol: 'http',
          path: '/ping',
          port: 8080,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
          intervalMillis: 5000,
          timeoutMillis: 2000,
        },
      }]);
    }
    expect(nodeSpec(doc, 'serviceA').backends).toEqual([{ virtualService: { virtualServiceName: 'serviceb.apps.local' } }]);
    expect(nodeSpec(doc, 'serviceB').backends).toBeUndefined();

    expect(doc.virtualRouters).toEqual([{
      meshName: 'apps', virtualRouterName: 'serviceB', spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
    }]);
    expect(doc.virtualServices).toEqual([{
      meshName: 'apps', virtualServiceName: 'serviceb.apps.local', spec: { provider: { virtualRouter: { virtualRouterName: 'serviceB' } } },
    }]);
    const route = routeSpec(doc, 'serviceB-route', 'serviceB');
    expect(route.httpRoute?.action.weightedTargets).toEqual([
      { virtualNode: 'serviceB', weight: 75 },
      { virtualNode: 'serviceBv2', weight: 25 },
    ]);
    expect(route.httpRoute?.match).toEqual({ prefix: '/' });
    expect(route.httpRoute?.retryPolicy).toEqual({
      maxRetries: 2,
      perRetryTimeout: { unit: 'ms', value: 1000 },
      httpRetryEvents: ['gateway-error'],
      tcpRetryEvents: ['connection-error'],
    });
    expect(route.httpRoute?.timeout).toEqual({ perRequest: { unit: 'ms', value: 15000 } });
  });

  test('weights come from the canaryWeights context (0/100) and land in the assembly file', () => {
    // No built-in CloudFormation template check: it only warns that the stack is empty, and its
    // first run costs seconds (the example run as a program below does it).
    const app = new App({ context: { canaryWeights: '0/100' }, builtinCloudFormationValidation: false });
    buildCanaryApp(app);
    const assembly = app.synth();
    const file = path.join(assembly.directory, MeshSpecs.assemblyFileName('apps'));
    const written = JSON.parse(fs.readFileSync(file, 'utf-8'));
    expect(written.routes[0].spec.httpRoute.action.weightedTargets).toEqual([
      { virtualNode: 'serviceB', weight: 0 },
      { virtualNode: 'serviceBv2', weight: 100 },
    ]);
  });

  test('weights come from CANARY_WEIGHTS when no context is set', () => {
    const saved = process.env.CANARY_WEIGHTS;
    process.env.CANARY_WEIGHTS = '10/90';
    try {
      const app = new App();
      buildCanaryApp(app);
      const route = routeSpec(documentOf(app, 'apps'), 'serviceB-route');
      expect(route.httpRoute?.action.weightedTargets.map((t) => t.weight)).toEqual([10, 90]);
    } finally {
      if (saved === undefined) delete process.env.CANARY_WEIGHTS;
      else process.env.CANARY_WEIGHTS = saved;
    }
  });

  test('malformed weights are refused', () => {
    expect(() => buildCanaryApp(new App({ context: { canaryWeights: 'half' } }))).toThrow(/75\/25/);
  });
});

test('the example runs as a CDK app and writes the mesh spec into CDK_OUTDIR', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-'));
  try {
    const run = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', EXAMPLE], {
      env: { ...process.env, CDK_OUTDIR: outdir, CANARY_WEIGHTS: '0/100' },
      encoding: 'utf-8',
      timeout: 120_000,
    });
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
    const written = JSON.parse(fs.readFileSync(path.join(outdir, 'apps.mesh.json'), 'utf-8'));
    expect(written.routes[0].spec.httpRoute.action.weightedTargets.map((t: { weight: number }) => t.weight)).toEqual([0, 100]);
    expect(fs.existsSync(path.join(outdir, 'manifest.json'))).toBe(true);
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}, 150_000);

