import * as fs from 'fs';
import * as path from 'path';
import * as protobuf from 'protobufjs';
import { checkEnvoyJson, envoyRoot } from './envoy-json-check';
import { formatViolation, messageRuleViolations } from '../../lib-runtime/src/xds/validation-rules';
import { EnvoyBootstrap, EnvoyBootstrapOptions } from '../../src/platform/envoy-bootstrap';
import { EnvoyStatsSink } from '../../src/platform/envoy-stats-sink';
import { EnvoyTracing, JaegerSpanEncoding } from '../../src/platform/envoy-tracing';

const BOOTSTRAP = 'envoy.config.bootstrap.v3.Bootstrap';
const BASE: EnvoyBootstrapOptions = { nodeId: 'mesh/shop/virtualNode/backend', controlPlaneHost: 'xds.shop.local', controlPlanePort: 18000 };

function render(extra: Partial<EnvoyBootstrapOptions>): any {
  return EnvoyBootstrap.render({ ...BASE, ...extra });
}

function clusterNamed(bootstrap: any, name: string): any {
  return bootstrap.static_resources.clusters.find((c: any) => c.name === name);
}

function socketAddressOf(cluster: any): any {
  return cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
}

describe('tracing in the bootstrap', () => {
  test('X-Ray by default: UDP to a daemon on 127.0.0.1:2000, App Mesh\'s segment name and fields, X-Ray\'s own default sampling', () => {
    const b = render({ tracing: EnvoyTracing.xray() });
    expect(checkEnvoyJson(BOOTSTRAP, b)).toEqual([]);
    expect(b.tracing).toEqual({
      http: {
        name: 'envoy.tracers.xray',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.trace.v3.XRayConfig',
          'daemon_endpoint': { protocol: 'UDP', address: '127.0.0.1', port_value: 2000 },
          'segment_name': 'shop/backend',
          'segment_fields': { origin: 'AWS::AppMesh::Proxy', aws: { app_mesh: { mesh_name: 'shop', virtual_node_name: 'backend' } } },
        },
      },
    });
    // UDP straight to the daemon: no cluster.
    expect(b.static_resources.clusters.map((c: any) => c.name)).toEqual(['open_app_mesh_xds']);
  });

  test('X-Ray tuned: daemon address and port, segment name, sampling rate as an inline version-2 rule manifest Envoy reads as a double', () => {
    const b = render({ tracing: EnvoyTracing.xray({ daemonAddress: '10.0.0.7', daemonPort: 2100, samplingRate: 1, segmentName: 'shop-backend' }) });
    expect(checkEnvoyJson(BOOTSTRAP, b)).toEqual([]);
    const config = b.tracing.http.typed_config;
    expect(config.daemon_endpoint).toEqual({ protocol: 'UDP', address: '10.0.0.7', port_value: 2100 });
    expect(config.segment_name).toBe('shop-backend');
    const manifest: string = config.sampling_rule_manifest.inline_string;
    expect(manifest).toContain('"rate":1.0');
    expect(JSON.parse(manifest)).toEqual({ version: 2, rules: [], default: { fixed_target: 1, rate: 1 } });
    const fraction = render({ tracing: EnvoyTracing.xray({ samplingRate: 0.2 }) }).tracing.http.typed_config.sampling_rule_manifest.inline_string;
    expect(JSON.parse(fraction).default.rate).toBe(0.2);
  });

  test('X-Ray segments of a gateway name the virtual gateway', () => {
    const b = render({ nodeId: 'mesh/shop/virtualGateway/ingress', tracing: EnvoyTracing.xray() });
    expect(b.tracing.http.typed_config.segment_fields.aws.app_mesh).toEqual({ mesh_name: 'shop', virtual_gateway_name: 'ingress' });
  });

  test('Datadog: cluster datadog_agent at 127.0.0.1:8126, service envoy-<mesh>/<node>; address, port and service configurable', () => {
    const b = render({ tracing: EnvoyTracing.datadog() });
    expect(checkEnvoyJson(BOOTSTRAP, b)).toEqual([]);
    expect(b.tracing.http).toEqual({
      name: 'envoy.tracers.datadog',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.config.trace.v3.DatadogConfig',
        'collector_cluster': 'datadog_agent',
        'service_name': 'envoy-shop/backend',
      },
    });
    expect(clusterNamed(b, 'datadog_agent')).toMatchObject({ type: 'STRICT_DNS', connect_timeout: '1s' });
    expect(socketAddressOf(clusterNamed(b, 'datadog_agent'))).toEqual({ address: '127.0.0.1', port_value: 8126 });
    const tuned = render({ tracing: EnvoyTracing.datadog({ address: 'datadog.shop.local', port: 18126, serviceName: 'backend' }) });
    expect(checkEnvoyJson(BOOTSTRAP, tuned)).toEqual([]);
    expect(tuned.tracing.http.typed_config.service_name).toBe('backend');
    expect(socketAddressOf(clusterNamed(tuned, 'datadog_agent'))).toEqual({ address: 'datadog.shop.local', port_value: 18126 });
  });

  test('Jaeger: Zipkin v2 to cluster jaeger at 127.0.0.1:9411, /api/v2/spans, protobuf unless JSON is asked for', () => {
    const b = render({ tracing: EnvoyTracing.jaeger() });
    expect(checkEnvoyJson(BOOTSTRAP, b)).toEqual([]);
    expect(b.tracing.http).toEqual({
      name: 'envoy.tracers.zipkin',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig',
        'collector_cluster': 'jaeger',
        'collector_endpoint': '/api/v2/spans',
        'collector_endpoint_version': 'HTTP_PROTO',
      },
    });
    expect(socketAddressOf(clusterNamed(b, 'jaeger'))).toEqual({ address: '127.0.0.1', port_value: 9411 });
    const json = render({ tracing: EnvoyTracing.jaeger({ address: 'jaeger', port: 19411, encoding: JaegerSpanEncoding.JSON }) });
    expect(checkEnvoyJson(BOOTSTRAP, json)).toEqual([]);
    expect(json.tracing.http.typed_config.collector_endpoint_version).toBe('HTTP_JSON');
    expect(socketAddressOf(clusterNamed(json, 'jaeger'))).toEqual({ address: 'jaeger', port_value: 19411 });
  });

  test('OpenTelemetry: OTLP over gRPC to an HTTP/2 collector cluster at 127.0.0.1:4317, service <mesh>/<node>', () => {
    const b = render({ tracing: EnvoyTracing.openTelemetry() });
    expect(checkEnvoyJson(BOOTSTRAP, b)).toEqual([]);
    expect(b.tracing.http).toEqual({
      name: 'envoy.tracers.opentelemetry',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig',
        'grpc_service': { envoy_grpc: { cluster_name: 'opentelemetry_collector' } },
        'service_name': 'shop/backend',
      },
    });
    const cluster = clusterNamed(b, 'opentelemetry_collector');
    expect(socketAddressOf(cluster)).toEqual({ address: '127.0.0.1', port_value: 4317 });
    expect(cluster.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicit_http_config)
      .toEqual({ http2_protocol_options: {} });
    const tuned = render({ tracing: EnvoyTracing.openTelemetry({ address: 'otel.shop.local', port: 14317, serviceName: 'backend' }) });
    expect(checkEnvoyJson(BOOTSTRAP, tuned)).toEqual([]);
    expect(tuned.tracing.http.typed_config.service_name).toBe('backend');
    expect(socketAddressOf(clusterNamed(tuned, 'opentelemetry_collector'))).toEqual({ address: 'otel.shop.local', port_value: 14317 });
  });

  test('no tracer unless one is chosen', () => {
    expect(render({}).tracing).toBeUndefined();
  });
});

