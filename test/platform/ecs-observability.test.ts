import { Template } from 'aws-cdk-lib/assertions';
import { envoyBootstrapProblems } from './envoy-json-check';
import { bootstrapOfCommand, containerNamed, PlatformFixture, resourcesOfType } from './fixtures';
import * as appmesh from '../../src';

function envoyOf(json: any, prefix: string): any {
  const found = Object.entries(resourcesOfType(json, 'AWS::ECS::TaskDefinition')).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one task definition ${prefix}*, found ${found.length}`);
  return containerNamed(found[0][1], 'envoy');
}

function environmentOf(container: any): Record<string, string> {
  return Object.fromEntries((container.Environment ?? []).map((e: any) => [e.Name, e.Value]));
}

describe('tracing and stats options of ECS proxies, in our bootstrap', () => {
  let json: any;

  beforeAll(() => {
    const fixture = new PlatformFixture();
    appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition('Otel'), fixture.backend, {
      controlPlane: fixture.controlPlane,
      tracing: appmesh.EnvoyTracing.openTelemetry(),
      statsSinks: [appmesh.EnvoyStatsSink.dogStatsd()],
    });
    appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition('AppMeshImage'), fixture.backend, {
      controlPlane: fixture.controlPlane,
      image: appmesh.EnvoyImage.appMesh(),
      tracing: appmesh.EnvoyTracing.xray(),
      statsTags: false,
    });
    const gateway = fixture.mesh.addVirtualGateway('ingress', {
      virtualGatewayName: 'ingress',
      listeners: [appmesh.VirtualGatewayListener.http({ port: 8080 })],
    });
    new appmesh.GatewayFargateService(fixture.stack, 'Ingress', {
      cluster: fixture.cluster,
      virtualGateway: gateway,
      controlPlane: fixture.controlPlane,
      tracing: appmesh.EnvoyTracing.xray({ samplingRate: 0.1 }),
    });
    json = Template.fromStack(fixture.stack).toJSON();
  });

  test('a sidecar: the tracer, its collector cluster beside the xDS and SDS clusters, the sink and the node\'s tags; valid for Envoy (protos and validation rules)', () => {
    const bootstrap = bootstrapOfCommand(envoyOf(json, 'Otel').Command[0]);
    expect(envoyBootstrapProblems(bootstrap)).toEqual([]);
    expect(bootstrap.tracing.http.name).toBe('envoy.tracers.opentelemetry');
    expect(bootstrap.tracing.http.typed_config.service_name).toBe('shop/backend');
    expect(bootstrap.static_resources.clusters.map((c: any) => c.name))
      .toEqual(['open_app_mesh_xds', 'static_cluster_sds_unix_socket', 'opentelemetry_collector']);
    expect(bootstrap.stats_sinks.map((s: any) => s.name)).toEqual(['envoy.stat_sinks.dog_statsd']);
    expect(bootstrap.stats_config.stats_tags).toEqual([
      { tag_name: 'appmesh.mesh', fixed_value: 'shop' }, { tag_name: 'appmesh.virtual_node', fixed_value: 'backend' },
    ]);
  });

  test('a gateway: its segments and stats name the virtual gateway', () => {
    const bootstrap = bootstrapOfCommand(envoyOf(json, 'IngressTaskDefinition').Command[0]);
    expect(envoyBootstrapProblems(bootstrap)).toEqual([]);
    expect(bootstrap.tracing.http.typed_config.segment_name).toBe('shop/ingress');
    expect(bootstrap.tracing.http.typed_config.segment_fields.aws.app_mesh).toEqual({ mesh_name: 'shop', virtual_gateway_name: 'ingress' });
    expect(bootstrap.stats_config.stats_tags).toEqual([
      { tag_name: 'appmesh.mesh', fixed_value: 'shop' }, { tag_name: 'appmesh.virtual_gateway', fixed_value: 'ingress' },
    ]);
  });

  test('the App Mesh image running our bootstrap: the tracer is in the bootstrap, none of the image\'s variables are set', () => {
    const envoy = envoyOf(json, 'AppMeshImage');
    const environment = environmentOf(envoy);
    const bootstrap = JSON.parse(environment.ENVOY_BOOTSTRAP);
    expect(envoyBootstrapProblems(bootstrap)).toEqual([]);
    expect(bootstrap.tracing.http.name).toBe('envoy.tracers.xray');
    expect(bootstrap.stats_config).toBeUndefined();
    expect(Object.keys(environment).sort()).toEqual(['APPMESH_RESOURCE_ARN', 'ENVOY_ADMIN_ACCESS_PORT', 'ENVOY_BOOTSTRAP', 'ENVOY_CONFIG_FILE']);
  });
});

describe('tracing and stats options of the App Mesh image when its agent writes the bootstrap (useOwnBootstrap: false)', () => {
  let fixture: PlatformFixture;
  let json: any;

  const appMeshImage = () => appmesh.EnvoyImage.appMesh({ useOwnBootstrap: false });

  beforeAll(() => {
    fixture = new PlatformFixture({ controlPlane: { insecurePlaintext: true } });
    appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition('XRay'), fixture.backend, {
      controlPlane: fixture.controlPlane,
      image: appMeshImage(),
      tracing: appmesh.EnvoyTracing.xray({ daemonAddress: '10.0.0.7', daemonPort: 2100, samplingRate: 0.2, segmentName: 'backend' }),
      statsSinks: [appmesh.EnvoyStatsSink.dogStatsd({ address: '10.0.0.9', port: 18125 })],
    });
    appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition('Datadog'), fixture.backend, {
      controlPlane: fixture.controlPlane,
      image: appMeshImage(),
      tracing: appmesh.EnvoyTracing.datadog({ address: 'datadog.shop.local', port: 18126, serviceName: 'backend' }),
      statsSinks: [appmesh.EnvoyStatsSink.dogStatsd({ socketPath: '/var/run/datadog/dsd.socket' })],
      statsTags: false,
    });
    appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition('Jaeger'), fixture.backend, {
      controlPlane: fixture.controlPlane,
      image: appMeshImage(),
      tracing: appmesh.EnvoyTracing.jaeger({ address: 'jaeger.shop.local', port: 19411, encoding: appmesh.JaegerSpanEncoding.JSON }),
    });
    appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition('Defaults'), fixture.backend, {
      controlPlane: fixture.controlPlane,
      image: appMeshImage(),
      tracing: appmesh.EnvoyTracing.xray(),
      statsSinks: [appmesh.EnvoyStatsSink.dogStatsd()],
    });
    json = Template.fromStack(fixture.stack).toJSON();
  });

  /** The variables beyond identity and control plane, which the ECS sidecar tests cover. */
  function observabilityEnvironment(prefix: string): Record<string, string> {
    const { APPMESH_RESOURCE_ARN: _id, ENVOY_ADMIN_ACCESS_PORT: _admin, APPMESH_XDS_ENDPOINT: _xds, ...rest } = environmentOf(envoyOf(json, prefix));
    return rest;
  }

  test('X-Ray and DogStatsD over UDP, with stats tags', () => {
    expect(observabilityEnvironment('XRay')).toEqual({
      ENABLE_ENVOY_STATS_TAGS: '1',
      ENABLE_ENVOY_XRAY_TRACING: '1',
      AWS_XRAY_DAEMON_ADDRESS: '10.0.0.7',
      XRAY_DAEMON_PORT: '2100',
      XRAY_SAMPLING_RATE: '0.2',
      XRAY_SEGMENT_NAME: 'backend',
      ENABLE_ENVOY_DOG_STATSD: '1',
      STATSD_ADDRESS: '10.0.0.9',
      STATSD_PORT: '18125',
    });
  });

  test('Datadog and DogStatsD over a Unix socket, without stats tags', () => {
    expect(observabilityEnvironment('Datadog')).toEqual({
      ENABLE_ENVOY_DATADOG_TRACING: '1',
      DATADOG_TRACER_ADDRESS: 'datadog.shop.local',
      DATADOG_TRACER_PORT: '18126',
      DD_SERVICE: 'backend',
      ENABLE_ENVOY_DOG_STATSD: '1',
      STATSD_SOCKET_PATH: '/var/run/datadog/dsd.socket',
    });
  });

  test('Jaeger with JSON spans', () => {
    expect(observabilityEnvironment('Jaeger')).toEqual({
      ENABLE_ENVOY_STATS_TAGS: '1',
      ENABLE_ENVOY_JAEGER_TRACING: '1',
      JAEGER_TRACER_ADDRESS: 'jaeger.shop.local',
      JAEGER_TRACER_PORT: '19411',
      JAEGER_TRACER_VERSION: 'json',
    });
  });

  test('defaults are left to the image (only the switches are set)', () => {
    expect(observabilityEnvironment('Defaults')).toEqual({
      ENABLE_ENVOY_STATS_TAGS: '1',
      ENABLE_ENVOY_XRAY_TRACING: '1',
      ENABLE_ENVOY_DOG_STATSD: '1',
    });
  });

  test.each([
    ['OpenTelemetry', { tracing: appmesh.EnvoyTracing.openTelemetry() }, /cannot render this tracer \(envoy\.tracers\.opentelemetry\)/],
    ['StatsD', { statsSinks: [appmesh.EnvoyStatsSink.statsd()] }, /cannot render this stats sink \(envoy\.stat_sinks\.statsd\)/],
    ['TwoSinks', { statsSinks: [appmesh.EnvoyStatsSink.dogStatsd(), appmesh.EnvoyStatsSink.dogStatsd({ port: 9125 })] }, /at most one stats sink, got 2/],
  ])('what its agent cannot express is refused, naming the construct and the way out: %s', (id, options, message) => {
    expect(() => appmesh.EnvoySidecar.addTo(fixture.appTaskDefinition(`Refused${id}`), fixture.backend, {
      controlPlane: fixture.controlPlane,
      image: appMeshImage(),
      ...options,
    })).toThrow(new RegExp(`\\[Platform/Refused${id}/EnvoySidecar\\] EnvoyImage.appMesh\\(\\{ useOwnBootstrap: false \\}\\): .*${message.source}.*keep useOwnBootstrap at its default`));
  });
});
