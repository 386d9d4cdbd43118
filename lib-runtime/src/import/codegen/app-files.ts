import { GeneratedFile } from './generate';

/** What the project files of a generated app need to know. */
export interface AppFileInput {
  readonly meshName: string;
  readonly stackClass: string;
  /** Path of the stack module, `lib/<name>.ts`. */
  readonly stackFile: string;
  readonly stackSource: string;
  readonly importFrom: string;
}

/** Versions the generated package.json asks for: those this project builds and tests with. */
const VERSIONS = { 'aws-cdk-lib': '^2.276.0', 'constructs': '^10.8.1', 'aws-cdk': '^2.1148.1', 'typescript': '^6.0.3', 'ts-node': '^10.9.2', '@types/node': '^20' };

/**
 * The files of a CDK app around the stack module: the entry point, package.json, cdk.json and
 * tsconfig.json, so `npm install && npx cdk synth` works in the output directory.
 */
export function appFiles(input: AppFileInput): GeneratedFile[] {
  const stackModule = `../${input.stackFile.replace(/\.ts$/, '')}`;
  const stackId = input.stackClass.replace(/Stack$/, '') || 'Mesh';
  const entry = [
    "import { App, Validations } from 'aws-cdk-lib';",
    `import { ${input.stackClass} } from '${stackModule}';`,
    '',
    'const app = new App();',
    `new ${input.stackClass}(app, '${stackId}');`,
    '// Mesh resources go to the mesh spec, not to the CloudFormation template, which may stay empty.',
    "Validations.of(app).acknowledge({ id: 'CloudFormation-Validate::F0001', reason: 'the stack holds only mesh resources' });",
    'app.synth();',
    '',
  ].join('\n');
  const packageName = `${input.stackClass.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`.replace(/-stack$/, '');
  const packageJson = {
    name: packageName,
    version: '0.1.0',
    private: true,
    scripts: { build: 'tsc', synth: 'cdk synth' },
    dependencies: {
      'aws-cdk-lib': VERSIONS['aws-cdk-lib'],
      'constructs': VERSIONS.constructs,
      // The construct library, unless the import names a module of aws-cdk-lib or a local path.
      ...(input.importFrom.startsWith('.') || input.importFrom.startsWith('aws-cdk-lib') ? {} : { [input.importFrom]: '*' }),
    },
    devDependencies: {
      '@types/node': VERSIONS['@types/node'],
      'aws-cdk': VERSIONS['aws-cdk'],
      'ts-node': VERSIONS['ts-node'],
      'typescript': VERSIONS.typescript,
    },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'node16',
      lib: ['es2022'],
      strict: true,
      noUnusedLocals: true,
      noImplicitReturns: true,
      esModuleInterop: true,
      skipLibCheck: true,
      outDir: 'dist',
      types: ['node'],
    },
    include: ['bin/**/*.ts', 'lib/**/*.ts'],
  };
  return [
    { path: 'bin/app.ts', content: entry },
    { path: 'cdk.json', content: `${JSON.stringify({ app: 'npx ts-node --prefer-ts-exts bin/app.ts' }, undefined, 2)}\n` },
    { path: input.stackFile, content: input.stackSource },
    { path: 'package.json', content: `${JSON.stringify(packageJson, undefined, 2)}\n` },
    { path: 'tsconfig.json', content: `${JSON.stringify(tsconfig, undefined, 2)}\n` },
  ];
}