describe('stats in the bootstrap', () => {
  test('stats tags by default: the mesh and the virtual node or gateway, as fixed tags', () => {
    const node = render({});
    expect(checkEnvoyJson(BOOTSTRAP, node)).toEqual([]);
    expect(node.stats_config).toEqual({
      stats_tags: [{ tag_name: 'appmesh.mesh', fixed_value: 'shop' }, { tag_name: 'appmesh.virtual_node', fixed_value: 'backend' }],
    });
    const gateway = render({ nodeId: 'arn:aws:appmesh:eu-west-1:111122223333:mesh/shop/virtualGateway/ingress' });
    expect(gateway.stats_config.stats_tags).toEqual([
      { tag_name: 'appmesh.mesh', fixed_value: 'shop' }, { tag_name: 'appmesh.virtual_gateway', fixed_value: 'ingress' },
    ]);
    expect(render({ statsTags: false }).stats_config).toBeUndefined();
  });

  test('a node id that names no proxy: an error naming nodeId, unless nothing needs the names', () => {
    expect(() => render({ nodeId: 'backend' })).toThrow(/nodeId 'backend' is not mesh\/<mesh>\/virtualNode\/<name>.*statsTags.*statsTags: false/);
    expect(() => render({ nodeId: 'mesh/shop/virtualRouter/r', statsTags: false, tracing: EnvoyTracing.xray() })).toThrow(/nodeId .* which tracing needs/);
    expect(render({ nodeId: 'backend', statsTags: false, statsSinks: [EnvoyStatsSink.statsd()] }).stats_sinks).toHaveLength(1);
  });

  test('StatsD and DogStatsD sinks over UDP, DogStatsD over a Unix socket', () => {
    const b = render({
      statsSinks: [
        EnvoyStatsSink.statsd(),
        EnvoyStatsSink.dogStatsd({ address: '10.0.0.9', port: 18125 }),
        EnvoyStatsSink.dogStatsd({ socketPath: '/var/run/datadog/dsd.socket' }),
      ],
    });
    expect(checkEnvoyJson(BOOTSTRAP, b)).toEqual([]);
    expect(b.stats_sinks).toEqual([
      {
        name: 'envoy.stat_sinks.statsd',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.metrics.v3.StatsdSink',
          'address': { socket_address: { protocol: 'UDP', address: '127.0.0.1', port_value: 8125 } },
        },
      },
      {
        name: 'envoy.stat_sinks.dog_statsd',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.metrics.v3.DogStatsdSink',
          'address': { socket_address: { protocol: 'UDP', address: '10.0.0.9', port_value: 18125 } },
        },
      },
      {
        name: 'envoy.stat_sinks.dog_statsd',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.metrics.v3.DogStatsdSink',
          'address': { pipe: { path: '/var/run/datadog/dsd.socket' } },
        },
      },
    ]);
    expect(render({}).stats_sinks).toBeUndefined();
  });
});

