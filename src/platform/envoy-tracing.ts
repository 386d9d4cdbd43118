import { EnvoyProxyIdentity } from './envoy-proxy-identity';
import { checkHost, checkIpAddress, checkPort, collectorCluster } from './private/collector-cluster';

/** Cluster names of the collectors, as App Mesh's image named them (OpenTelemetry is ours). */
const DATADOG_CLUSTER = 'datadog_agent';
const JAEGER_CLUSTER = 'jaeger';
const OPENTELEMETRY_CLUSTER = 'opentelemetry_collector';

/** What a tracer contributes to an Envoy bootstrap, and to the App Mesh image's environment. */
export interface EnvoyTracingConfig {
  /** The bootstrap's `tracing.http` block (proto3 JSON): tracer name and typed config. */
  readonly http: any;

  /** Static clusters the tracer sends spans through (proto3 JSON). */
  readonly clusters: any[];

  /**
   * Variables that make App Mesh's image agent render the same tracer when it writes the bootstrap.
   * @default - the image's agent has no such tracer
   */
  readonly appMeshImageEnvironment?: { [name: string]: string };
}

/** Options of `EnvoyTracing.xray`. */
export interface XRayTracingOptions {
  /**
   * IP address of the X-Ray daemon (Envoy sends segments to it over UDP, without DNS).
   * @default '127.0.0.1' - a daemon container in the same task
   */
  readonly daemonAddress?: string;

  /**
   * UDP port of the X-Ray daemon.
   * @default 2000
   */
  readonly daemonPort?: number;

  /**
   * Fraction of requests traced beyond the first one each second, between 0 and 1.
   * @default 0.05 - X-Ray's default rule
   */
  readonly samplingRate?: number;

  /**
   * Name of the segments.
   * @default - `<mesh>/<virtual node or gateway>`, as App Mesh's image named them
   */
  readonly segmentName?: string;
}

/** Options of `EnvoyTracing.datadog`. */
export interface DatadogTracingOptions {
  /**
   * Host name or IP address of the Datadog agent.
   * @default '127.0.0.1' - an agent container in the same task
   */
  readonly address?: string;

  /**
   * Trace port of the Datadog agent.
   * @default 8126
   */
  readonly port?: number;

  /**
   * Datadog service name of the spans.
   * @default - `envoy-<mesh>/<virtual node or gateway>`, as App Mesh's image named it
   */
  readonly serviceName?: string;
}

/** How spans are encoded for a Jaeger collector's Zipkin endpoint. */
export enum JaegerSpanEncoding {
  /** Zipkin v2 protobuf (App Mesh's default). */
  PROTO = 'PROTO',
  /** Zipkin v2 JSON. */
  JSON = 'JSON',
}

/** Options of `EnvoyTracing.jaeger`. */
export interface JaegerTracingOptions {
  /**
   * Host name or IP address of the Jaeger collector.
   * @default '127.0.0.1'
   */
  readonly address?: string;

  /**
   * Port of the collector's Zipkin-compatible endpoint.
   * @default 9411
   */
  readonly port?: number;

  /**
   * Span encoding.
   * @default JaegerSpanEncoding.PROTO
   */
  readonly encoding?: JaegerSpanEncoding;
}

/** Options of `EnvoyTracing.openTelemetry`. */
export interface OpenTelemetryTracingOptions {
  /**
   * Host name or IP address of the OpenTelemetry collector (e.g. an AWS Distro for
   * OpenTelemetry collector in the same task).
   * @default '127.0.0.1'
   */
  readonly address?: string;

  /**
   * OTLP/gRPC port of the collector.
   * @default 4317
   */
  readonly port?: number;

  /**
   * `service.name` of the spans.
   * @default - `<mesh>/<virtual node or gateway>`
   */
  readonly serviceName?: string;
}

/**
 * The tracer Envoy reports spans to. It sits in the bootstrap; the connection managers the
 * control plane sends carry an empty `tracing` block, which turns it on for every request.
 * OpenTelemetry (OTLP over gRPC) is the choice for new meshes; X-Ray, Datadog and Jaeger are
 * the tracers App Mesh's image offered, rendered as it rendered them.
 */
