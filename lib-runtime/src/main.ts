/**
 * open-app-mesh-control-plane: serves a mesh spec to Envoy and proxyless gRPC clients over xDS.
 *
 *   open-app-mesh-control-plane --spec mesh-spec.json --endpoints static:endpoints.json
 */
import { ControlPlane } from './control-plane';
import type { CloudMapHealthFilter } from './discovery/cloud-map';
import { CompositeDiscovery } from './discovery/composite';
import { DnsDiscovery } from './discovery/dns';
import { StaticFileDiscovery } from './discovery/static-file';
import { EndpointDiscovery } from './discovery/types';
import { isLogLevel, Logger, LogLevel } from './log';
import { FileSpecSource } from './sources/file-spec-source';
import { SpecSource } from './sources/spec-source';

// The AWS SDK (S3, Cloud Map) and the sources built on it are required only in the branches that
// use them: loading the SDK takes ~0.2 s of a cold start (bench profile), which a deployment with
// a spec file and static or DNS endpoints should not pay. `import type` and the `typeof import()`
// casts keep the types without loading anything.
/* eslint-disable @typescript-eslint/no-require-imports */
function loadCloudMap(): [typeof import('./discovery/cloud-map'), typeof import('@aws-sdk/client-servicediscovery')] {
  return [require('./discovery/cloud-map'), require('@aws-sdk/client-servicediscovery')];
}
function loadS3(): [typeof import('./sources/s3-spec-source'), typeof import('@aws-sdk/client-s3')] {
  return [require('./sources/s3-spec-source'), require('@aws-sdk/client-s3')];
}
/* eslint-enable @typescript-eslint/no-require-imports */

export const USAGE = `Usage: open-app-mesh-control-plane --spec <file> [options]

Serves the mesh spec in <file> (JSON written by the open-app-mesh constructs) over xDS (ADS,
SotW and delta) to Envoy sidecars and gateways and to proxyless gRPC clients.

Options:
  --spec <file | s3://bucket/key>
                              mesh spec JSON (required): a local file (watched) or an S3 object
                              (polled with conditional GETs); every new version is validated and an
                              invalid one is rejected while the last good spec keeps being served
  --spec-poll-interval <ms>   S3 spec polling interval (default 10000)
  --endpoints <source>        endpoint discovery, repeatable; later sources win per node:
                                static:<file>      JSON {"<virtual node>": [{"address","port"}]}, watched
                                dns[:<ip[:port]>,…] resolve nodes' serviceDiscovery.dns hostnames
                                cloudmap           Cloud Map DiscoverInstances for awsCloudMap nodes
                                none               no discovery (Envoy resolves DNS nodes itself)
                              default: cloudmap (polls only nodes that use Cloud Map)
  --xds-port <port>           xDS gRPC port (default 18000)
  --admin-port <port>         admin HTTP port: /healthz /readyz /metrics /config_dump /clients (default 18001)
  --bind <address>            address both ports bind to (default 0.0.0.0)
  --log-level <level>         debug | info | warn | error (default info)
  --region <region>           AWS region for Cloud Map and S3 (default: AWS_REGION / the SDK's chain)
  --cloudmap-health <filter>  HEALTHY (default) | HEALTHY_OR_ELSE_ALL | ALL
  --poll-interval <ms>        DNS and Cloud Map polling interval (default 5000)
  --drain-timeout <seconds>   on SIGTERM, time given to streams to end (default 5)
  -h, --help                  this text
`;

export interface CliOptions {
  readonly spec: string;
  readonly specPollIntervalMs?: number;
  readonly endpoints: readonly string[];
  readonly xdsPort: number;
  readonly adminPort: number;
  readonly bind: string;
  readonly logLevel: LogLevel;
  readonly region?: string;
  readonly cloudMapHealth: CloudMapHealthFilter;
  readonly pollIntervalMs?: number;
  readonly drainSeconds: number;
}

export class UsageError extends Error {}

