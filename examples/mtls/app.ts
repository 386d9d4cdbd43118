// Mutual TLS between two virtual nodes with certificates from files on the proxies.
// `ledger` accepts only TLS connections whose client certificate chains to the mesh CA and
// names `payments`; `payments` presents its own certificate and checks that the server's
// certificate chains to the same CA and names `ledger.bank.local`. `audit` shows the
// migration step: it accepts TLS and plain text (PERMISSIVE) while clients move to TLS.
// Written as for aws-cdk-lib/aws-appmesh: only the import of the mesh library differs.
//
// Files each proxy needs (mount them into the Envoy container, e.g. from a secret):
//   /etc/mesh/certs/ca.pem                        the mesh CA certificate (trust anchor)
//   /etc/mesh/certs/<node>.pem, <node>.key        the node's certificate chain and private key
//
// Run: npx ts-node --transpile-only examples/mtls/app.ts   (writes cdk.out/bank.mesh.json)
import { App, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as appmesh from '../../src';

/** Where every proxy finds the mesh's certificate files. */
export const CERT_DIR = '/etc/mesh/certs';
const caFile = `${CERT_DIR}/ca.pem`;
const certOf = (node: string) => appmesh.TlsCertificate.file(`${CERT_DIR}/${node}.pem`, `${CERT_DIR}/${node}.key`);

/** Mesh `bank`: payments → ledger.bank.local (mutual TLS, STRICT) and audit.bank.local (TLS, PERMISSIVE). */
export class MtlsStack extends Stack {
  public readonly mesh: appmesh.Mesh;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, props);
    this.mesh = new appmesh.Mesh(this, 'Mesh', { meshName: 'bank', egressFilter: appmesh.MeshFilterType.DROP_ALL });

    const ledger = this.mesh.addVirtualNode('ledger', {
      virtualNodeName: 'ledger',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('ledger.bank.local'),
      listeners: [appmesh.VirtualNodeListener.http({
        port: 8443,
        tls: {
          mode: appmesh.TlsMode.STRICT,
          certificate: certOf('ledger'),
          // Client certificates must chain to the mesh CA and name the payments service.
          mutualTlsValidation: {
            trust: appmesh.TlsValidationTrust.file(caFile),
            subjectAlternativeNames: appmesh.SubjectAlternativeNames.matchingExactly('payments.bank.local'),
          },
        },
      })],
    });

    const audit = this.mesh.addVirtualNode('audit', {
      virtualNodeName: 'audit',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('audit.bank.local'),
      listeners: [appmesh.VirtualNodeListener.http({
        port: 8443,
        tls: { mode: appmesh.TlsMode.PERMISSIVE, certificate: certOf('audit') },
      })],
    });

    const ledgerService = new appmesh.VirtualService(this, 'LedgerService', {
      virtualServiceName: 'ledger.bank.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(ledger),
    });
    const auditService = new appmesh.VirtualService(this, 'AuditService', {
      virtualServiceName: 'audit.bank.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualNode(audit),
    });

    this.mesh.addVirtualNode('payments', {
      virtualNodeName: 'payments',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('payments.bank.local'),
      listeners: [appmesh.VirtualNodeListener.http({ port: 8080 })],
      // Every backend: TLS required, servers checked against the mesh CA.
      backendDefaults: {
        tlsClientPolicy: {
          validation: { trust: appmesh.TlsValidationTrust.file(caFile) },
        },
      },
      backends: [
        // ledger additionally wants our certificate and must present its own name.
        appmesh.Backend.virtualService(ledgerService, {
          tlsClientPolicy: {
            mutualTlsCertificate: certOf('payments'),
            validation: {
              trust: appmesh.TlsValidationTrust.file(caFile),
              subjectAlternativeNames: appmesh.SubjectAlternativeNames.matchingExactly('ledger.bank.local'),
            },
          },
        }),
        appmesh.Backend.virtualService(auditService),
      ],
    });
  }
}

/** Define the mutual TLS stack in `app`. */
export function buildMtlsApp(app: App): MtlsStack {
  return new MtlsStack(app, 'MtlsMesh');
}

if (require.main === module) {
  const app = new App();
  buildMtlsApp(app);
  app.synth();
}
