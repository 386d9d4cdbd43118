import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { buildEksCanaryApp } from '../../examples/eks/app';
import { FileSpecSource } from '../../lib-runtime/src/sources/file-spec-source';
import { SpecSnapshot } from '../../lib-runtime/src/sources/spec-source';

/** The data of the example's spec ConfigMap for given weights. */
function specConfigMapData(weights: { serviceB: number; serviceBv2: number }): Record<string, string> {
  const { eksMesh } = buildEksCanaryApp(new App(), { weights });
  const configMap = eksMesh.renderManifests().find((m) => m.kind === 'ConfigMap' && m.metadata.name === 'apps-control-plane-spec');
  return configMap.data;
}

/**
 * Writes a ConfigMap volume the way the kubelet does: files in a timestamped directory,
 * `..data` pointing at it, and each key a symlink through `..data`. An update writes a new
 * directory and swaps `..data` with one rename, so the key's own path never changes.
 */
class ConfigMapVolume {
  private generation = 0;
  private current?: string;

  constructor(readonly dir: string) {}

  write(data: Record<string, string>): void {
    const generationDir = `..2026_11_22_00_00_00.${++this.generation}`;
    fs.mkdirSync(path.join(this.dir, generationDir));
    for (const [key, value] of Object.entries(data)) fs.writeFileSync(path.join(this.dir, generationDir, key), value);
    fs.symlinkSync(generationDir, path.join(this.dir, '..data_tmp'));
    fs.renameSync(path.join(this.dir, '..data_tmp'), path.join(this.dir, '..data'));
    for (const key of Object.keys(data)) {
      if (!fs.existsSync(path.join(this.dir, key))) fs.symlinkSync(path.join('..data', key), path.join(this.dir, key));
    }
    if (this.current) fs.rmSync(path.join(this.dir, this.current), { recursive: true });
    this.current = generationDir;
  }
}

const weightsOf = (snapshot: SpecSnapshot | undefined) =>
  snapshot?.doc.routes[0].spec.httpRoute?.action.weightedTargets.map((t) => t.weight);

describe('spec ConfigMap update reaches the control plane', () => {
  let dir: string;
  let source: FileSpecSource | undefined;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-configmap-')); });
  afterEach(async () => {
    await source?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the runtime\'s file source (as --spec uses it) reloads after a kubelet-style ..data swap', async () => {
    const volume = new ConfigMapVolume(dir);
    volume.write(specConfigMapData({ serviceB: 75, serviceBv2: 25 }));
    // Default watch options, as main.ts creates the source for --spec <file>.
    source = new FileSpecSource(path.join(dir, 'apps.mesh.json'));
    await source.start();
    expect(weightsOf(source.current())).toEqual([75, 25]);

    const reloaded = new Promise<SpecSnapshot>((resolve) => source!.onSpec(resolve));
    volume.write(specConfigMapData({ serviceB: 0, serviceBv2: 100 }));
    const snapshot = await reloaded;
    expect(weightsOf(snapshot)).toEqual([0, 100]);
    expect(weightsOf(source.current())).toEqual([0, 100]);
  }, 15000);
});
