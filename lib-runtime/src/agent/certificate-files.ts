/**
 * The certificate as files in --out-dir, for gRPC's file_watcher certificate provider and for
 * anyone else: cert.pem, key.pem (mode 0600) and ca.pem. Each is written to a temporary file in
 * the same directory and renamed over the old one, so a reader sees the old file or the new one,
 * never half of either.
 */
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import type { HeldCertificate } from './held-certificate';

export const CERTIFICATE_FILE = 'cert.pem';
export const PRIVATE_KEY_FILE = 'key.pem';
export const TRUST_BUNDLE_FILE = 'ca.pem';

export async function writeCertificateFiles(dir: string, held: HeldCertificate): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  // Renamed one right after the other; a reader caught between the two sees a pair that does not
  // match and, like gRPC's file_watcher, reads again on its next refresh.
  await writeAtomically(path.join(dir, PRIVATE_KEY_FILE), held.privateKeyPem, 0o600);
  await writeAtomically(path.join(dir, CERTIFICATE_FILE), held.certificatePem, 0o644);
  await writeAtomically(path.join(dir, TRUST_BUNDLE_FILE), held.trustBundlePem, 0o644);
}

async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // 'wx' with the final mode: the key is never readable by others, not even for a moment.
    const handle = await fs.open(temporary, 'wx', mode);
    try {
      await handle.writeFile(content);
      await handle.chmod(mode); // the umask may have taken bits away from a wanted 0644
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temporary, file);
  } catch (err) {
    await fs.rm(temporary, { force: true });
    throw new Error(`--out-dir: cannot write ${file}: ${(err as Error).message}`);
  }
}
