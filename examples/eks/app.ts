// The canary mesh of examples/canary on Amazon EKS: the same constructs, plus an EksMesh
// that runs the control plane and one Deployment per virtual node (application, Envoy
// sidecar, mesh agent, iptables init container), with mutual TLS on xDS.
//
// Run: npx ts-node examples/eks/app.ts
//   → cdk.out/apps.k8s.yaml, ready for `kubectl apply -f` (namespace `apps`).
// Attach to an existing cluster instead (cluster manifests via the kubectl provider):
//   cdk synth -c eksClusterName=<name> -c kubectlRoleArn=<role arn> -c kubectlLayerArn=<layer arn> ...
// (aws-eks needs a kubectl Lambda layer; @aws-cdk/lambda-layer-kubectl-vXX provides one, or
// pass the ARN of a layer you published.)
//
// Images: `controlPlaneImage` (build lib-runtime/Dockerfile and push it; it also runs the
// proxy init container, so it has iptables) and `appImagePrefix` (your images of service A
// and B, listening on 8080 with /ping). The defaults point at registry.example.com.
//
// Identity: each pod's agent proves its ServiceAccount with a projected token, which the control
// plane checks against the cluster's OIDC issuer: pass it as `-c oidcIssuer=<url>`
// (aws eks describe-cluster --name <name> --query cluster.identity.oidc.issuer); the default is
// a placeholder.
//
// DNS: the canary mesh names its services `*.apps.local`. The Services here are `servicea`,
// `serviceb` and `servicebv2` in namespace `apps`; make the names resolve with a CoreDNS
// rewrite in the `coredns` ConfigMap:
//   rewrite name suffix .apps.local .apps.svc.cluster.local answer auto
// (or give the virtual nodes `*.apps.svc.cluster.local` hostnames in your own mesh).
import { App } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as appmesh from '../../src';
import { buildCanaryApp, CanaryStack, CanaryWeights, canaryWeights } from '../canary/app';

/** An existing EKS cluster to apply the objects to. */
export interface ExistingCluster {
  readonly clusterName: string;
  readonly kubectlRoleArn: string;
  readonly kubectlLayerArn: string;
}

/** What varies between deployments of the example. */
export interface EksCanaryOptions {
  readonly weights?: CanaryWeights;
  readonly controlPlaneImage?: string;
  readonly oidcIssuer?: string;
  readonly appImagePrefix?: string;
  readonly cluster?: ExistingCluster;
}

/** The canary stack with its mesh on EKS. */
export interface EksCanary {
  readonly stack: CanaryStack;
  readonly eksMesh: appmesh.EksMesh;
}

/** Options from context values (see the header), for `cdk synth -c ...`. */
export function eksCanaryOptions(app: App): EksCanaryOptions {
  const context = (key: string): string | undefined => app.node.tryGetContext(key);
  const clusterName = context('eksClusterName');
  const kubectlRoleArn = context('kubectlRoleArn');
  const kubectlLayerArn = context('kubectlLayerArn');
  if (clusterName !== undefined && (kubectlRoleArn === undefined || kubectlLayerArn === undefined)) {
    throw new Error('eksClusterName needs kubectlRoleArn and kubectlLayerArn as well');
  }
  return {
    weights: canaryWeights(app),
    controlPlaneImage: context('controlPlaneImage'),
    oidcIssuer: context('oidcIssuer'),
    appImagePrefix: context('appImagePrefix'),
    cluster: clusterName !== undefined ? { clusterName, kubectlRoleArn: kubectlRoleArn!, kubectlLayerArn: kubectlLayerArn! } : undefined,
  };
}

/** Define the canary stack and run its mesh on EKS. */
export function buildEksCanaryApp(app: App, options: EksCanaryOptions = eksCanaryOptions(app)): EksCanary {
  const stack = buildCanaryApp(app, options.weights ?? { serviceB: 75, serviceBv2: 25 });
  const cluster = options.cluster && eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
    clusterName: options.cluster.clusterName,
    kubectlRoleArn: options.cluster.kubectlRoleArn,
    kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', options.cluster.kubectlLayerArn),
  });

  const eksMesh = new appmesh.EksMesh(stack, 'Eks', {
    mesh: stack.mesh,
    cluster,
    // The file is written in both modes: it shows what the cluster receives.
    writeYaml: true,
    controlPlane: {
      image: options.controlPlaneImage ?? 'registry.example.com/open-app-mesh/control-plane:0.0.0',
      // The canary nodes use DNS service discovery: the control plane resolves their
      // hostnames (headless Services list every ready pod).
      endpointSources: ['dns'],
      serviceAccountIssuer: options.oidcIssuer ?? 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE',
    },
  });

  const prefix = options.appImagePrefix ?? 'registry.example.com/canary';
  const node = (name: string) => stack.mesh.node.findChild(name) as appmesh.VirtualNode;
  eksMesh.addVirtualNode(node('serviceA'), {
    app: { image: `${prefix}/service-a:1.0`, environment: { SERVICE_B_URL: 'http://serviceb.apps.local:8080' } },
  });
  eksMesh.addVirtualNode(node('serviceB'), { app: { image: `${prefix}/service-b:1.0` } });
  eksMesh.addVirtualNode(node('serviceBv2'), { app: { image: `${prefix}/service-b:2.0` } });
  return { stack, eksMesh };
}

if (require.main === module) {
  // Under `cdk synth` the CLI sets CDK_OUTDIR; run directly, write to ./cdk.out (not a temporary directory).
  const app = new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out' });
  const { eksMesh } = buildEksCanaryApp(app);
  app.synth();
  process.stdout.write(`wrote ${app.outdir}/${eksMesh.yamlFileName}\n`);
}