describe('the proto check sees through the tracer and sink configs', () => {
  test('a misspelt field, a wrong enum value or a wrong type inside them is reported', () => {
    const b = render({
      tracing: EnvoyTracing.jaeger(),
      statsSinks: [EnvoyStatsSink.dogStatsd()],
    });
    b.tracing.http.typed_config.collector_endpoint_version = 'HTTP_PROTOBUF';
    b.tracing.http.typed_config.colector_cluster = b.tracing.http.typed_config.collector_cluster;
    b.stats_sinks[0].typed_config.address.socket_address.port = 8125;
    b.stats_config.stats_tags[0].fixed_value = 1;
    const problems = checkEnvoyJson(BOOTSTRAP, b);
    expect(problems).toHaveLength(4);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/collector_endpoint_version: "HTTP_PROTOBUF" is not a value of CollectorEndpointVersion$/),
      expect.stringMatching(/colector_cluster: no such field in .envoy.config.trace.v3.ZipkinConfig$/),
      expect.stringMatching(/stats_config.stats_tags\[0\].fixed_value: expected a string$/),
      expect.stringMatching(/stats_sinks\[0\].typed_config<DogStatsdSink>.address.socket_address.port: no such field/),
    ]));
  });

  test('each tracer config is read as its own message type (a field of another tracer is unknown)', () => {
    for (const [tracing, foreign] of [
      [EnvoyTracing.xray(), 'collector_cluster'],
      [EnvoyTracing.datadog(), 'segment_name'],
      [EnvoyTracing.openTelemetry(), 'collector_endpoint'],
    ] as const) {
      const b = render({ tracing });
      b.tracing.http.typed_config[foreign] = 'x';
      expect(checkEnvoyJson(BOOTSTRAP, b)).toEqual([expect.stringContaining(`${foreign}: no such field`)]);
    }
  });
});

