import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { parseAllYaml, validateManifest } from './eks-support';
import { envoyBootstrapProblems } from './envoy-json-check';
import * as appmesh from '../../src';

const CP_IMAGE = 'registry.example.com/open-app-mesh/control-plane:1.0.0';
const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const OTEL_COLLECTOR = 'otel-collector.observability.svc.cluster.local';

/** The Envoy bootstrap a workload's pods mount, parsed from its ConfigMap. */
function bootstrapOf(manifests: any[], workload: string): any {
  const configMaps = manifests.filter((m) => m.kind === 'ConfigMap' && m.metadata.name === `${workload}-envoy-bootstrap`);
  expect(configMaps).toHaveLength(1);
  return JSON.parse(configMaps[0].data['envoy.json']);
}

function clusterNames(bootstrap: any): string[] {
  return bootstrap.static_resources.clusters.map((c: any) => c.name);
}

describe('tracing and stats options of an EksMesh, in the YAML written into the cloud assembly', () => {
  let manifests: any[];

  beforeAll(() => {
    const app = new App();
    const stack = new Stack(app, 'Shop');
    const mesh = new appmesh.Mesh(stack, 'Mesh', { meshName: 'shop' });
    const listeners = [appmesh.VirtualNodeListener.http({ port: 8080 })];
    const web = mesh.addVirtualNode('web', { virtualNodeName: 'web', serviceDiscovery: appmesh.ServiceDiscovery.dns('web.shop.svc.cluster.local'), listeners });
    const api = mesh.addVirtualNode('api', { virtualNodeName: 'api', serviceDiscovery: appmesh.ServiceDiscovery.dns('api.shop.svc.cluster.local'), listeners });
    const gateway = mesh.addVirtualGateway('ingress', {
      virtualGatewayName: 'ingress',
      listeners: [appmesh.VirtualGatewayListener.http({ port: 8080 })],
    });
    // Mesh-wide: every proxy traces to one collector Service; a workload's own settings win.
    const eksMesh = new appmesh.EksMesh(stack, 'Eks', {
      mesh,
      controlPlane: { image: CP_IMAGE, serviceAccountIssuer: ISSUER },
      envoy: { tracing: appmesh.EnvoyTracing.openTelemetry({ address: OTEL_COLLECTOR }) },
    });
    eksMesh.addVirtualNode(web, {
      app: { image: 'registry.example.com/web:1' },
      envoy: { statsSinks: [appmesh.EnvoyStatsSink.dogStatsd({ address: '10.100.0.10' })] },
    });
    eksMesh.addVirtualNode(api, {
      app: { image: 'registry.example.com/api:1' },
      envoy: { tracing: appmesh.EnvoyTracing.xray({ daemonAddress: '10.100.0.20', samplingRate: 0.1 }), statsTags: false },
    });
    eksMesh.addVirtualGateway(gateway, {});
    const assembly = app.synth();
    manifests = parseAllYaml(fs.readFileSync(path.join(assembly.directory, eksMesh.yamlFileName), 'utf8'));
  });

  test('every object still validates against the Kubernetes schema', () => {
    manifests.forEach(validateManifest);
  });

  test('a node with the mesh-wide tracer and its own sink: collector cluster beside xDS and SDS, the sink, the node\'s tags; valid for Envoy', () => {
    const bootstrap = bootstrapOf(manifests, 'web');
    expect(envoyBootstrapProblems(bootstrap)).toEqual([]);
    expect(bootstrap.tracing.http.name).toBe('envoy.tracers.opentelemetry');
    expect(bootstrap.tracing.http.typed_config.service_name).toBe('shop/web');
    expect(clusterNames(bootstrap)).toEqual(['open_app_mesh_xds', 'static_cluster_sds_unix_socket', 'opentelemetry_collector']);
    const collector = bootstrap.static_resources.clusters[2];
    expect(collector.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address)
      .toEqual({ address: OTEL_COLLECTOR, port_value: 4317 });
    expect(bootstrap.stats_sinks).toEqual([{
      name: 'envoy.stat_sinks.dog_statsd',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.config.metrics.v3.DogStatsdSink',
        'address': { socket_address: { protocol: 'UDP', address: '10.100.0.10', port_value: 8125 } },
      },
    }]);
    expect(bootstrap.stats_config.stats_tags).toEqual([
      { tag_name: 'appmesh.mesh', fixed_value: 'shop' }, { tag_name: 'appmesh.virtual_node', fixed_value: 'web' },
    ]);
  });

  test('a node\'s own tracer replaces the mesh-wide one, and statsTags: false leaves the tags out', () => {
    const bootstrap = bootstrapOf(manifests, 'api');
    expect(envoyBootstrapProblems(bootstrap)).toEqual([]);
    expect(bootstrap.tracing.http.name).toBe('envoy.tracers.xray');
    expect(bootstrap.tracing.http.typed_config.daemon_endpoint).toEqual({ protocol: 'UDP', address: '10.100.0.20', port_value: 2000 });
    expect(bootstrap.tracing.http.typed_config.segment_name).toBe('shop/api');
    // X-Ray sends over UDP: no collector cluster.
    expect(clusterNames(bootstrap)).toEqual(['open_app_mesh_xds', 'static_cluster_sds_unix_socket']);
    expect(bootstrap.stats_sinks).toBeUndefined();
    expect(bootstrap.stats_config).toBeUndefined();
  });

  test('a gateway: its traces and stats name the virtual gateway', () => {
    const bootstrap = bootstrapOf(manifests, 'ingress');
    expect(envoyBootstrapProblems(bootstrap)).toEqual([]);
    expect(bootstrap.tracing.http.typed_config.service_name).toBe('shop/ingress');
    expect(bootstrap.stats_config.stats_tags).toEqual([
      { tag_name: 'appmesh.mesh', fixed_value: 'shop' }, { tag_name: 'appmesh.virtual_gateway', fixed_value: 'ingress' },
    ]);
  });
});