/** Parses argv (without node and script); throws UsageError with a message fit for the user. */
export function parseArgs(argv: readonly string[]): CliOptions | 'help' {
  const values: Record<string, string[]> = {};
  const known = ['spec', 'spec-poll-interval', 'endpoints', 'xds-port', 'admin-port', 'bind', 'log-level', 'region', 'cloudmap-health', 'poll-interval', 'drain-timeout'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    (values[name] ??= []).push(value);
  }
  const one = (name: string): string | undefined => {
    const v = values[name];
    if (v && v.length > 1) throw new UsageError(`--${name} given more than once`);
    return v?.[0];
  };
  const port = (name: string, fallback: number): number => {
    const raw = one(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} must be a port number (0-65535), got "${raw}"`);
    return n;
  };
  const spec = one('spec');
  if (!spec) throw new UsageError('--spec <file> is required');
  const logLevel = one('log-level') ?? 'info';
  if (!isLogLevel(logLevel)) throw new UsageError(`--log-level must be debug, info, warn or error, got "${logLevel}"`);
  const cloudMapHealth = one('cloudmap-health') ?? 'HEALTHY';
  if (!['HEALTHY', 'HEALTHY_OR_ELSE_ALL', 'ALL'].includes(cloudMapHealth)) {
    throw new UsageError(`--cloudmap-health must be HEALTHY, HEALTHY_OR_ELSE_ALL or ALL, got "${cloudMapHealth}"`);
  }
  const endpoints = values.endpoints ?? ['cloudmap'];
  for (const e of endpoints) parseEndpointSource(e);
  const millis = (name: string): number | undefined => {
    const raw = one(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 10) throw new UsageError(`--${name} must be a number of milliseconds ≥ 10, got "${raw}"`);
    return n;
  };
  const pollIntervalMs = millis('poll-interval');
  const specPollIntervalMs = millis('spec-poll-interval');
  const drainRaw = one('drain-timeout') ?? '5';
  const drainSeconds = Number(drainRaw);
  if (!Number.isFinite(drainSeconds) || drainSeconds < 0) throw new UsageError(`--drain-timeout must be seconds ≥ 0, got "${drainRaw}"`);
  const region = one('region');
  return {
    spec,
    ...(specPollIntervalMs !== undefined ? { specPollIntervalMs } : {}),
    endpoints,
    xdsPort: port('xds-port', 18000),
    adminPort: port('admin-port', 18001),
    bind: one('bind') ?? '0.0.0.0',
    logLevel,
    ...(region ? { region } : {}),
    cloudMapHealth: cloudMapHealth as CloudMapHealthFilter,
    ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
    drainSeconds,
  };
}

type EndpointSource = { kind: 'static'; file: string } | { kind: 'dns'; servers: string[] } | { kind: 'cloudmap' } | { kind: 'none' };

export function parseEndpointSource(value: string): EndpointSource {
  if (value === 'none') return { kind: 'none' };
  if (value === 'cloudmap') return { kind: 'cloudmap' };
  if (value === 'dns') return { kind: 'dns', servers: [] };
  if (value.startsWith('dns:')) {
    const servers = value.slice(4).split(',').filter((s) => s.length > 0);
    if (servers.length === 0) throw new UsageError('--endpoints dns:<server> needs at least one server');
    return { kind: 'dns', servers };
  }
  if (value.startsWith('static:') && value.length > 'static:'.length) return { kind: 'static', file: value.slice('static:'.length) };
  throw new UsageError(`--endpoints must be static:<file>, dns[:<server>,…], cloudmap or none, got "${value}"`);
}

/** The endpoint discovery the options name (exported for tests). */
export function buildDiscovery(options: CliOptions, log: Logger): EndpointDiscovery {
  const timing = options.pollIntervalMs !== undefined ? { intervalMs: options.pollIntervalMs } : {};
  const sources: EndpointDiscovery[] = [];
  for (const raw of options.endpoints) {
    const source = parseEndpointSource(raw);
    const sourceLog = log.child({ component: 'discovery', source: source.kind });
    switch (source.kind) {
      case 'static':
        sources.push(new StaticFileDiscovery(source.file, sourceLog));
        break;
      case 'dns':
        sources.push(new DnsDiscovery({ servers: source.servers, timing, log: sourceLog }));
        break;
      case 'cloudmap': {
        const [{ CloudMapDiscovery }, { ServiceDiscoveryClient }] = loadCloudMap();
        sources.push(new CloudMapDiscovery({
          client: new ServiceDiscoveryClient(options.region ? { region: options.region } : {}),
          healthStatus: options.cloudMapHealth,
          timing,
          log: sourceLog,
        }));
        break;
      }
      case 'none':
        break;
    }
  }
  return new CompositeDiscovery(sources);
}

/** The spec source the options name: a file, or an S3 object for s3:// (exported for tests). */
export function buildSpecSource(options: CliOptions, log: Logger): SpecSource {
  const specLog = log.child({ component: 'spec' });
  if (!options.spec.startsWith('s3://')) return new FileSpecSource(options.spec, specLog);
  const [{ parseS3SpecUrl, S3SpecSource }, { S3Client }] = loadS3();
  const s3 = parseS3SpecUrl(options.spec);
  if (!s3) return new FileSpecSource(options.spec, specLog);
  return new S3SpecSource({
    ...s3,
    client: new S3Client(options.region ? { region: options.region } : {}),
    log: specLog,
    ...(options.specPollIntervalMs !== undefined ? { pollIntervalMs: options.specPollIntervalMs } : {}),
  });
}

/** Formats an address for host:port (brackets around IPv6 literals). */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Runs the control plane until SIGTERM or SIGINT; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`open-app-mesh-control-plane: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = new Logger(options.logLevel, { service: 'open-app-mesh-control-plane' });
  const controlPlane = new ControlPlane({
    spec: buildSpecSource(options, log),
    discovery: buildDiscovery(options, log),
    xdsAddress: hostPort(options.bind, options.xdsPort),
    adminHost: options.bind,
    adminPort: options.adminPort,
    log: log.child({ component: 'control-plane' }),
    drainMs: options.drainSeconds * 1000,
  });

  let stopping: Promise<void> | undefined;
  const done = new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      if (stopping) {
        log.warn('second signal: exiting now', { signal });
        resolve(1);
        return;
      }
      log.info('signal received: draining', { signal });
      stopping = controlPlane.stop().then(() => resolve(0), (error) => {
        log.error('shutdown failed', { error });
        resolve(1);
      });
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  });

  try {
    await controlPlane.start();
  } catch (error) {
    log.error('control plane failed to start', { error });
    await controlPlane.stop().catch(() => undefined);
    return 1;
  }
  return done;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`open-app-mesh-control-plane: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