export abstract class EnvoyTracing {
  /**
   * AWS X-Ray: segments over UDP to an X-Ray daemon (App Mesh's `ENABLE_ENVOY_XRAY_TRACING`).
   * The daemon is not added for you: run it as a container of the task.
   */
  public static xray(options: XRayTracingOptions = {}): EnvoyTracing {
    return new XRayTracing(options);
  }

  /** Datadog: spans to a Datadog agent (App Mesh's `ENABLE_ENVOY_DATADOG_TRACING`). */
  public static datadog(options: DatadogTracingOptions = {}): EnvoyTracing {
    return new DatadogTracing(options);
  }

  /**
   * Jaeger: spans in Zipkin v2 format to a Jaeger collector's Zipkin endpoint
   * (App Mesh's `ENABLE_ENVOY_JAEGER_TRACING`).
   */
  public static jaeger(options: JaegerTracingOptions = {}): EnvoyTracing {
    return new JaegerTracing(options);
  }

  /**
   * OpenTelemetry: spans over OTLP/gRPC to a collector, which can forward them to X-Ray,
   * Datadog, Jaeger or any OTLP backend. The recommended tracer for new meshes. App Mesh's
   * image had no such setting, so it needs our bootstrap (any image but
   * `EnvoyImage.appMesh({ useOwnBootstrap: false })`).
   */
  public static openTelemetry(options: OpenTelemetryTracingOptions = {}): EnvoyTracing {
    return new OpenTelemetryTracing(options);
  }

  /** The bootstrap blocks of this tracer for one proxy. */
  public abstract bind(proxy: EnvoyProxyIdentity): EnvoyTracingConfig;
}

class XRayTracing extends EnvoyTracing {
  constructor(private readonly options: XRayTracingOptions) {
    super();
    const where = 'EnvoyTracing.xray';
    if (options.daemonAddress !== undefined) checkIpAddress(where, 'daemonAddress', options.daemonAddress);
    if (options.daemonPort !== undefined) checkPort(where, 'daemonPort', options.daemonPort);
    const rate = options.samplingRate;
    if (rate !== undefined && !(rate >= 0 && rate <= 1)) {
      throw new Error(`${where}: samplingRate must be between 0 and 1, got ${rate}`);
    }
    if (options.segmentName === '') throw new Error(`${where}: segmentName must not be empty`);
  }

  public bind(proxy: EnvoyProxyIdentity): EnvoyTracingConfig {
    const o = this.options;
    const config: any = {
      '@type': 'type.googleapis.com/envoy.config.trace.v3.XRayConfig',
      'daemon_endpoint': { protocol: 'UDP', address: o.daemonAddress ?? '127.0.0.1', port_value: o.daemonPort ?? 2000 },
      'segment_name': o.segmentName ?? `${proxy.meshName}/${proxy.proxyName}`,
      'segment_fields': {
        origin: 'AWS::AppMesh::Proxy',
        aws: { app_mesh: { mesh_name: proxy.meshName, [appMeshNameKey(proxy)]: proxy.proxyName } },
      },
    };
    if (o.samplingRate !== undefined) {
      config.sampling_rule_manifest = { inline_string: samplingRuleManifest(o.samplingRate) };
    }
    return {
      http: { name: 'envoy.tracers.xray', typed_config: config },
      clusters: [],
      appMeshImageEnvironment: definedOnly({
        ENABLE_ENVOY_XRAY_TRACING: '1',
        AWS_XRAY_DAEMON_ADDRESS: o.daemonAddress,
        XRAY_DAEMON_PORT: o.daemonPort === undefined ? undefined : String(o.daemonPort),
        XRAY_SAMPLING_RATE: o.samplingRate === undefined ? undefined : String(o.samplingRate),
        XRAY_SEGMENT_NAME: o.segmentName,
      }),
    };
  }
}

class DatadogTracing extends EnvoyTracing {
  constructor(private readonly options: DatadogTracingOptions) {
    super();
    if (options.address !== undefined) checkHost('EnvoyTracing.datadog', 'address', options.address);
    if (options.port !== undefined) checkPort('EnvoyTracing.datadog', 'port', options.port);
    if (options.serviceName === '') throw new Error('EnvoyTracing.datadog: serviceName must not be empty');
  }

