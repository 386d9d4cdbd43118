'use strict';
/**
 * `node -r ./build-tools/register-ts.js file.ts`: runs TypeScript sources as
 * `-r ts-node/register/transpile-only` does (each file transpiled on its own to CommonJS, no type
 * check), with the output cached on disk under node_modules/.cache/register-ts, keyed by the
 * compiler version, the file's path and its text. A process whose files an earlier process already
 * transpiled neither loads the compiler nor transpiles: it starts in about a tenth of the time,
 * which is what a test or a benchmark that starts many processes pays for each one.
 *
 * The compiler options are those the runtime's tsconfig gives (module node16 in a CommonJS
 * package: CommonJS with esModuleInterop, target ES2022); stack traces point into the .ts files
 * (inline source maps, which Node reads itself).
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const CACHE_DIR = path.join(__dirname, '..', 'node_modules', '.cache', 'register-ts');
const COMPILER_VERSION = require('typescript/package.json').version;

let ts;
function transpile(source, fileName) {
  ts = ts || require('typescript');
  return ts.transpileModule(source, {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      inlineSourceMap: true,
    },
  }).outputText;
}

/** The JavaScript of one TypeScript file, from the cache or transpiled into it. */
function javaScriptOf(fileName) {
  const source = fs.readFileSync(fileName, 'utf8');
  const key = crypto.createHash('sha256').update(`${COMPILER_VERSION}\0${fileName}\0${source}`).digest('hex');
  const cached = path.join(CACHE_DIR, `${key}.js`);
  try {
    return fs.readFileSync(cached, 'utf8');
  } catch {
    const js = transpile(source, fileName);
    // Written whole, then renamed: processes starting together never read half a file.
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, js);
    fs.renameSync(partial, cached);
    return js;
  }
}

process.setSourceMapsEnabled(true);
require.extensions['.ts'] = (module, fileName) => module._compile(javaScriptOf(fileName), fileName);
