// The App Mesh canary walkthrough: service A calls serviceb.apps.local, whose router sends
// a share of the traffic to version 2 of service B. Written exactly as for
// aws-cdk-lib/aws-appmesh: only the import below differs (test/compat.test.ts checks that).
//
// Run: npx ts-node examples/canary/app.ts            (75/25)
//      CANARY_WEIGHTS=0/100 npx ts-node examples/canary/app.ts
//      cdk synth -c canaryWeights=0/100 ...
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as acmpca from 'aws-cdk-lib/aws-acmpca';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { Construct } from 'constructs';
import * as appmesh from '../../src';

/** Traffic shares of the two versions of service B. */
export interface CanaryWeights {
  readonly serviceB: number;
  readonly serviceBv2: number;
}

/**
 * TLS with the mesh's private CA, as in App Mesh's ACM walkthrough: each version of service B
 * serves its ACM certificate and requires TLS; serviceA accepts only servers of the CA.
 */
export interface CanaryTls {
  readonly certificateAuthorityArn: string;
  readonly serviceBCertificateArn: string;
  readonly serviceBv2CertificateArn: string;
}

/** Properties of the canary stack. */
export interface CanaryStackProps extends StackProps {
  readonly weights?: CanaryWeights;
  /** @default - no TLS */
  readonly tls?: CanaryTls;
}

/** Mesh `apps`: serviceA → serviceb.apps.local → serviceB (75%) / serviceBv2 (25%). */
export class CanaryStack extends Stack {
  public readonly mesh: appmesh.Mesh;
  public readonly router: appmesh.VirtualRouter;

  constructor(scope: Construct, id: string, props: CanaryStackProps = {}) {
    super(scope, id, props);
    const weights = props.weights ?? { serviceB: 75, serviceBv2: 25 };

    this.mesh = new appmesh.Mesh(this, 'Mesh', {
      meshName: 'apps',
      egressFilter: appmesh.MeshFilterType.DROP_ALL,
    });

    const tls = props.tls;
    const certificate = (importId: string, arn?: string) => arn === undefined ? undefined : {
      mode: appmesh.TlsMode.STRICT,
      certificate: appmesh.TlsCertificate.acm(acm.Certificate.fromCertificateArn(this, importId, arn)),
    };
    const listener = (listenerTls?: appmesh.ListenerTlsOptions) => appmesh.VirtualNodeListener.http({
      port: 8080,
      tls: listenerTls,
      healthCheck: appmesh.HealthCheck.http({
        path: '/ping',
        healthyThreshold: 2,
        unhealthyThreshold: 2,
        interval: Duration.seconds(5),
        timeout: Duration.seconds(2),
      }),
    });

    const serviceB = this.mesh.addVirtualNode('serviceB', {
      virtualNodeName: 'serviceB',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('serviceb.apps.local'),
      listeners: [listener(certificate('serviceBCertificate', tls?.serviceBCertificateArn))],
      accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout'),
    });

    const serviceBv2 = this.mesh.addVirtualNode('serviceBv2', {
      virtualNodeName: 'serviceBv2',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('servicebv2.apps.local'),
      listeners: [listener(certificate('serviceBv2Certificate', tls?.serviceBv2CertificateArn))],
      accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout'),
    });

    this.router = this.mesh.addVirtualRouter('serviceBRouter', {
      virtualRouterName: 'serviceB',
      listeners: [appmesh.VirtualRouterListener.http(8080)],
    });

    this.router.addRoute('serviceB-route', {
      routeName: 'serviceB-route',
      routeSpec: appmesh.RouteSpec.http({
        weightedTargets: [
          { virtualNode: serviceB, weight: weights.serviceB },
          { virtualNode: serviceBv2, weight: weights.serviceBv2 },
        ],
        match: { path: appmesh.HttpRoutePathMatch.startsWith('/') },
        timeout: { perRequest: Duration.seconds(15) },
        retryPolicy: {
          retryAttempts: 2,
          retryTimeout: Duration.seconds(1),
          httpRetryEvents: [appmesh.HttpRetryEvent.GATEWAY_ERROR],
          tcpRetryEvents: [appmesh.TcpRetryEvent.CONNECTION_ERROR],
        },
      }),
    });

    const serviceBService = new appmesh.VirtualService(this, 'serviceBService', {
      virtualServiceName: 'serviceb.apps.local',
      virtualServiceProvider: appmesh.VirtualServiceProvider.virtualRouter(this.router),
    });

    this.mesh.addVirtualNode('serviceA', {
      virtualNodeName: 'serviceA',
      serviceDiscovery: appmesh.ServiceDiscovery.dns('servicea.apps.local'),
      listeners: [listener()],
      backends: [appmesh.Backend.virtualService(serviceBService)],
      backendDefaults: tls && {
        tlsClientPolicy: {
          validation: {
            trust: appmesh.TlsValidationTrust.acm([acmpca.CertificateAuthority.fromCertificateAuthorityArn(this, 'MeshCa', tls.certificateAuthorityArn)]),
          },
        },
      },
      accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout'),
    });
  }
}

/**
 * Canary weights from the `canaryWeights` context value or the CANARY_WEIGHTS environment
 * variable, as `<serviceB>/<serviceBv2>` (e.g. `0/100`); 75/25 when neither is set.
 */
export function canaryWeights(app: App): CanaryWeights {
  const raw: string | undefined = app.node.tryGetContext('canaryWeights') ?? process.env.CANARY_WEIGHTS;
  if (raw === undefined || raw === '') return { serviceB: 75, serviceBv2: 25 };
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(String(raw));
  if (match === null) throw new Error(`canary weights must look like 75/25, got '${raw}'`);
  return { serviceB: Number(match[1]), serviceBv2: Number(match[2]) };
}

/** Define the canary stack in `app`. */
export function buildCanaryApp(app: App, weights: CanaryWeights = canaryWeights(app), tls?: CanaryTls): CanaryStack {
  return new CanaryStack(app, 'CanaryMesh', { weights, tls });
}

if (require.main === module) {
  const app = new App();
  buildCanaryApp(app);
  app.synth();
}
