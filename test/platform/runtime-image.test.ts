import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { PACKAGE_ROOT, runtimeImageAsset } from '../../src/platform/private/runtime-image';

/** Every file under `dir`, relative, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => entry.isDirectory()
    ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
    : [`${prefix}${entry.name}`]).sort();
}

describe('the bundled control-plane image', () => {
  test('stages only the runtime build inputs of the package (no node_modules, sources or .git)', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-package-'));
    const files = [
      'package.json', 'package-lock.json', 'lib-runtime/Dockerfile', 'lib-runtime/dist/lib-runtime/src/main.js',
      'lib-runtime/dist/src/spec/index.js', 'lib-runtime/src/main.ts', 'node_modules/x/index.js', '.git/HEAD', 'src/index.ts',
      'cdk.out/manifest.json', 'lib/index.js',
    ];
    for (const file of files) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), file);
    }
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'oam-stage-')) });
    const stack = new Stack(app, 'S');
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'T');
    taskDefinition.addContainer('control-plane', { image: runtimeImageAsset(root) });
    const assembly = app.synth();

    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'S.assets.json'), 'utf8'));
    const [image] = Object.values<any>(manifest.dockerImages);
    expect(image.source.dockerFile).toBe('lib-runtime/Dockerfile');
    expect(listFiles(path.join(assembly.directory, image.source.directory))).toEqual([
      'lib-runtime/Dockerfile', 'lib-runtime/dist/lib-runtime/src/main.js', 'lib-runtime/dist/src/spec/index.js',
      'package-lock.json', 'package.json',
    ]);
    // The container refers to the staged image in the bootstrap repository.
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [{ Image: { 'Fn::Sub': Match.stringLikeRegexp('cdk-hnb659fds-container-assets') } }],
    });
  });

  test('the default build context is the package root', () => {
    expect(fs.existsSync(path.join(PACKAGE_ROOT, 'package.json'))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')).name).toBe('open-app-mesh');
  });
});
