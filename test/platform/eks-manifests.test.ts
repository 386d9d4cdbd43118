import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { parseAllYaml, validateManifest } from './eks-support';
import { parseAgentArgs } from '../../lib-runtime/src/agent/agent-command';
import { parseArgs } from '../../lib-runtime/src/main';
import * as appmesh from '../../src';
import { envoyReadyProbe } from '../../src/platform/ecs/envoy-container';
import { DEFAULT_ENVOY_IMAGE } from '../../src/platform/envoy-image';
import { parseMeshSpec, toCanonicalJson } from '../../src/spec/canonical';

const CP_IMAGE = 'registry.example.com/open-app-mesh/control-plane:1.0.0';
const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const CP_PROPS: appmesh.KubernetesControlPlaneProps = { meshName: 'apps', namespace: 'apps', image: CP_IMAGE, serviceAccountIssuer: ISSUER };
const CONTROL_PLANE = appmesh.KubernetesManifests.controlPlaneEndpoint(CP_PROPS);
const CP_HOST = 'apps-control-plane.apps.svc.cluster.local';
/** EksMesh control-plane options: an image of ours and the cluster's issuer. */
const CP = { image: CP_IMAGE, serviceAccountIssuer: ISSUER };

function nodeWorkload(overrides: Partial<appmesh.KubernetesVirtualNodeWorkloadProps> = {}): any[] {
  return appmesh.KubernetesManifests.virtualNodeWorkload({
    meshName: 'apps',
    virtualNodeName: 'serviceA',
    listenerPorts: [8080],
    serviceHostname: 'servicea.apps.local',
    controlPlane: CONTROL_PLANE,
    namespace: 'apps',
    app: { image: 'registry.example.com/service-a:1', environment: { COLOR: 'blue' } },
    proxyInit: { image: CP_IMAGE },
    ...overrides,
  });
}

function byKind(manifests: any[], kind: string): any {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
}

