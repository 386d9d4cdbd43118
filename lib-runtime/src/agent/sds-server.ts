/**
 * SDS for the local Envoy over a Unix socket: the `default` secret (tls_certificate: the agent's
 * certificate and key) and `ROOTCA` (validation_context: the mesh trust bundle), served by the
 * project's xDS server and pushed to every connected Envoy on each renewal. Anyone who can open
 * the socket gets the key: the socket's directory is the access control.
 */
import { promises as fs } from 'fs';
import type { HeldCertificate } from './held-certificate';
import { removeStaleSocket } from './stale-socket';
import { SECRET_TYPE_URL } from '../xds/type-urls';
import { XdsServer } from '../xds/xds-server';

/** The secret names Envoy's SDS configs ask for (the names App Mesh's Envoy image uses). */
export const CERTIFICATE_SECRET = 'default';
export const TRUST_BUNDLE_SECRET = 'ROOTCA';

// Every client on the socket is the local proxy: one group for all.
const LOCAL_GROUP = 'local';

export class SdsServer {
  private readonly xds = new XdsServer({ groupOf: () => LOCAL_GROUP, pushDebounceMs: 0, controlPlaneId: 'open-app-mesh-agent' });

  constructor(private readonly socketPath: string) {}

  async start(): Promise<void> {
    await removeStaleSocket(this.socketPath, '--sds-socket');
    try {
      await this.xds.listen(`unix:${this.socketPath}`);
    } catch (err) {
      throw new Error(`--sds-socket ${this.socketPath}: ${(err as Error).message}`);
    }
  }

  /** Serves `held` from now on; connected clients receive it at once. */
  update(held: HeldCertificate): void {
    this.xds.setResources(LOCAL_GROUP, SECRET_TYPE_URL, [
      {
        name: CERTIFICATE_SECRET,
        tls_certificate: {
          certificate_chain: { inline_string: held.certificatePem },
          private_key: { inline_string: held.privateKeyPem },
        },
      },
      { name: TRUST_BUNDLE_SECRET, validation_context: { trusted_ca: { inline_string: held.trustBundlePem } } },
    ]);
  }

  async stop(graceMs = 500): Promise<void> {
    await this.xds.shutdown(graceMs);
    await fs.rm(this.socketPath, { force: true });
  }
}