describe('tracing and stats options of KubernetesManifests workloads', () => {
  const controlPlane = appmesh.KubernetesManifests.controlPlaneEndpoint({ meshName: 'apps', namespace: 'apps', image: CP_IMAGE, insecurePlaintext: true });

  function nodeWorkload(envoy: appmesh.KubernetesEnvoyOptions): any[] {
    return appmesh.KubernetesManifests.virtualNodeWorkload({
      meshName: 'apps',
      virtualNodeName: 'serviceA',
      listenerPorts: [8080],
      controlPlane,
      namespace: 'apps',
      app: { image: 'registry.example.com/service-a:1' },
      proxyInit: { image: CP_IMAGE },
      envoy,
    });
  }

  test('Datadog tracing and plain StatsD, Envoy streaming to the control plane itself (plaintext); valid for Envoy', () => {
    const bootstrap = bootstrapOf(nodeWorkload({
      tracing: appmesh.EnvoyTracing.datadog({ address: 'datadog-agent.datadog.svc.cluster.local' }),
      statsSinks: [appmesh.EnvoyStatsSink.statsd({ address: '10.100.0.30', port: 9125 })],
    }), 'servicea');
    expect(envoyBootstrapProblems(bootstrap)).toEqual([]);
    expect(bootstrap.tracing.http.typed_config).toMatchObject({ collector_cluster: 'datadog_agent', service_name: 'envoy-apps/serviceA' });
    expect(clusterNames(bootstrap)).toEqual(['open_app_mesh_xds', 'datadog_agent']);
    expect(bootstrap.stats_sinks.map((s: any) => [s.name, s.typed_config.address.socket_address]))
      .toEqual([['envoy.stat_sinks.statsd', { protocol: 'UDP', address: '10.100.0.30', port_value: 9125 }]]);
  });

  test('without options: no tracer, no sink, the node\'s stats tags (the default)', () => {
    const bootstrap = bootstrapOf(nodeWorkload({}), 'servicea');
    expect(bootstrap.tracing).toBeUndefined();
    expect(bootstrap.stats_sinks).toBeUndefined();
    expect(bootstrap.stats_config.stats_tags.map((t: any) => t.fixed_value)).toEqual(['apps', 'serviceA']);
  });

  test('a DogStatsD Unix socket is refused: no collector volume reaches the Envoy container', () => {
    expect(() => nodeWorkload({ statsSinks: [appmesh.EnvoyStatsSink.statsd(), appmesh.EnvoyStatsSink.dogStatsd({ socketPath: '/var/run/datadog/dsd.socket' })] }))
      .toThrow("Virtual node 'serviceA': envoy.statsSinks[1] sends to the Unix socket '/var/run/datadog/dsd.socket', "
        + 'which the Envoy container of a Kubernetes workload cannot reach');
  });
});
