import { generateKeyPairSync } from 'crypto';
import * as path from 'path';
import { MeshParts } from './spec-builder';
import { CERTIFICATE_FILE, PRIVATE_KEY_FILE, TRUST_BUNDLE_FILE } from '../../src/agent/certificate-files';
import { HeldCertificate } from '../../src/agent/held-certificate';
import { MeshCa } from '../../src/identity/ca';
import { FileCaStore } from '../../src/identity/ca-store';
import { spiffeIdFor } from '../../src/identity/spiffe';

/** Mesh CA certificates for tests of mesh mTLS: a CA in `dir`, node certificates, the agent's files. */

export async function openMeshCa(dir: string, trustDomain: string): Promise<MeshCa> {
  return MeshCa.open({ store: new FileCaStore(path.join(dir, 'ca')), trustDomain });
}

/** A certificate (with a new key) the mesh CA issued for virtual node `name`, as the agent holds it. */
export async function issueNodeCertificate(ca: MeshCa, meshName: string, name: string): Promise<HeldCertificate> {
  const workload = { meshName, kind: 'virtualNode' as const, name };
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const issued = await ca.issueWorkloadCertificate({ workload, publicKey });
  return {
    certificatePem: issued.certificatePem,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    trustBundlePem: issued.trustBundlePem,
    spiffeId: spiffeIdFor(ca.trustDomain, workload),
    notBefore: issued.notBefore,
    notAfter: issued.notAfter,
    controlPlaneTrustPem: issued.trustBundlePem,
  };
}

/**
 * `certificate_providers` of a gRPC xDS bootstrap: instance `default` is gRPC's file_watcher
 * plugin on the agent's --out-dir files.
 */
export function agentCertificateProviders(outDir: string): object {
  return {
    default: {
      plugin_name: 'file_watcher',
      config: {
        certificate_file: path.join(outDir, CERTIFICATE_FILE),
        private_key_file: path.join(outDir, PRIVATE_KEY_FILE),
        ca_certificate_file: path.join(outDir, TRUST_BUNDLE_FILE),
        refresh_interval: '1s',
      },
    },
  };
}

/**
 * a → svc → b: b's grpc listener on `port` is STRICT with a mesh CA certificate and validates
 * callers against `trustFile` (mutual TLS); a's client policy trusts the mesh CA.
 */
export function strictMtlsMesh(port: number, trustFile: string): MeshParts {
  return {
    nodes: {
      a: {
        backends: [{ virtualService: { virtualServiceName: 'svc' } }],
        backendDefaults: { clientPolicy: { tls: { validation: { trust: { acm: { certificateAuthorityArns: ['arn:aws:acm-pca:eu-west-1:1:certificate-authority/x'] } } } } } },
      },
      b: {
        serviceDiscovery: { dns: { hostname: 'b.m.local' } },
        listeners: [{
          portMapping: { port, protocol: 'grpc' },
          tls: { mode: 'STRICT', certificate: { acm: { certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/y' } }, validation: { trust: { file: { certificateChain: trustFile } } } },
        }],
      },
    },
    services: { svc: { provider: { virtualNode: { virtualNodeName: 'b' } } } },
  };
}