  public bind(proxy: EnvoyProxyIdentity): EnvoyTracingConfig {
    const o = this.options;
    return {
      http: {
        name: 'envoy.tracers.datadog',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.trace.v3.DatadogConfig',
          'collector_cluster': DATADOG_CLUSTER,
          'service_name': o.serviceName ?? `envoy-${proxy.meshName}/${proxy.proxyName}`,
        },
      },
      clusters: [collectorCluster(DATADOG_CLUSTER, o.address ?? '127.0.0.1', o.port ?? 8126, false)],
      appMeshImageEnvironment: definedOnly({
        ENABLE_ENVOY_DATADOG_TRACING: '1',
        DATADOG_TRACER_ADDRESS: o.address,
        DATADOG_TRACER_PORT: o.port === undefined ? undefined : String(o.port),
        DD_SERVICE: o.serviceName,
      }),
    };
  }
}

class JaegerTracing extends EnvoyTracing {
  constructor(private readonly options: JaegerTracingOptions) {
    super();
    if (options.address !== undefined) checkHost('EnvoyTracing.jaeger', 'address', options.address);
    if (options.port !== undefined) checkPort('EnvoyTracing.jaeger', 'port', options.port);
  }

  public bind(_proxy: EnvoyProxyIdentity): EnvoyTracingConfig {
    const o = this.options;
    const json = o.encoding === JaegerSpanEncoding.JSON;
    return {
      http: {
        name: 'envoy.tracers.zipkin',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.trace.v3.ZipkinConfig',
          'collector_cluster': JAEGER_CLUSTER,
          'collector_endpoint': '/api/v2/spans',
          'collector_endpoint_version': json ? 'HTTP_JSON' : 'HTTP_PROTO',
        },
      },
      clusters: [collectorCluster(JAEGER_CLUSTER, o.address ?? '127.0.0.1', o.port ?? 9411, false)],
      appMeshImageEnvironment: definedOnly({
        ENABLE_ENVOY_JAEGER_TRACING: '1',
        JAEGER_TRACER_ADDRESS: o.address,
        JAEGER_TRACER_PORT: o.port === undefined ? undefined : String(o.port),
        JAEGER_TRACER_VERSION: json ? 'json' : undefined,
      }),
    };
  }
}

class OpenTelemetryTracing extends EnvoyTracing {
  constructor(private readonly options: OpenTelemetryTracingOptions) {
    super();
    if (options.address !== undefined) checkHost('EnvoyTracing.openTelemetry', 'address', options.address);
    if (options.port !== undefined) checkPort('EnvoyTracing.openTelemetry', 'port', options.port);
    if (options.serviceName === '') throw new Error('EnvoyTracing.openTelemetry: serviceName must not be empty');
  }

  public bind(proxy: EnvoyProxyIdentity): EnvoyTracingConfig {
    const o = this.options;
    return {
      http: {
        name: 'envoy.tracers.opentelemetry',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig',
          'grpc_service': { envoy_grpc: { cluster_name: OPENTELEMETRY_CLUSTER } },
          'service_name': o.serviceName ?? `${proxy.meshName}/${proxy.proxyName}`,
        },
      },
      clusters: [collectorCluster(OPENTELEMETRY_CLUSTER, o.address ?? '127.0.0.1', o.port ?? 4317, true)],
    };
  }
}

/** `virtual_node_name` or `virtual_gateway_name`: the key of the proxy's name in the segments' `aws.app_mesh`. */
function appMeshNameKey(proxy: EnvoyProxyIdentity): string {
  return proxy.proxyKind === 'virtualGateway' ? 'virtual_gateway_name' : 'virtual_node_name';
}

/**
 * X-Ray's local sampling rules (version 2) with only the default rule: one request a second,
 * then `rate` of the rest. The rate is written with a decimal point: Envoy reads it as a double.
 */
function samplingRuleManifest(rate: number): string {
  const written = Number.isInteger(rate) ? rate.toFixed(1) : String(rate);
  return `{"version":2,"rules":[],"default":{"fixed_target":1,"rate":${written}}}`;
}

function definedOnly(record: { [name: string]: string | undefined }): { [name: string]: string } {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as { [name: string]: string };
}
