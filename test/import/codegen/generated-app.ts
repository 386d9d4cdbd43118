/** Writing a generated app to disk and running it as `cdk synth` would, for the codegen tests. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { GeneratedApp } from '../../../lib-runtime/src/import/codegen';

/** Writes the app's files under `dir`. */
export function writeApp(dir: string, app: GeneratedApp): void {
  for (const file of app.files) {
    fs.mkdirSync(path.dirname(path.join(dir, file.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, file.path), file.content);
  }
}

/**
 * Runs `bin/app.ts` of the app in `dir` with CDK_OUTDIR set to `outdir`, in this process: each
 * file is transpiled as written; `open-app-mesh` is this repository's src.
 */
export function synthesizeApp(dir: string, outdir: string): void {
  const cache = new Map<string, unknown>();
  const load = (file: string): unknown => {
    if (cache.has(file)) return cache.get(file);
    const module = { exports: {} as Record<string, unknown> };
    cache.set(file, module.exports);
    const js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const localRequire = (id: string): unknown => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      if (id === 'open-app-mesh') return require('../../../src');
      if (id.startsWith('.')) return load(`${path.resolve(path.dirname(file), id)}.ts`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(id);
    };
    new Function('require', 'module', 'exports', js)(localRequire, module, module.exports);
    cache.set(file, module.exports);
    return module.exports;
  };
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    load(path.join(dir, 'bin', 'app.ts'));
  } finally {
    if (previous === undefined) delete process.env.CDK_OUTDIR;
    else process.env.CDK_OUTDIR = previous;
  }
}