describe('Envoy\'s validation rules (protoc-gen-validate annotations) on the tracer and sink configs', () => {
  function ruleViolations(bootstrap: object): string[] {
    const typeOfUrl = (typeUrl: string): protobuf.Type => envoyRoot().lookupType(typeUrl.slice(typeUrl.lastIndexOf('/') + 1));
    return messageRuleViolations(typeOfUrl(BOOTSTRAP), bootstrap, 'Bootstrap', typeOfUrl).map(formatViolation);
  }

  test('every tracer and sink, with defaults and with every option set, breaks no rule', () => {
    const all = [
      render({ statsSinks: [EnvoyStatsSink.statsd(), EnvoyStatsSink.dogStatsd(), EnvoyStatsSink.dogStatsd({ socketPath: '/s/dsd.socket' })] }),
      render({ nodeId: 'mesh/shop/virtualGateway/ingress', tracing: EnvoyTracing.xray() }),
      render({ tracing: EnvoyTracing.xray({ daemonAddress: '10.0.0.7', daemonPort: 2100, samplingRate: 0.5, segmentName: 's' }) }),
      render({ tracing: EnvoyTracing.datadog({ address: 'dd', port: 1, serviceName: 's' }) }),
      render({ tracing: EnvoyTracing.jaeger({ encoding: JaegerSpanEncoding.JSON }) }),
      render({ tracing: EnvoyTracing.openTelemetry({ address: 'otel', port: 65535, serviceName: 's' }) }),
    ];
    for (const bootstrap of all) expect(ruleViolations(bootstrap)).toEqual([]);
  });

  test('the rules are applied inside them: an empty segment name or collector path is caught', () => {
    const xray = render({ tracing: EnvoyTracing.xray() });
    xray.tracing.http.typed_config.segment_name = '';
    expect(ruleViolations(xray)).toEqual([expect.stringMatching(/^Bootstrap\.tracing\.http\.typed_config.*segment_name: .*min_len/)]);
    const jaeger = render({ tracing: EnvoyTracing.jaeger() });
    jaeger.tracing.http.typed_config.collector_endpoint = '';
    expect(ruleViolations(jaeger)).toEqual([expect.stringMatching(/collector_endpoint: .*min_len/)]);
  });
});

describe('options are checked when they are made', () => {
  test.each([
    [() => EnvoyTracing.xray({ samplingRate: 1.5 }), /EnvoyTracing.xray: samplingRate must be between 0 and 1, got 1.5/],
    [() => EnvoyTracing.xray({ daemonAddress: 'xray.local' }), /EnvoyTracing.xray: daemonAddress must be an IP address .*got 'xray.local'/],
    [() => EnvoyTracing.xray({ daemonPort: 0 }), /EnvoyTracing.xray: daemonPort must be a port number between 1 and 65535, got 0/],
    [() => EnvoyTracing.datadog({ address: ' ' }), /EnvoyTracing.datadog: address must be a host name or an IP address/],
    [() => EnvoyTracing.jaeger({ port: 70000 }), /EnvoyTracing.jaeger: port must be a port number/],
    [() => EnvoyTracing.openTelemetry({ serviceName: '' }), /EnvoyTracing.openTelemetry: serviceName must not be empty/],
    [() => EnvoyStatsSink.statsd({ address: 'statsd' }), /EnvoyStatsSink.statsd: address must be an IP address/],
    [() => EnvoyStatsSink.dogStatsd({ socketPath: '/s', port: 8125 }), /EnvoyStatsSink.dogStatsd: set socketPath or address and port, not both/],
  ])('%#', (make, message) => {
    expect(make).toThrow(message);
  });
});

describe('the connection managers the control plane sends', () => {
  /** Every HTTP connection manager config sent to Envoy in the translation golden files (proxyless clients trace nothing). */
  function goldenConnectionManagers(): any[] {
    const found: any[] = [];
    const visit = (value: any): void => {
      if (value === null || typeof value !== 'object') return;
      if (typeof value['@type'] === 'string' && value['@type'].endsWith('.HttpConnectionManager')) found.push(value);
      Object.values(value).forEach(visit);
    };
    const root = path.join(__dirname, '../../lib-runtime/test/translate/golden');
    for (const dir of fs.readdirSync(root)) {
      if (!fs.statSync(path.join(root, dir)).isDirectory()) continue;
      for (const file of fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.json'))) {
        visit(JSON.parse(fs.readFileSync(path.join(root, dir, file), 'utf8')).envoy);
      }
    }
    return found;
  }

  test('carry a tracing block without a provider of their own, so the bootstrap\'s tracer traces every request', () => {
    const managers = goldenConnectionManagers();
    expect(managers.length).toBeGreaterThan(10);
    for (const hcm of managers) {
      expect(hcm.tracing).toBeDefined();
      expect(hcm.tracing.provider).toBeUndefined();
    }
  });
});