describe('virtual node workload', () => {
  const manifests = nodeWorkload();
  const deployment = byKind(manifests, 'Deployment');
  const pod = deployment.spec.template.spec;

  test('every object validates against the Kubernetes schema', () => {
    expect(manifests.map((m) => m.kind)).toEqual(['ServiceAccount', 'ConfigMap', 'Deployment', 'Service']);
    manifests.forEach(validateManifest);
  });

  test('proxy init container: App Mesh rules for the listener ports, root with NET_ADMIN only', () => {
    const init = pod.initContainers[0];
    expect(init.name).toBe('proxy-init');
    expect(init.image).toBe(CP_IMAGE);
    expect(init.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(init.command[2]).toContain('-A APPMESH_INGRESS -p tcp -m multiport --dports 8080 -j REDIRECT --to-ports 15000');
    expect(init.command[2]).toContain('-A APPMESH_EGRESS -m owner --uid-owner 1337 -j RETURN');
    expect(init.command[2]).toContain('-A APPMESH_EGRESS -p tcp -d 169.254.169.254 -j RETURN');
    expect(init.command[2]).toContain('--dports 22 -j RETURN');
    expect(init.securityContext).toEqual({
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
    });
  });

  test('Envoy: native sidecar after proxy init and the agent, UID 1337, readiness on /ready from inside (admin on loopback), preStop sleep, bootstrap mounted', () => {
    const envoy = pod.initContainers[2];
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['proxy-init', 'mesh-agent', 'envoy']);
    const probe = { exec: { command: ['bash', '-c', envoyReadyProbe(9901)] } };
    expect(envoy).toMatchObject({
      name: 'envoy',
      image: DEFAULT_ENVOY_IMAGE,
      restartPolicy: 'Always',
      command: ['envoy'],
      args: ['-c', '/etc/envoy-bootstrap/envoy.json', '--log-level', 'info', '--drain-time-s', '20', '--disable-hot-restart'],
      readinessProbe: probe,
      startupProbe: probe,
      lifecycle: { preStop: { exec: { command: ['sleep', '20'] } } },
      securityContext: { runAsUser: 1337, runAsNonRoot: true, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      resources: { requests: { cpu: '10m', memory: '32Mi' } },
    });
    expect(envoy.ports).toBeUndefined();
    expect(envoy.volumeMounts).toContainEqual({ name: 'envoy-bootstrap', mountPath: '/etc/envoy-bootstrap', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'envoy-bootstrap', configMap: { name: 'servicea-envoy-bootstrap' } });
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(20);
  });

  test('application container: image, listener ports, environment', () => {
    expect(pod.containers).toEqual([{
      name: 'app',
      image: 'registry.example.com/service-a:1',
      ports: [{ name: 'app-8080', containerPort: 8080, protocol: 'TCP' }],
      env: [{ name: 'COLOR', value: 'blue' }],
    }]);
  });

  test('bootstrap ConfigMap: the shared EnvoyBootstrap, xDS through the agent\'s socket, SDS from its other socket, admin on 127.0.0.1', () => {
    const configMap = byKind(manifests, 'ConfigMap');
    expect(configMap.metadata.name).toBe('servicea-envoy-bootstrap');
    const bootstrap = JSON.parse(configMap.data['envoy.json']);
    expect(bootstrap).toEqual(appmesh.EnvoyBootstrap.render({
      nodeId: 'mesh/apps/virtualNode/serviceA',
      controlPlaneHost: CP_HOST,
      controlPlanePort: 18000,
      adminPort: 9901,
      adminAddress: '127.0.0.1',
      xdsSocketPath: '/run/open-app-mesh/xds.sock',
      sdsSocketPath: '/run/open-app-mesh/sds.sock',
    }));
    expect(bootstrap.node.id).toBe('mesh/apps/virtualNode/serviceA');
    expect(bootstrap.admin.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 9901 });
    const pipes = bootstrap.static_resources.clusters
      .map((c: any) => [c.name, c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.pipe?.path]);
    expect(pipes).toEqual([['open_app_mesh_xds', '/run/open-app-mesh/xds.sock'], ['static_cluster_sds_unix_socket', '/run/open-app-mesh/sds.sock']]);
  });

  test('mesh agent: the control-plane image, Kubernetes identity with the projected token, the bundle as --ca-bundle, sockets for Envoy, UID 1337', () => {
    const agent = pod.initContainers[1];
    expect(agent).toMatchObject({
      name: 'mesh-agent',
      image: CP_IMAGE,
      restartPolicy: 'Always',
      command: ['node', '/app/lib-runtime/dist/lib-runtime/src/cli.js'],
      securityContext: { runAsUser: 1337, runAsGroup: 1337, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    });
    expect(agent.args[0]).toBe('agent');
    // The agent's own parser accepts what the manifest passes.
    expect(parseAgentArgs(agent.args.slice(1), {})).toEqual({
      nodeId: 'mesh/apps/virtualNode/serviceA',
      identity: { type: 'kubernetes', tokenFile: '/var/run/secrets/open-app-mesh/token' },
      controlPlaneUrl: `https://${CP_HOST}:18002`,
      caBundleFile: '/etc/open-app-mesh/trust-bundle/ca.pem',
      sdsSocket: '/run/open-app-mesh/sds.sock',
      xdsProxy: { listen: 'unix:/run/open-app-mesh/xds.sock', upstream: `${CP_HOST}:18000` },
      healthPort: 15020,
      logLevel: 'info',
    });
    // Ready once it holds a certificate, so Envoy (next in line) starts with one.
    expect(agent.startupProbe.exec.command.slice(0, 2)).toEqual(['node', '-e']);
    expect(agent.startupProbe.exec.command[2]).toContain('port:15020,path:\'/ready\'');
    expect(agent.volumeMounts).toEqual([
      { name: 'mesh-agent-sockets', mountPath: '/run/open-app-mesh' },
      { name: 'mesh-agent-token', mountPath: '/var/run/secrets/open-app-mesh', readOnly: true },
      { name: 'mesh-agent-trust-bundle', mountPath: '/etc/open-app-mesh/trust-bundle', readOnly: true },
    ]);
  });

  test('volumes: a projected token for the control plane\'s audience, short-lived; the trust bundle ConfigMap; sockets Envoy mounts read-only, the app not at all', () => {
    const volume = (name: string) => pod.volumes.find((v: any) => v.name === name);
    expect(volume('mesh-agent-token').projected.sources).toEqual([
      { serviceAccountToken: { audience: CP_HOST, expirationSeconds: 600, path: 'token' } },
    ]);
    expect(volume('mesh-agent-trust-bundle')).toEqual({ name: 'mesh-agent-trust-bundle', configMap: { name: 'apps-control-plane-ca-bundle' } });
    expect(volume('mesh-agent-sockets').emptyDir).toBeDefined();
    expect(pod.initContainers[2].volumeMounts).toContainEqual({ name: 'mesh-agent-sockets', mountPath: '/run/open-app-mesh', readOnly: true });
    expect(pod.initContainers[2].volumeMounts.map((m: any) => m.name)).not.toContain('mesh-agent-token');
    expect(pod.containers[0].volumeMounts).toBeUndefined();
    // The ConfigMap and audience are the ones the control plane publishes and requires.
    const cp = appmesh.KubernetesManifests.controlPlane(CP_PROPS);
    const args: string[] = byKind(cp, 'Deployment').spec.template.spec.containers[0].args;
    expect(args[args.indexOf('--k8s-audience') + 1]).toBe(CP_HOST);
    expect(args[args.indexOf('--ca-bundle-k8s-configmap') + 1]).toBe('apps/apps-control-plane-ca-bundle');
  });

  test('a control plane serving plaintext: no agent, Envoy streams to the control plane itself; admin still on loopback', () => {
    const plain = nodeWorkload({ controlPlane: appmesh.KubernetesManifests.controlPlaneEndpoint({ ...CP_PROPS, insecurePlaintext: true }) });
    plain.forEach(validateManifest);
    const plainPod = byKind(plain, 'Deployment').spec.template.spec;
    expect(plainPod.initContainers.map((c: any) => c.name)).toEqual(['proxy-init', 'envoy']);
    expect(plainPod.volumes.map((v: any) => v.name)).toEqual(['envoy-bootstrap', 'envoy-tmp']);
    const bootstrap = JSON.parse(byKind(plain, 'ConfigMap').data['envoy.json']);
    expect(bootstrap.static_resources.clusters.map((c: any) => c.name)).toEqual(['open_app_mesh_xds']);
    expect(bootstrap.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address)
      .toEqual({ address: CP_HOST, port_value: 18000 });
    expect(bootstrap.admin.address.socket_address.address).toBe('127.0.0.1');
  });

  test('Service: headless, named after the DNS hostname, one port per listener, selecting the pods', () => {
    const service = byKind(manifests, 'Service');
    expect(service.metadata.name).toBe('servicea');
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.ports).toEqual([{ name: 'port-8080', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
    expect(deployment.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
  });

  test('options: ordinary sidecar, cluster-IP Service, own names, IRSA annotation, Envoy settings', () => {
    const custom = nodeWorkload({
      name: 'front',
      serviceName: 'front-svc',
      headlessService: false,
      replicas: 3,
      serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/front' },
      envoy: { nativeSidecar: false, image: 'envoyproxy/envoy:v1.35.0', logLevel: 'debug', drainTime: Duration.seconds(5), memoryLimit: '256Mi' },
      proxyInit: { image: 'registry.example.com/init:1', egressIgnoredPorts: [22, 5432], egressIgnoredAddresses: ['10.0.0.0/8'] },
      listenerPorts: [8080, 8443],
    });
    custom.forEach(validateManifest);
    const spec = byKind(custom, 'Deployment').spec;
    expect(spec.replicas).toBe(3);
    const containers = spec.template.spec.containers;
    expect(containers.map((c: any) => c.name)).toEqual(['mesh-agent', 'envoy', 'app']);
    expect(containers[0].restartPolicy).toBeUndefined();
    containers.shift();
    expect(containers[0].restartPolicy).toBeUndefined();
    expect(containers[0].startupProbe).toBeUndefined();
    expect(containers[0].args).toContain('debug');
    expect(containers[0].lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
    expect(containers[0].resources.limits).toEqual({ memory: '256Mi' });
    expect(containers[1].ports.map((p: any) => p.containerPort)).toEqual([8080, 8443]);
    const script = spec.template.spec.initContainers[0].command[2];
    expect(script).toContain('--dports 8080,8443 -j REDIRECT --to-ports 15000');
    expect(script).toContain('--dports 22,5432 -j RETURN');
    expect(script).toContain('-d 10.0.0.0/8 -j RETURN');
    expect(script).not.toContain('169.254.169.254');
    const service = byKind(custom, 'Service');
    expect(service.metadata.name).toBe('front-svc');
    expect(service.spec.type).toBe('ClusterIP');
    expect(service.spec.clusterIP).toBeUndefined();
    expect(byKind(custom, 'ServiceAccount').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111111111111:role/front' });
  });

  test('a node without listeners has no Service; names fold to Kubernetes rules', () => {
    const client = nodeWorkload({ virtualNodeName: 'Batch_Client', listenerPorts: [], serviceHostname: undefined });
    expect(client.map((m) => m.kind)).toEqual(['ServiceAccount', 'ConfigMap', 'Deployment']);
    expect(byKind(client, 'Deployment').metadata.name).toBe('batch-client');
    expect(byKind(client, 'Deployment').metadata.labels['open-app-mesh/virtual-node']).toBe('Batch_Client');
    client.forEach(validateManifest);
  });

  test('errors name the problem', () => {
    expect(() => nodeWorkload({ proxyInit: {} })).toThrow(/proxyInit.image is required/);
    expect(() => nodeWorkload({ controlPlane: { host: CP_HOST, port: 18000 } })).toThrow(/Virtual node 'serviceA': controlPlane.agentImage is required/);
    expect(() => nodeWorkload({ name: 'Not_Valid' })).toThrow(/not a valid Kubernetes name/);
  });
});

describe('virtual gateway workload', () => {
  test('Envoy binding the listener ports after the agent; load balancer Service; low ports allowed by sysctl', () => {
    const manifests = appmesh.KubernetesManifests.virtualGatewayWorkload({
      meshName: 'apps',
      virtualGatewayName: 'ingress-gw',
      listenerPorts: [443, 8080],
      controlPlane: CONTROL_PLANE,
      namespace: 'apps',
      serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external' },
    });
    manifests.forEach(validateManifest);
    const pod = byKind(manifests, 'Deployment').spec.template.spec;
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['mesh-agent']);
    expect(parseAgentArgs(pod.initContainers[0].args.slice(1), {})).toMatchObject({ nodeId: 'mesh/apps/virtualGateway/ingress-gw' });
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0].ports.map((p: any) => p.containerPort)).toEqual([443, 8080]);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'mesh-agent-sockets', mountPath: '/run/open-app-mesh', readOnly: true });
    expect(pod.containers[0].securityContext.runAsUser).toBe(1337);
    expect(pod.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }]);
    const bootstrap = JSON.parse(byKind(manifests, 'ConfigMap').data['envoy.json']);
    expect(bootstrap.node.id).toBe('mesh/apps/virtualGateway/ingress-gw');
    const service = byKind(manifests, 'Service');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.ports.map((p: any) => p.port)).toEqual([443, 8080]);
    expect(service.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-type': 'external' });
  });
});

