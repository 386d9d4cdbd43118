import { checkIpAddress, checkPort } from './private/collector-cluster';

/** What a stats sink contributes to an Envoy bootstrap, and to the App Mesh image's environment. */
export interface EnvoyStatsSinkConfig {
  /** One entry of the bootstrap's `stats_sinks` (proto3 JSON). */
  readonly sink: any;

  /**
   * Variables that make App Mesh's image agent render the same sink when it writes the bootstrap.
   * @default - the image's agent has no such sink
   */
  readonly appMeshImageEnvironment?: { [name: string]: string };
}

/** Options of `EnvoyStatsSink.statsd`. */
export interface StatsdSinkOptions {
  /**
   * IP address of the StatsD server (Envoy sends UDP datagrams to it, without DNS).
   * @default '127.0.0.1'
   */
  readonly address?: string;

  /**
   * UDP port of the StatsD server.
   * @default 8125
   */
  readonly port?: number;
}

/** Options of `EnvoyStatsSink.dogStatsd`. */
export interface DogStatsdSinkOptions {
  /**
   * IP address of the DogStatsD server (Envoy sends UDP datagrams to it, without DNS).
   * Not with `socketPath`.
   * @default '127.0.0.1' - a Datadog agent container in the same task
   */
  readonly address?: string;

  /**
   * UDP port of the DogStatsD server. Not with `socketPath`.
   * @default 8125
   */
  readonly port?: number;

  /**
   * Unix datagram socket of the DogStatsD server, instead of UDP (the socket's directory must
   * be a volume shared with the Datadog agent's container).
   * @default - UDP to `address:port`
   */
  readonly socketPath?: string;
}

/**
 * Where Envoy pushes its stats, besides its admin endpoint (`/stats`, `/stats/prometheus`).
 * Stats leave with Envoy's own names; with the default stats tags, the mesh and proxy names
 * travel as tags.
 */
export abstract class EnvoyStatsSink {
  /** Plain StatsD over UDP (`envoy.stat_sinks.statsd`). */
  public static statsd(options: StatsdSinkOptions = {}): EnvoyStatsSink {
    return new StatsdSink(options);
  }

  /**
   * DogStatsD (StatsD with tags) over UDP or a Unix socket (`envoy.stat_sinks.dog_statsd`), as
   * App Mesh's image sent with `ENABLE_ENVOY_DOG_STATSD`.
   */
  public static dogStatsd(options: DogStatsdSinkOptions = {}): EnvoyStatsSink {
    return new DogStatsdSink(options);
  }

  /** The bootstrap entry of this sink. */
  public abstract bind(): EnvoyStatsSinkConfig;
}

class StatsdSink extends EnvoyStatsSink {
  constructor(private readonly options: StatsdSinkOptions) {
    super();
    if (options.address !== undefined) checkIpAddress('EnvoyStatsSink.statsd', 'address', options.address);
    if (options.port !== undefined) checkPort('EnvoyStatsSink.statsd', 'port', options.port);
  }

  public bind(): EnvoyStatsSinkConfig {
    return {
      sink: {
        name: 'envoy.stat_sinks.statsd',
        typed_config: {
          '@type': 'type.googleapis.com/envoy.config.metrics.v3.StatsdSink',
          'address': udpAddress(this.options.address, this.options.port),
        },
      },
    };
  }
}

class DogStatsdSink extends EnvoyStatsSink {
  constructor(private readonly options: DogStatsdSinkOptions) {
    super();
    const where = 'EnvoyStatsSink.dogStatsd';
    if (options.socketPath !== undefined && (options.address !== undefined || options.port !== undefined)) {
      throw new Error(`${where}: set socketPath or address and port, not both`);
    }
    if (options.socketPath === '') throw new Error(`${where}: socketPath must not be empty`);
    if (options.address !== undefined) checkIpAddress(where, 'address', options.address);
    if (options.port !== undefined) checkPort(where, 'port', options.port);
  }

  public bind(): EnvoyStatsSinkConfig {
    const o = this.options;
    const address = o.socketPath !== undefined ? { pipe: { path: o.socketPath } } : udpAddress(o.address, o.port);
    const environment: { [name: string]: string } = { ENABLE_ENVOY_DOG_STATSD: '1' };
    if (o.address !== undefined) environment.STATSD_ADDRESS = o.address;
    if (o.port !== undefined) environment.STATSD_PORT = String(o.port);
    if (o.socketPath !== undefined) environment.STATSD_SOCKET_PATH = o.socketPath;
    return {
      sink: {
        name: 'envoy.stat_sinks.dog_statsd',
        typed_config: { '@type': 'type.googleapis.com/envoy.config.metrics.v3.DogStatsdSink', address },
      },
      appMeshImageEnvironment: environment,
    };
  }
}

function udpAddress(address: string | undefined, port: number | undefined): any {
  return { socket_address: { protocol: 'UDP', address: address ?? '127.0.0.1', port_value: port ?? 8125 } };
}
