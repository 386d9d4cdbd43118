import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { parseAllYaml, validateManifest } from './eks-support';
import { buildEksCanaryApp, eksCanaryOptions } from '../../examples/eks/app';

/** The canary example's objects for given route weights. */
function canaryManifests(weights: { serviceB: number; serviceBv2: number }): any[] {
  const { eksMesh } = buildEksCanaryApp(new App(), { weights });
  return eksMesh.renderManifests();
}

const key = (m: any) => `${m.kind}/${m.metadata.name}`;

describe('examples/eks: the canary mesh on EKS', () => {
  test('the YAML the app writes into the cloud assembly (snapshot); every object validates', () => {
    const app = new App();
    const { eksMesh } = buildEksCanaryApp(app, { weights: { serviceB: 75, serviceBv2: 25 } });
    const assembly = app.synth();
    const yaml = fs.readFileSync(path.join(assembly.directory, eksMesh.yamlFileName), 'utf8');
    expect(yaml).toMatchSnapshot();

    const objects = parseAllYaml(yaml);
    objects.forEach(validateManifest);
    expect(objects.map(key)).toEqual([
      'Namespace/apps',
      'ServiceAccount/apps-control-plane', 'Role/apps-control-plane', 'RoleBinding/apps-control-plane',
      'Secret/apps-control-plane-ca', 'ConfigMap/apps-control-plane-ca-bundle',
      'Service/apps-control-plane', 'Deployment/apps-control-plane', 'PodDisruptionBudget/apps-control-plane',
      'ConfigMap/apps-control-plane-spec',
      'ServiceAccount/servicea', 'ConfigMap/servicea-envoy-bootstrap', 'Deployment/servicea', 'Service/servicea',
      'ServiceAccount/serviceb', 'ConfigMap/serviceb-envoy-bootstrap', 'Deployment/serviceb', 'Service/serviceb',
      'ServiceAccount/servicebv2', 'ConfigMap/servicebv2-envoy-bootstrap', 'Deployment/servicebv2', 'Service/servicebv2',
    ]);
    // The spec in the ConfigMap is the one the app writes for the control plane.
    const specConfigMap = objects.find((o) => key(o) === 'ConfigMap/apps-control-plane-spec');
    expect(specConfigMap.data['apps.mesh.json']).toBe(fs.readFileSync(path.join(assembly.directory, 'apps.mesh.json'), 'utf8'));
  });

  test('mutual TLS by default: no plaintext warning, the issuer from context, every pod with the agent, each node granted to its ServiceAccount', () => {
    const app = new App({ context: { oidcIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' } });
    const { eksMesh } = buildEksCanaryApp(app);
    Annotations.fromStack(Stack.of(eksMesh)).hasNoWarning(`/${eksMesh.node.path}`, Match.stringLikeRegexp('eksPlaintextXds'));
    const objects = eksMesh.renderManifests();
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    const args: string[] = deployments.find((d) => d.metadata.name === 'apps-control-plane').spec.template.spec.containers[0].args;
    expect(args).not.toContain('--insecure-plaintext');
    expect(args[args.indexOf('--k8s-issuer') + 1]).toBe('https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF');
    for (const workload of deployments.filter((d) => d.metadata.name !== 'apps-control-plane')) {
      expect(workload.spec.template.spec.initContainers.map((c: any) => c.name)).toEqual(['proxy-init', 'mesh-agent', 'envoy']);
    }
    const spec = JSON.parse(objects.find((o) => key(o) === 'ConfigMap/apps-control-plane-spec').data['apps.mesh.json']);
    expect(spec.proxyAccess.map((g: any) => [g.nodeId, g.principals])).toEqual([
      ['mesh/apps/virtualNode/serviceA', ['system:serviceaccount:apps:servicea']],
      ['mesh/apps/virtualNode/serviceB', ['system:serviceaccount:apps:serviceb']],
      ['mesh/apps/virtualNode/serviceBv2', ['system:serviceaccount:apps:servicebv2']],
    ]);
  });

  test('a route weight change changes only the spec ConfigMap', () => {
    const before = canaryManifests({ serviceB: 75, serviceBv2: 25 });
    const after = canaryManifests({ serviceB: 0, serviceBv2: 100 });
    expect(after.map(key)).toEqual(before.map(key));
    const changed = before.filter((m, i) => JSON.stringify(m) !== JSON.stringify(after[i])).map(key);
    expect(changed).toEqual(['ConfigMap/apps-control-plane-spec']);
    const weights = (m: any) => JSON.parse(m.data['apps.mesh.json']).routes[0].spec.httpRoute.action.weightedTargets.map((t: any) => t.weight);
    expect(weights(before.find((m) => key(m) === 'ConfigMap/apps-control-plane-spec'))).toEqual([75, 25]);
    expect(weights(after.find((m) => key(m) === 'ConfigMap/apps-control-plane-spec'))).toEqual([0, 100]);
  });

  test('attached to an existing cluster: a weight change updates only the spec manifest resource', () => {
    const cluster = {
      clusterName: 'prod',
      kubectlRoleArn: 'arn:aws:iam::111111111111:role/kubectl',
      kubectlLayerArn: 'arn:aws:lambda:eu-west-1:111111111111:layer:kubectl:3',
    };
    const template = (weights: { serviceB: number; serviceBv2: number }) => {
      const { stack } = buildEksCanaryApp(new App(), { weights, cluster });
      return Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-KubernetesResource');
    };
    const before = template({ serviceB: 75, serviceBv2: 25 });
    const after = template({ serviceB: 0, serviceBv2: 100 });
    expect(Object.keys(before)).toHaveLength(6); // namespace, control plane, spec, 3 workloads
    expect(Object.keys(after)).toEqual(Object.keys(before));
    const changed = Object.keys(before).filter((id) => JSON.stringify(before[id]) !== JSON.stringify(after[id]));
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatch(/openappmeshappsspec/);
    expect(before[changed[0]].Properties.ClusterName).toBe('prod');
  });

  test('context: a cluster needs all three values', () => {
    const app = new App({ context: { eksClusterName: 'prod', kubectlRoleArn: 'arn:aws:iam::111111111111:role/kubectl' } });
    expect(() => eksCanaryOptions(app)).toThrow(/needs kubectlRoleArn and kubectlLayerArn/);
    const full = new App({
      context: {
        eksClusterName: 'prod', kubectlRoleArn: 'r', kubectlLayerArn: 'l', canaryWeights: '10/90', controlPlaneImage: 'cp:1', oidcIssuer: 'https://issuer.example',
      },
    });
    expect(eksCanaryOptions(full)).toMatchObject({
      cluster: { clusterName: 'prod', kubectlRoleArn: 'r', kubectlLayerArn: 'l' },
      weights: { serviceB: 10, serviceBv2: 90 },
      controlPlaneImage: 'cp:1',
      oidcIssuer: 'https://issuer.example',
    });
  });
});