describe('control plane', () => {
  const props = CP_PROPS;
  const manifests = appmesh.KubernetesManifests.controlPlane(props);

  test('every object validates against the Kubernetes schema', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'ServiceAccount/apps-control-plane', 'Role/apps-control-plane', 'RoleBinding/apps-control-plane',
      'Secret/apps-control-plane-ca', 'ConfigMap/apps-control-plane-ca-bundle',
      'Service/apps-control-plane', 'Deployment/apps-control-plane', 'PodDisruptionBudget/apps-control-plane',
    ]);
    manifests.forEach(validateManifest);
  });

  test('2 replicas spread over zones and nodes, non-root, probes on /healthz and /readyz inside the pod (admin on loopback)', () => {
    const deployment = byKind(manifests, 'Deployment');
    expect(deployment.metadata.name).toBe('apps-control-plane');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const pod = deployment.spec.template.spec;
    expect(pod.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' });
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const container = pod.containers[0];
    const probePath = (probe: any) => {
      expect(probe.exec.command.slice(0, 2)).toEqual(['node', '-e']);
      return /host:'127\.0\.0\.1',port:18001,path:'([^']+)'/.exec(probe.exec.command[2])?.[1];
    };
    expect(probePath(container.livenessProbe)).toBe('/healthz');
    expect(probePath(container.startupProbe)).toBe('/healthz');
    expect(probePath(container.readinessProbe)).toBe('/readyz');
    expect(JSON.stringify(manifests)).not.toContain('httpGet');
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
  });

  test('--spec is the mounted ConfigMap file (whole directory, so updates arrive), --endpoints dns; TLS with the CA in the Secret, admin on loopback', () => {
    const pod = byKind(manifests, 'Deployment').spec.template.spec;
    const args: string[] = pod.containers[0].args;
    expect(args).toEqual(['--spec', '/etc/open-app-mesh/spec/apps.mesh.json', '--endpoints', 'dns',
      '--xds-port', '18000', '--admin-port', '18001', '--admin-bind', '127.0.0.1', '--log-level', 'info',
      '--tls-names', CP_HOST,
      '--ca-k8s-secret', 'apps/apps-control-plane-ca', '--ca-bundle-k8s-configmap', 'apps/apps-control-plane-ca-bundle',
      '--exchange-port', '18002', '--k8s-issuer', ISSUER, '--k8s-audience', CP_HOST]);
    expect(args).not.toContain('--insecure-plaintext');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'spec', mountPath: '/etc/open-app-mesh/spec', readOnly: true }]);
    expect(pod.volumes).toEqual([{ name: 'spec', configMap: { name: 'apps-control-plane-spec' } }]);
  });

  test('the runtime CLI accepts the arguments (spec file, discovery, xDS 18000, admin 18001, extras)', () => {
    const pod = byKind(manifests, 'Deployment').spec.template.spec;
    const options = parseArgs(pod.containers[0].args);
    expect(options).toMatchObject({
      spec: '/etc/open-app-mesh/spec/apps.mesh.json',
      endpoints: ['dns'],
      xdsPort: 18000,
      adminPort: 18001,
      adminBind: '127.0.0.1',
      exchangePort: 18002,
      trust: {
        tlsNames: [CP_HOST],
        caK8sSecret: 'apps/apps-control-plane-ca',
        caBundleK8sConfigMap: 'apps/apps-control-plane-ca-bundle',
        k8sIssuer: ISSUER,
        k8sAudience: CP_HOST,
      },
    });
    const withExtras = appmesh.KubernetesManifests.controlPlane({ ...props, endpointSources: ['dns', 'cloudmap'], extraArgs: ['--poll-interval', '2000'], logLevel: 'debug' });
    expect(parseArgs(byKind(withExtras, 'Deployment').spec.template.spec.containers[0].args))
      .toMatchObject({ endpoints: ['dns', 'cloudmap'], pollIntervalMs: 2000, logLevel: 'debug' });
  });

  test('headless Service with the xDS and exchange ports (admin is not exposed); PodDisruptionBudget; endpoint proxies use', () => {
    const service = byKind(manifests, 'Service');
    expect(service.spec.clusterIP).toBe('None');
    expect(service.spec.ports.map((p: any) => [p.name, p.port, p.targetPort])).toEqual([['grpc-xds', 18000, 'xds'], ['https-exchange', 18002, 'exchange']]);
    expect(byKind(manifests, 'Deployment').spec.template.spec.containers[0].ports.map((p: any) => [p.name, p.containerPort]))
      .toEqual([['xds', 18000], ['exchange', 18002]]);
    expect(byKind(manifests, 'PodDisruptionBudget').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: service.spec.selector } });
    expect(appmesh.KubernetesManifests.controlPlaneEndpoint(props)).toEqual({
      host: CP_HOST, port: 18000, agentImage: CP_IMAGE, exchangePort: 18002, tokenAudience: CP_HOST, trustBundleConfigMap: 'apps-control-plane-ca-bundle',
    });
    expect(appmesh.KubernetesManifests.controlPlaneEndpoint({ ...props, tokenAudience: 'mesh-apps' }).tokenAudience).toBe('mesh-apps');
    expect(appmesh.KubernetesManifests.controlPlaneEndpoint({ ...props, clusterDomain: 'corp.internal' }).host)
      .toBe('apps-control-plane.apps.svc.corp.internal');
  });

  test('spec ConfigMap holds the canonical document under the file name --spec reads', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'apps' });
    mesh.addVirtualNode('n', { virtualNodeName: 'n', serviceDiscovery: appmesh.ServiceDiscovery.dns('n.apps.local'), listeners: [appmesh.VirtualNodeListener.http({ port: 80 })] });
    const document = appmesh.MeshSpecs.forMesh(mesh);
    const configMap = appmesh.KubernetesManifests.meshSpecConfigMap(props, document);
    validateManifest(configMap);
    expect(configMap.metadata).toMatchObject({ name: 'apps-control-plane-spec', namespace: 'apps' });
    expect(configMap.data['apps.mesh.json']).toBe(toCanonicalJson(document));
    expect(parseMeshSpec(configMap.data['apps.mesh.json'])).toEqual(document);
    expect(() => appmesh.KubernetesManifests.meshSpecConfigMap({ ...props, meshName: 'other' }, document)).toThrow(/document is for mesh 'apps'/);
  });

  test('RBAC: get and update on the CA Secret and the bundle ConfigMap by name, nothing else; both created empty here', () => {
    expect(byKind(manifests, 'Role').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['apps-control-plane-ca'], verbs: ['get', 'update'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['apps-control-plane-ca-bundle'], verbs: ['get', 'update'] },
    ]);
    expect(byKind(manifests, 'RoleBinding')).toMatchObject({
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'apps-control-plane' },
      subjects: [{ kind: 'ServiceAccount', name: 'apps-control-plane', namespace: 'apps' }],
    });
    expect(byKind(manifests, 'Deployment').spec.template.spec.serviceAccountName).toBe('apps-control-plane');
    const secret = byKind(manifests, 'Secret');
    expect(secret).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: expect.objectContaining({ name: 'apps-control-plane-ca', namespace: 'apps' }), type: 'Opaque' });
    expect(manifests.find((m) => m.metadata.name === 'apps-control-plane-ca-bundle').data).toBeUndefined();
  });

  test('plaintext only when asked for: no trust objects, no exchange port, admin still on loopback', () => {
    const plain = appmesh.KubernetesManifests.controlPlane({ meshName: 'apps', namespace: 'apps', image: CP_IMAGE, insecurePlaintext: true });
    plain.forEach(validateManifest);
    expect(plain.map((m) => m.kind)).toEqual(['ServiceAccount', 'Service', 'Deployment', 'PodDisruptionBudget']);
    const args: string[] = byKind(plain, 'Deployment').spec.template.spec.containers[0].args;
    expect(args).toEqual(expect.arrayContaining(['--insecure-plaintext', '--admin-bind', '127.0.0.1']));
    expect(parseArgs(args)).toMatchObject({ adminBind: '127.0.0.1', xdsBind: '0.0.0.0' });
    expect(byKind(plain, 'Service').spec.ports.map((p: any) => p.port)).toEqual([18000]);
    expect(appmesh.KubernetesManifests.controlPlaneEndpoint({ meshName: 'apps', namespace: 'apps', insecurePlaintext: true }))
      .toEqual({ host: CP_HOST, port: 18000, insecurePlaintext: true });
  });

  test('an image is required, root is refused, TLS needs the issuer', () => {
    expect(() => appmesh.KubernetesManifests.controlPlane({ meshName: 'apps', image: CP_IMAGE }))
      .toThrow(/needs serviceAccountIssuer .* or insecurePlaintext: true/);
    expect(() => appmesh.KubernetesManifests.controlPlane({ meshName: 'apps', serviceAccountIssuer: ISSUER })).toThrow(/needs an image/);
    expect(() => appmesh.KubernetesManifests.controlPlane({ ...props, runAsUser: 0 })).toThrow(/must not run as root/);
  });
});

