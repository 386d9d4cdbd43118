import * as fs from 'node:fs';
import * as path from 'node:path';
import { ControlPlane, type ControlPlaneOptions } from '../../src/control-plane';
import { StaticFileDiscovery } from '../../src/discovery/static-file';
import { FileSpecSource } from '../../src/sources/file-spec-source';

/** The canary spec the e2e tests share: serviceA calls serviceB, split between serviceB-v1 and serviceB-v2. */
export const CANARY_SPEC_FILE = path.join(__dirname, '..', 'e2e', 'fixtures', 'canary-spec.json');

/** The canary spec with serviceB's default route split `v1`/`100 - v1`. */
export function canarySpec(v1: number): string {
  const spec = JSON.parse(fs.readFileSync(CANARY_SPEC_FILE, 'utf8'));
  const targets = spec.routes.find((r: { routeName: string }) => r.routeName === 'default').spec.grpcRoute.action.weightedTargets;
  targets[0].weight = v1;
  targets[1].weight = 100 - v1;
  return JSON.stringify(spec);
}

/** What a test's control plane serves, and anything of ControlPlaneOptions it sets differently. */
export interface FileControlPlaneOptions extends Partial<Omit<ControlPlaneOptions, 'spec' | 'discovery'>> {
  /** Content of `<dir>/spec.json`. */
  readonly spec: string | Buffer;
  /** Content of `<dir>/endpoints.json` (an object is written as JSON). */
  readonly endpoints?: object | string;
}

/**
 * A ControlPlane in process on `<dir>/spec.json` and `<dir>/endpoints.json` (written here),
 * watched every 100 ms with a 20 ms debounce so file changes land quickly; xDS and admin on
 * loopback ports the OS picks, a 200 ms drain. `options.log` also logs the spec source.
 */
export async function startFileControlPlane(dir: string, options: FileControlPlaneOptions): Promise<ControlPlane> {
  const { spec, endpoints = {}, ...more } = options;
  fs.writeFileSync(path.join(dir, 'spec.json'), spec);
  fs.writeFileSync(path.join(dir, 'endpoints.json'), typeof endpoints === 'string' ? endpoints : JSON.stringify(endpoints));
  const watch = { debounceMs: 20, statIntervalMs: 100 };
  const cp = new ControlPlane({
    spec: new FileSpecSource(path.join(dir, 'spec.json'), more.log, watch),
    discovery: new StaticFileDiscovery(path.join(dir, 'endpoints.json'), undefined, watch),
    xdsAddress: '127.0.0.1:0',
    adminHost: '127.0.0.1',
    adminPort: 0,
    drainMs: 200,
    ...more,
  });
  await cp.start();
  return cp;
}

/** Teardown: closes the clients, stops the control plane (when one was started) and removes `dir`. */
export async function stopFileControlPlane(cp: ControlPlane | undefined, dir: string, clients: { close(): void }[] = []): Promise<void> {
  for (const c of clients.splice(0)) c.close();
  await cp?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Replaces `<dir>/spec.json` atomically (written beside it, then renamed), so the watcher never reads half a file. */
export function replaceSpec(dir: string, text: string): void {
  const tmp = path.join(dir, '.spec.json.tmp');
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, path.join(dir, 'spec.json'));
}
