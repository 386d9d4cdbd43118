import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCaMaterial } from '../lib-runtime/src/identity/ca-store';

/**
 * Copies the mesh CA's root certificates (never its key) out of the control plane's file CA store
 * into `bundleFile`: what an operator hands each agent as --ca-bundle, so the agent trusts the
 * control plane's exchange without trust on first use.
 */
export function writeMeshRoots(caDir: string, bundleFile: string): void {
  const store = path.join(caDir, 'ca.json');
  const material = parseCaMaterial(fs.readFileSync(store, 'utf8'), store);
  const roots = [material.active.certificatePem, ...material.retired.map((r) => r.certificatePem)];
  fs.writeFileSync(bundleFile, roots.map((pem) => pem.trimEnd()).join('\n') + '\n');
}
