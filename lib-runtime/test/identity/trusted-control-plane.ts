/**
 * The ControlPlane class in process as main wires it with trust on: the mesh CA in a temporary
 * directory, a server certificate it issued for 127.0.0.1, xDS over mutual TLS with node identity,
 * and the certificate exchange. Spec: the canary fixture with proxyAccess for serviceA. Not a test
 * file itself.
 */
import { generateKeyPairSync } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as grpc from '@grpc/grpc-js';
import { ControlPlane } from '../../src/control-plane';
import { StaticFileDiscovery } from '../../src/discovery/static-file';
import { AwsIamVerifier } from '../../src/identity/aws-iam';
import { MeshCa } from '../../src/identity/ca';
import { FileCaStore } from '../../src/identity/ca-store';
import { CertificateExchangeServer, type ExchangeServerOptions } from '../../src/identity/exchange-server';
import { ServerTls } from '../../src/identity/server-tls';
import type { WorkloadRef } from '../../src/identity/spiffe';
import { SILENT_LOGGER } from '../../src/log';
import { FileSpecSource } from '../../src/sources/file-spec-source';
import { waitFor } from '../support/wait';
import { AdsTestClient } from '../xds/ads-test-client';

export const TRUST_DOMAIN = 'mesh.test';
export const SERVER_ID = 'cp.mesh.test';
export const SERVICE_A: WorkloadRef = { meshName: 'apps', kind: 'virtualNode', name: 'serviceA' };
export const SERVICE_B: WorkloadRef = { meshName: 'apps', kind: 'virtualNode', name: 'serviceB-v1' };
export const SERVICE_A_ROLE = 'arn:aws:iam::111122223333:role/service-a-task';
export const SERVICE_A_ACCOUNT = 'system:serviceaccount:apps:service-a';

const FIXTURE = path.join(__dirname, '..', 'e2e', 'fixtures', 'canary-spec.json');

export interface ClientIdentity {
  readonly key: string;
  readonly cert: string;
}

export class TrustedControlPlane {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-trust-'));
  ca!: MeshCa;
  tls!: ServerTls;
  cp!: ControlPlane;
  exchange?: CertificateExchangeServer;
  exchangePort = 0;
  private readonly clients: AdsTestClient[] = [];

  async start(exchangeOptions: Partial<ExchangeServerOptions> & { stsOrigin?: string } = {}): Promise<void> {
    const spec = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
    spec.proxyAccess = [{ nodeId: 'mesh/apps/virtualNode/serviceA', principals: [SERVICE_A_ROLE, SERVICE_A_ACCOUNT] }];
    fs.writeFileSync(path.join(this.dir, 'spec.json'), JSON.stringify(spec));
    fs.writeFileSync(path.join(this.dir, 'endpoints.json'), '{}');
    this.ca = await MeshCa.open({ store: new FileCaStore(path.join(this.dir, 'ca')), trustDomain: TRUST_DOMAIN });
    this.tls = await ServerTls.start({ ca: this.ca, names: ['127.0.0.1'], log: SILENT_LOGGER });
    this.cp = new ControlPlane({
      spec: new FileSpecSource(path.join(this.dir, 'spec.json')),
      discovery: new StaticFileDiscovery(path.join(this.dir, 'endpoints.json')),
      xdsAddress: '127.0.0.1:0',
      adminHost: '127.0.0.1',
      adminPort: 0,
      drainMs: 100,
      xdsCredentials: this.tls.grpcCredentials(),
      trustDomain: TRUST_DOMAIN,
    });
    await this.cp.start();
    const { stsOrigin, ...rest } = exchangeOptions;
    this.exchange = new CertificateExchangeServer({
      ca: this.ca,
      tls: this.tls,
      proxyAccess: () => this.cp.proxyAccess(),
      awsIam: new AwsIamVerifier({ serverId: SERVER_ID, ...(stsOrigin ? { stsEndpointOverride: stsOrigin } : {}) }),
      log: SILENT_LOGGER,
      onRefused: (reason) => this.cp.metrics.exchangesRefused.inc({ reason }),
      onIssued: () => this.cp.metrics.certificatesIssued.inc(),
      ...rest,
    });
    this.exchangePort = await this.exchange.listen(0, '127.0.0.1');
  }

  async stop(): Promise<void> {
    for (const c of this.clients.splice(0)) c.close();
    this.tls?.stop();
    await Promise.all([this.cp?.stop(), this.exchange?.close()]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** A key and a leaf of `ca` (default: the mesh CA) for `workload`. */
  async leaf(workload: WorkloadRef, ca: MeshCa = this.ca): Promise<ClientIdentity> {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issued = await ca.issueWorkloadCertificate({ workload, publicKey });
    return { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, cert: issued.certificatePem };
  }

  /** A raw ADS client over TLS that trusts the mesh CA, presenting `identity` if given. */
  client(identity?: ClientIdentity): AdsTestClient {
    const root = Buffer.from(this.ca.trustBundlePem());
    const credentials = identity
      ? grpc.credentials.createSsl(root, Buffer.from(identity.key), Buffer.from(identity.cert))
      : grpc.credentials.createSsl(root);
    const client = new AdsTestClient(this.cp.ports.xds, undefined, credentials);
    this.clients.push(client);
    return client;
  }

  async specLoaded(): Promise<void> {
    await waitFor(() => this.cp.proxyAccess() !== undefined, 'the spec to load');
  }
}
