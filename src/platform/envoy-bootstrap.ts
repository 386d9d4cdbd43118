import { Duration, Token } from 'aws-cdk-lib';
import { EnvoyObservabilityOptions, renderObservability } from './observability';

/** Envoy admin port, as App Mesh's image used (`ENVOY_ADMIN_ACCESS_PORT`). */
export const ENVOY_ADMIN_PORT = 9901;

/** Name of the static cluster that reaches the control plane. */
export const XDS_CLUSTER_NAME = 'open_app_mesh_xds';

/** Name of the static cluster of the SDS server (App Mesh's; the SDS configs the control plane sends name it). */
export const SDS_CLUSTER_NAME = 'static_cluster_sds_unix_socket';

/**
 * Envoy runtime values App Mesh's generated bootstrap set in its static layer: regular
 * expressions up to RE2 program size 1000 are accepted (Envoy's own limit is 100), the size the
 * mesh spec's checks allow.
 */
const APP_MESH_STATIC_RUNTIME = { 're2.max_program_size.error_level': 1000 };

/**
 * What an Envoy bootstrap needs: who the proxy is, where the control plane is, and where
 * traces and stats go. Nothing of the mesh spec.
 */
export interface EnvoyBootstrapOptions extends EnvoyObservabilityOptions {
  /** Envoy node id, `mesh/<mesh>/virtualNode/<name>` or `mesh/<mesh>/virtualGateway/<name>`. */
  readonly nodeId: string;

  /**
   * Envoy `node.cluster`.
   * @default - the node id (App Mesh's default)
   */
  readonly cluster?: string;

  /** DNS name (or IP) of the control plane's xDS endpoint. */
  readonly controlPlaneHost: string;

  /** Port of the control plane's xDS endpoint. */
  readonly controlPlanePort: number;

  /**
   * Envoy admin port (health checks query it on the loopback).
   * @default 9901
   */
  readonly adminPort?: number;

  /**
   * Address the admin port binds to. The admin API can change Envoy's state and dump its
   * configuration: keep it on 127.0.0.1 where health checks run inside the task.
   * @default '0.0.0.0' - App Mesh's (a Kubernetes HTTP probe reaches the pod's address)
   */
  readonly adminAddress?: string;

  /**
   * Unix socket of a local agent's xDS proxy (`open-app-mesh agent --xds-proxy-listen unix:<path>`).
   * When set, Envoy streams through it in plaintext, and the agent carries the stream to the
   * control plane over mutual TLS; `controlPlaneHost` and `controlPlanePort` are then not used.
   * @default - Envoy connects to `controlPlaneHost:controlPlanePort` itself (plaintext gRPC)
   */
  readonly xdsSocketPath?: string;

  /**
   * Unix socket of a local SDS server (`open-app-mesh agent --sds-socket <path>`), defined as
   * the cluster `static_cluster_sds_unix_socket` that the control plane's SDS configs name.
   * @default - no SDS cluster (mesh TLS from SDS secrets cannot work)
   */
  readonly sdsSocketPath?: string;

  /**
   * How long Envoy waits for its first listeners and clusters before starting without them.
   * @default Duration.seconds(0) - wait as long as it takes (App Mesh's `ENVOY_INITIAL_FETCH_TIMEOUT` default)
   */
  readonly initialFetchTimeout?: Duration;

  /**
   * Timeout of a TCP connect to the control plane.
   * @default Duration.seconds(1)
   */
  readonly connectTimeout?: Duration;
}

/**
 * Envoy bootstrap for a proxy of the mesh: one ADS stream (state of the world, v3) to the
 * control plane, listeners and clusters through it (routes, endpoints and secrets arrive
 * inside those resources, also via ADS), admin on 9901. The control plane is a static
 * STRICT_DNS cluster over HTTP/2 (plaintext gRPC) with keepalives like App Mesh's agent
 * (10 s interval, 20 s timeout), so a dead replica is noticed and Envoy reconnects to another
 * address behind the name; or, with `xdsSocketPath`, the local agent's xDS proxy, which holds
 * the workload certificate and speaks mutual TLS to the control plane. With `sdsSocketPath`,
 * certificates come from the agent over SDS. The static runtime layer carries App Mesh's RE2
 * program-size limit. The tracer, stats sinks and stats tags (mesh and proxy names, on by
 * default) are rendered as App Mesh's image rendered those it offered.
 *
 * The result is proto3 JSON (durations as strings, `@type` in Any), what `envoy -c` reads. It
 * depends only on these options, never on the mesh spec, so a mesh change never changes a task
 * definition that carries it.
 */
