import { awscdk, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'open-app-mesh',
  description:
    'CDK constructs source-compatible with aws-cdk-lib/aws-appmesh, plus a bundled xDS control plane for Envoy and proxyless gRPC.',
  author: 'open-app-mesh developers',
  authorAddress: 'dev@open-app-mesh.invalid',
  repositoryUrl: 'https://example.invalid/open-app-mesh.git',
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  minNodeVersion: '20.16.0',

  cdkVersion: '2.276.0',
  constructsVersion: '10.8.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '^6.0.3',

  // Nothing here can reach GitHub or a release pipeline.
  github: false,
  release: false,
  depsUpgrade: false,
  buildWorkflow: false,
  pullRequestTemplate: false,

  docgen: true,
  docgenFilePath: 'API.md',

  // The control plane (lib-runtime/) runs from the published package, so what it imports ships with it.
  bundledDeps: [
    '@grpc/grpc-js@1.14.7',
    '@grpc/proto-loader@0.8.1',
    '@grpc/grpc-js-xds@1.14.1',
    'protobufjs@^7',
    '@aws-sdk/client-servicediscovery@^3',
    '@aws-sdk/client-s3@^3',
    // The mesh CA's root, shared by the control plane's replicas on ECS.
    '@aws-sdk/client-secrets-manager@^3',
    // An ACM Private CA as the mesh root instead of a generated one.
    '@aws-sdk/client-acm-pca@^3',
    // AWS AppConfig as a spec source (the data plane's configuration sessions).
    '@aws-sdk/client-appconfigdata@^3',
    // The agent signs its identity proof with the task's credentials, found by the SDK's chain.
    '@aws-sdk/credential-provider-node@^3',
    // RE2 syntax checks with a real RE2 parser (App Mesh and Envoy match with RE2).
    're2js@^2.10.0',
    'prom-client@^15.1.3',
    'yaml@^2.9.1',
    // Certificates and CSRs for the mesh CA (Node's crypto parses X.509 but cannot build it).
    '@peculiar/x509@^2.2.0',
    // @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata API.
    'reflect-metadata@^0.2.2',
  ],
  devDeps: [
    '@types/node@^20',
    'aws-sdk-client-mock@4.1.0',
    'aws-cdk@^2.1148.1',
    'kubernetes-models@^4.5.1',
    'cdk-nag@^3.0.2',
    '@aws-cdk/aws-service-spec@^0.1.216',
    'fast-check@^4.11.0',
    // A real Prometheus text-format parser for the /metrics tests.
    'parse-prometheus-text-format@^1.1.1',
    // The STS stand-in of the identity tests re-checks signatures with AWS's own SigV4 signer.
    '@smithy/signature-v4@^5.7.5',
    // The dashboard's browser test drives Debian's Chromium (puppeteer-core never downloads one).
    'puppeteer-core@^24.43.1',
  ],

  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'build-tools', 'lib-runtime', 'examples', 'bench', 'demo'],
    commandOptions: { fix: false },
  },
  jestOptions: {
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      // Jest's default is one worker less than the cores: a single worker on a 2-core CI machine,
      // while most suites wait on sockets, child processes and timers rather than the CPU.
      maxWorkers: '100%',
      // Nothing reads a coverage report here (no threshold), and collecting it about doubles jest's
      // CPU time; `npm test -- --coverage` collects it when wanted.
      collectCoverage: false,
      testMatch: ['<rootDir>/@(src|test|lib-runtime)/**/*(*.)@(spec|test).ts?(x)'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/lib-runtime/dist/', '<rootDir>/cdk.out/'],
    },
  },
  gitignore: ['/lib-runtime/dist/', 'cdk.out/', '/.demo/'],
  bin: {
    'open-app-mesh': 'lib-runtime/bin/open-app-mesh.js',
    'open-app-mesh-control-plane': 'lib-runtime/bin/open-app-mesh-control-plane.js',
  },
});

// T1 in the toolchain notes: the registry lags on some optional platform bindings.
project.package.addPackageResolutions('unrs-resolver@1.12.2');
for (const ignored of ['/lib-runtime/src/', '/lib-runtime/test/', '/examples/', '/bench/', '/build-tools/', '/demo/', '/.demo/', '/docs/']) {
  project.addPackageIgnore(ignored);
}
project.addPackageIgnore('!/lib-runtime/dist/');

// The control plane is plain TypeScript compiled by tsc, after jsii and before docgen.
const compileRuntime = project.addTask('compile:runtime', {
  description: 'Compile the control-plane runtime (lib-runtime/) with tsc',
  exec: 'tsc -p lib-runtime/tsconfig.build.json',
});
project.postCompileTask.prependSpawn(compileRuntime);

// The main job: synthesize the canary, run the control plane, watch real RPCs split (README, first command).
project.addTask('demo', {
  description: 'Run the local demo (npm run demo -- --keep-running to explore)',
  exec: 'ts-node --transpile-only demo/run.ts',
  receiveArgs: true,
});
project.addTask('graph', {
  description: 'Draw a mesh spec as Mermaid or SVG: npm run graph -- <spec.json> --out mesh.svg',
  exec: 'ts-node --transpile-only lib-runtime/src/cli.ts graph',
  receiveArgs: true,
});
// The xDS protos are served from a generated JSON descriptor (no .proto parsing at start-up).
project.addTask('gen:xds-protos', {
  description: 'Regenerate lib-runtime/src/xds/envoy-protos.generated.ts from the pinned protos (after changing PROTO_FILES or upgrading grpc-js-xds/protobufjs)',
  exec: 'node build-tools/gen-xds-protos.js',
});
// Benchmarks (BENCHMARKS.md): compiled once with tsc so start-up does not weigh on the figures.
const benchCompile = project.addTask('bench:compile', {
  description: 'Compile the benchmarks into node_modules/.cache/open-app-mesh-bench',
  exec: 'tsc -p bench/tsconfig.json',
});
const bench = project.addTask('bench', {
  description: 'Run the benchmarks (full mode; npm run bench -- --quick for the CI smoke mode)',
});
bench.spawn(benchCompile);
bench.exec('node node_modules/.cache/open-app-mesh-bench/bench/run.js', { receiveArgs: true });
project.addTask('control-plane', {
  description: 'Run the control plane from source: npm run control-plane -- --spec <file> --endpoints static:<file>',
  exec: 'ts-node --transpile-only lib-runtime/src/cli.ts control-plane',
  receiveArgs: true,
});

project.synth();