/** A mesh with two nodes on EKS, for the construct tests. */
function smallMesh(stack: Stack) {
  const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'shop' });
  const listeners = [appmesh.VirtualNodeListener.http({ port: 8080 })];
  const web = mesh.addVirtualNode('web', { virtualNodeName: 'web', serviceDiscovery: appmesh.ServiceDiscovery.dns('web.shop.svc.cluster.local'), listeners });
  const api = mesh.addVirtualNode('api', { virtualNodeName: 'api', serviceDiscovery: appmesh.ServiceDiscovery.dns('api.shop.svc.cluster.local'), listeners });
  return { mesh, web, api };
}

describe('EksMesh', () => {
  test('adds namespace, control plane, spec and one manifest per workload to an aws-eks cluster', () => {
    const app = new App();
    const stack = new Stack(app, 'Shop', { env: { account: '111111111111', region: 'eu-west-1' } });
    const cluster = new eks.Cluster(stack, 'Cluster', {
      version: eks.KubernetesVersion.V1_33,
      defaultCapacity: 0,
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', 'arn:aws:lambda:eu-west-1:111111111111:layer:kubectl:1'),
    });
    const { mesh, web, api } = smallMesh(stack);
    // No issuer given: the cluster's own.
    const eksMesh = new appmesh.EksMesh(stack, 'Eks', { mesh, cluster, controlPlane: { image: CP_IMAGE } });
    eksMesh.addVirtualNode(web, { app: { image: 'registry.example.com/web:1' } });
    eksMesh.addVirtualNode(api, { app: { image: 'registry.example.com/api:1' } });

    const template = Template.fromStack(stack);
    const resources = template.findResources('Custom::AWSCDK-EKS-KubernetesResource');
    const byId = (fragment: string) => {
      const ids = Object.keys(resources).filter((id) => id.includes(fragment));
      expect(ids).toHaveLength(1);
      return resources[ids[0]];
    };
    expect(Object.keys(resources)).toHaveLength(5);
    // A manifest holding a deploy-time value (the control plane's: the cluster's issuer) resolves to an Fn::Join.
    const issuers: unknown[] = [];
    const manifestOf = (resource: any): any[] => {
      const resolved = stack.resolve(resource.Properties.Manifest);
      if (typeof resolved === 'string') return JSON.parse(resolved);
      const parts: unknown[] = resolved['Fn::Join'][1];
      return JSON.parse(parts.map((part) => typeof part === 'string' ? part : (issuers.push(part), 'https://issuer.invalid')).join(''));
    };
    const namespace = byId('openappmeshshopnamespace');
    expect(manifestOf(namespace).map((m) => m.kind)).toEqual(['Namespace']);
    const spec = manifestOf(byId('openappmeshshopspec'));
    expect(spec.map((m) => m.kind)).toEqual(['ConfigMap']);
    expect(parseMeshSpec(spec[0].data['shop.mesh.json']).virtualNodes.map((n) => n.virtualNodeName)).toEqual(['api', 'web']);
    const web1 = manifestOf(byId('openappmeshshopworkloadweb'));
    expect(web1.map((m) => m.kind)).toEqual(['ServiceAccount', 'ConfigMap', 'Deployment', 'Service']);
    // The control plane checks tokens against the cluster's own OIDC issuer.
    const controlPlane = manifestOf(byId('openappmeshshopcontrolplane'));
    const args: string[] = controlPlane.find((m) => m.kind === 'Deployment').spec.template.spec.containers[0].args;
    expect(args[args.indexOf('--k8s-issuer') + 1]).toBe('https://issuer.invalid');
    expect(issuers).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^Cluster/), 'OpenIdConnectIssuerUrl'] }]);
    // Each node is granted to its workload's ServiceAccount, the subject of its agent's token.
    expect(parseMeshSpec(spec[0].data['shop.mesh.json']).proxyAccess).toEqual([
      { nodeId: 'mesh/shop/virtualNode/api', principals: ['system:serviceaccount:shop:api'] },
      { nodeId: 'mesh/shop/virtualNode/web', principals: ['system:serviceaccount:shop:web'] },
    ]);
    for (const resource of [byId('openappmeshshopcontrolplane'), byId('openappmeshshopspec'), byId('openappmeshshopworkloadweb'), byId('openappmeshshopworkloadapi')]) {
      manifestOf(resource).forEach((m) => validateManifest(m));
      expect(resource.DependsOn).toEqual(expect.arrayContaining([Object.keys(resources).find((id) => id.includes('openappmeshshopnamespace'))]));
    }
  });

  test('without a cluster, writes <mesh>.k8s.yaml into the cloud assembly', () => {
    const app = new App();
    const stack = new Stack(app, 'Shop');
    const { mesh, web } = smallMesh(stack);
    const eksMesh = new appmesh.EksMesh(stack, 'Eks', { mesh, controlPlane: CP });
    eksMesh.addVirtualNode(web, { app: { image: 'registry.example.com/web:1' } });
    const assembly = app.synth();
    const text = fs.readFileSync(path.join(assembly.directory, 'shop.k8s.yaml'), 'utf8');
    expect(text).toBe(eksMesh.toYaml());
    expect(parseAllYaml(text)).toEqual(eksMesh.renderManifests());
  });

  test('outside any stack (YAML only), the file is written too', () => {
    const app = new App();
    const mesh = new appmesh.Mesh(new Stack(app, 'MeshStack'), 'Mesh', { meshName: 'shop' });
    const eksMesh = new appmesh.EksMesh(app, 'Eks', { mesh, controlPlane: CP });
    const assembly = app.synth();
    expect(fs.readFileSync(path.join(assembly.directory, 'shop.k8s.yaml'), 'utf8')).toBe(eksMesh.toYaml());
  });

  test('the bundled runtime image (asset of lib-runtime/Dockerfile) is the default control-plane and init image', () => {
    const app = new App();
    const stack = new Stack(app, 'Shop');
    const { mesh, web } = smallMesh(stack);
    const eksMesh = new appmesh.EksMesh(stack, 'Eks', { mesh, controlPlane: { serviceAccountIssuer: ISSUER } });
    eksMesh.addVirtualNode(web, { app: { image: 'registry.example.com/web:1' } });
    expect(stack.resolve(eksMesh.controlPlaneImage)).toEqual({ 'Fn::Sub': expect.stringContaining('container-assets') });
    const deployment = eksMesh.renderManifests().find((m) => m.kind === 'Deployment' && m.metadata.name === 'web');
    expect(deployment.spec.template.spec.initContainers[0].image).toBe(eksMesh.controlPlaneImage);
    const assembly = app.synth();
    expect(fs.readFileSync(path.join(assembly.directory, 'shop.k8s.yaml'), 'utf8')).toContain('Fn::Sub');
    expect(() => eksMesh.toYaml()).toThrow(/deploy-time values/);
    const warnings = assembly.getStackArtifact(stack.artifactId).messages.filter((m) => m.level === 'warning').map((m) => String(m.entry.data));
    expect(warnings.some((w) => w.includes('shop.k8s.yaml holds CloudFormation expressions'))).toBe(true);
  });

  test('virtual gateways: listener ports from the construct, Envoy settings merged with the mesh-wide ones', () => {
    const stack = new Stack(new App(), 'Shop');
    const { mesh } = smallMesh(stack);
    const gateway = mesh.addVirtualGateway('gw', {
      virtualGatewayName: 'edge',
      listeners: [appmesh.VirtualGatewayListener.http({ port: 8080 }), appmesh.VirtualGatewayListener.http2({ port: 8443 })],
    });
    const eksMesh = new appmesh.EksMesh(stack, 'Eks', {
      mesh,
      controlPlane: CP,
      envoy: { logLevel: 'warn', environment: { A: '1', B: '1' } },
    });
    eksMesh.addVirtualGateway(gateway, { serviceType: appmesh.KubernetesServiceType.NODE_PORT, envoy: { environment: { B: '2' } } });
    const manifests = eksMesh.renderManifests().filter((m) => m.metadata.labels?.['open-app-mesh/virtual-gateway'] === 'edge');
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual(['ServiceAccount/edge', 'ConfigMap/edge-envoy-bootstrap', 'Deployment/edge', 'Service/edge']);
    manifests.forEach(validateManifest);
    const envoy = byKind(manifests, 'Deployment').spec.template.spec.containers[0];
    expect(envoy.args).toContain('warn');
    expect(envoy.env).toEqual([{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    expect(byKind(manifests, 'Service').spec).toMatchObject({ type: 'NodePort', ports: [{ port: 8080 }, { port: 8443 }] });
    const agent = byKind(manifests, 'Deployment').spec.template.spec.initContainers[0];
    expect(parseAgentArgs(agent.args.slice(1), {})).toMatchObject({
      controlPlaneUrl: 'https://shop-control-plane.shop.svc.cluster.local:18002',
      xdsProxy: { upstream: 'shop-control-plane.shop.svc.cluster.local:18000' },
    });
  });

  test('two workloads folding to the same Kubernetes name are refused', () => {
    const stack = new Stack(new App(), 'Shop');
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'shop' });
    const a = mesh.addVirtualNode('a', { virtualNodeName: 'serviceB' });
    const b = mesh.addVirtualNode('b', { virtualNodeName: 'service_b' });
    const c = mesh.addVirtualNode('c', { virtualNodeName: 'serviceb' });
    const eksMesh = new appmesh.EksMesh(stack, 'Eks', { mesh, controlPlane: CP });
    eksMesh.addVirtualNode(a, { app: { image: 'x' } });
    eksMesh.addVirtualNode(b, { app: { image: 'x' } }); // 'service-b'
    expect(() => eksMesh.addVirtualNode(c, { app: { image: 'x' } }))
      .toThrow(/virtual node 'serviceb' and virtual node 'serviceB' both produce ServiceAccount\/serviceb/);
    eksMesh.addVirtualNode(c, { app: { image: 'x' }, name: 'serviceb-lower' });
    // Nor may a workload take the control plane's names.
    const d = mesh.addVirtualNode('d', { virtualNodeName: 'shop-control-plane' });
    expect(() => eksMesh.addVirtualNode(d, { app: { image: 'x' } }))
      .toThrow(/virtual node 'shop-control-plane' and the control plane both produce ServiceAccount\/shop-control-plane/);
  });

  test('TLS needs the cluster\'s issuer: given, or from an eks.Cluster; else an error naming the ways out; plaintext warns', () => {
    const stack = new Stack(new App(), 'Shop');
    const { mesh } = smallMesh(stack);
    const imported = eks.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'prod' });
    expect(() => new appmesh.EksMesh(stack, 'Eks', { mesh, cluster: imported, controlPlane: { image: CP_IMAGE } }))
      .toThrow(/set controlPlane.serviceAccountIssuer .*pass an eks.Cluster defined in this app as cluster, or set controlPlane.insecurePlaintext/);
    const secure = new appmesh.EksMesh(stack, 'Secure', { mesh, controlPlane: CP, namespace: 'secure' });
    Annotations.fromStack(stack).hasNoWarning(`/${secure.node.path}`, Match.stringLikeRegexp('eksPlaintextXds'));

    const plain = new appmesh.EksMesh(stack, 'Plain', { mesh, controlPlane: { image: CP_IMAGE, insecurePlaintext: true }, namespace: 'plain' });
    Annotations.fromStack(stack).hasWarning(`/${plain.node.path}`,
      Match.stringLikeRegexp('controlPlane.insecurePlaintext: the control plane serves xDS without TLS.*open-app-mesh:eksPlaintextXds'));
    const objects = plain.renderManifests();
    expect(objects.map((m) => m.kind)).not.toContain('Secret');
    expect(objects.find((m) => m.kind === 'Deployment').spec.template.spec.containers[0].args).toContain('--insecure-plaintext');
  });

  test('with a cluster, a spec too large for kubectl apply fails synth with the size and the way out', () => {
    const app = new App();
    const stack = new Stack(app, 'Big');
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'big' });
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
      clusterName: 'prod',
      kubectlRoleArn: 'arn:aws:iam::111111111111:role/kubectl',
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', 'arn:aws:lambda:eu-west-1:111111111111:layer:kubectl:1'),
    });
    new appmesh.EksMesh(stack, 'Eks', { mesh, cluster, controlPlane: CP });
    for (let i = 0; i < 400; i++) {
      mesh.addVirtualNode(`n${i}`, {
        virtualNodeName: `node-${i}-with-a-rather-long-name-for-its-service`,
        serviceDiscovery: appmesh.ServiceDiscovery.dns(`node-${i}-with-a-rather-long-name-for-its-service.big.svc.cluster.local`),
        listeners: [appmesh.VirtualNodeListener.http({ port: 8080, healthCheck: appmesh.HealthCheck.http({ path: '/health' }) })],
        accessLog: appmesh.AccessLog.fromFilePath('/dev/stdout'),
      });
    }
    expect(Buffer.byteLength(toCanonicalJson(appmesh.MeshSpecs.forMesh(mesh)))).toBeGreaterThan(240 * 1024);
    expect(() => app.synth()).toThrow(/the spec of mesh 'big' is \d+ bytes; kubectl apply through aws-eks takes at most 245760/);
  });

  test('a listener added after addVirtualNode fails synth; nodes of other meshes and imported nodes are refused', () => {
    const app = new App();
    const stack = new Stack(app, 'Shop');
    const { mesh, web } = smallMesh(stack);
    const eksMesh = new appmesh.EksMesh(stack, 'Eks', { mesh, controlPlane: CP });
    eksMesh.addVirtualNode(web, { app: { image: 'x' } });
    web.addListener(appmesh.VirtualNodeListener.http({ port: 9090 }));
    expect(() => app.synth()).toThrow(/virtual node 'web' changed .* after it was added to the EksMesh/);

    const other = new appmesh.Mesh(stack, 'Other', { meshName: 'other' });
    const stranger = other.addVirtualNode('s', { virtualNodeName: 's' });
    expect(() => eksMesh.addVirtualNode(stranger, { app: { image: 'x' } })).toThrow(/belongs to mesh 'other', not 'shop'/);
    const imported = appmesh.VirtualNode.fromVirtualNodeAttributes(stack, 'Imported', { mesh, virtualNodeName: 'legacy' });
    expect(() => eksMesh.addVirtualNode(imported, { app: { image: 'x' } })).toThrow(/not defined in this app/);
  });
});