export class EnvoyBootstrap {
  /** The bootstrap as a JSON-ready object. */
  public static render(options: EnvoyBootstrapOptions): any {
    const adminPort = options.adminPort ?? ENVOY_ADMIN_PORT;
    const initialFetchTimeout = seconds(options.initialFetchTimeout ?? Duration.seconds(0));
    const http2 = (protocolOptions: object) => ({
      'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
        '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
        'explicit_http_config': { http2_protocol_options: protocolOptions },
      },
    });
    const pipeAssignment = (clusterName: string, socketPath: string) => ({
      cluster_name: clusterName,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { pipe: { path: socketPath } } } }] }],
    });
    const keepalive = { connection_keepalive: { interval: '10s', timeout: '20s' } };
    const connectTimeout = seconds(options.connectTimeout ?? Duration.seconds(1));
    const xdsCluster = options.xdsSocketPath !== undefined ? {
      name: XDS_CLUSTER_NAME,
      type: 'STATIC',
      connect_timeout: connectTimeout,
      typed_extension_protocol_options: http2(keepalive),
      load_assignment: pipeAssignment(XDS_CLUSTER_NAME, options.xdsSocketPath),
    } : {
      name: XDS_CLUSTER_NAME,
      type: 'STRICT_DNS',
      connect_timeout: connectTimeout,
      // Re-resolve often: control-plane replicas come and go with their tasks.
      dns_refresh_rate: '5s',
      respect_dns_ttl: true,
      dns_lookup_family: 'V4_PREFERRED',
      typed_extension_protocol_options: http2(keepalive),
      upstream_connection_options: {
        tcp_keepalive: { keepalive_time: 60, keepalive_interval: 10, keepalive_probes: 3 },
      },
      load_assignment: {
        cluster_name: XDS_CLUSTER_NAME,
        endpoints: [{
          lb_endpoints: [{
            endpoint: {
              address: {
                socket_address: { address: options.controlPlaneHost, port_value: options.controlPlanePort },
              },
            },
          }],
        }],
      },
    };
    // As App Mesh's agent defined it: a static HTTP/2 cluster on the socket, 1 s connect timeout.
    const sdsCluster = options.sdsSocketPath !== undefined ? [{
      name: SDS_CLUSTER_NAME,
      type: 'STATIC',
      connect_timeout: '1s',
      typed_extension_protocol_options: http2({}),
      load_assignment: pipeAssignment(SDS_CLUSTER_NAME, options.sdsSocketPath),
    }] : [];
    const observability = renderObservability(options.nodeId, options);
    const configSource = () => ({
      ads: {},
      resource_api_version: 'V3',
      initial_fetch_timeout: initialFetchTimeout,
    });
    return {
      node: {
        id: options.nodeId,
        cluster: options.cluster ?? options.nodeId,
      },
      admin: {
        address: { socket_address: { address: options.adminAddress ?? '0.0.0.0', port_value: adminPort } },
        access_log: [{
          name: 'envoy.access_loggers.file',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog',
            'path': '/tmp/envoy_admin_access.log',
          },
        }],
      },
      dynamic_resources: {
        ads_config: {
          api_type: 'GRPC',
          transport_api_version: 'V3',
          grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER_NAME } }],
        },
        lds_config: configSource(),
        cds_config: configSource(),
      },
      static_resources: {
        clusters: [xdsCluster, ...sdsCluster, ...observability.clusters],
      },
      layered_runtime: {
        layers: [
          { name: 'static', static_layer: APP_MESH_STATIC_RUNTIME },
          { name: 'admin', admin_layer: {} },
        ],
      },
      ...observability.fields,
    };
  }

  /** The bootstrap as compact JSON (token strings stay in place for CloudFormation to fill in). */
  public static toJson(options: EnvoyBootstrapOptions): string {
    return JSON.stringify(EnvoyBootstrap.render(options));
  }

  private constructor() {}
}

/** A Duration as proto3 JSON (`"1.5s"`). */
function seconds(duration: Duration): string {
  if (Token.isUnresolved(duration.toMilliseconds({ integral: false }))) {
    throw new Error('Envoy bootstrap durations must be known at synth time');
  }
  const ms = duration.toMilliseconds({ integral: false });
  return `${ms / 1000}s`;
}
