/**
 * open-app-mesh-control-plane: serves a mesh spec to Envoy and proxyless gRPC clients over xDS.
 *
 *   open-app-mesh-control-plane --spec mesh-spec.json --endpoints static:endpoints.json
 */
import { parseArgs as nodeParseArgs, ParseArgsConfig } from 'node:util';
import { ControlPlane } from './control-plane';
import type { CloudMapHealthFilter } from './discovery/cloud-map';
import { CompositeDiscovery } from './discovery/composite';
import { DnsDiscovery } from './discovery/dns';
import { StaticFileDiscovery } from './discovery/static-file';
import { EndpointDiscovery } from './discovery/types';
import { describeError, isLogLevel, Logger, LogLevel } from './log';
import { FileSpecSource } from './sources/file-spec-source';
import { DEFAULT_MAX_SPEC_BYTES } from './sources/spec-size-limit';
import { SpecSource } from './sources/spec-source';
import { DEFAULT_XDS_LIMITS, XDS_LIMIT_FLAGS, XdsLimits } from './xds/limits';

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

const LIMIT_NAMES = Object.keys(DEFAULT_XDS_LIMITS) as Array<keyof XdsLimits>;

/** Flag name (without --) of each xDS limit, from the one table the xDS server names in refusals. */
const LIMIT_FLAG_NAMES = new Map(LIMIT_NAMES.map((key) => [XDS_LIMIT_FLAGS[key].slice(2), key]));

const LIMIT_HELP: Readonly<Record<keyof XdsLimits, string>> = {
  maxNodeBytes: 'encoded size of the node in a stream\'s first request',
  maxNodeIdLength: 'length of node.id, in characters',
  maxMetadataDepth: 'nesting depth of node.metadata',
  maxResourceNamesPerRequest: 'resource names in one request',
  maxStreamsPerConnection: 'concurrent streams on one connection',
  maxStreams: 'concurrent streams in total',
};

function usageLine(flag: string, text: string): string {
  return flag.length < 28 ? `  ${flag.padEnd(28)}${text}` : `  ${flag}\n${' '.repeat(30)}${text}`;
}

export const USAGE = `Usage: open-app-mesh-control-plane --spec <file> [options]

Serves the mesh spec in <file> (JSON written by the open-app-mesh constructs) over xDS (ADS,
SotW and delta) to Envoy sidecars and gateways and to proxyless gRPC clients.

Options:
  --spec <file | s3://bucket/key>
                              mesh spec JSON (required): a local file (watched) or an S3 object
                              (polled with conditional GETs); every new version is validated and an
                              invalid one is rejected while the last good spec keeps being served
  --spec-poll-interval <ms>   S3 spec polling interval (default 10000)
  --max-spec-bytes <bytes>    largest spec accepted (default ${DEFAULT_MAX_SPEC_BYTES}, 32 MiB); a bigger
                              file or object is rejected before it is read in full
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
  --drain-timeout <seconds>   on SIGTERM or SIGINT: /readyz answers 503 and new xDS streams are
                              refused at once, open streams are ended (status OK; clients keep
                              their configuration and reconnect) spread over this many seconds,
                              then the process exits 0 (default 5)
  -h, --help                  this text

xDS limits (positive integers; a stream over one is refused with a gRPC status naming the flag):
${LIMIT_NAMES.map((key) => usageLine(`${XDS_LIMIT_FLAGS[key]} <n>`, `${LIMIT_HELP[key]} (default ${DEFAULT_XDS_LIMITS[key]})`)).join('\n')}
`;

export interface CliOptions {
  readonly spec: string;
  readonly specPollIntervalMs?: number;
  /** Largest spec accepted, in bytes. */
  readonly maxSpecBytes: number;
  readonly endpoints: readonly string[];
  readonly xdsPort: number;
  readonly adminPort: number;
  readonly bind: string;
  readonly logLevel: LogLevel;
  readonly region?: string;
  readonly cloudMapHealth: CloudMapHealthFilter;
  readonly pollIntervalMs?: number;
  readonly drainSeconds: number;
  /** Only the limits given on the command line; the xDS server defaults the rest. */
  readonly xdsLimits?: Partial<XdsLimits>;
}

export class UsageError extends Error {}

/** The flags, for util.parseArgs. Every value is read as a string and checked below. */
const OPTIONS = {
  'spec': { type: 'string' },
  'spec-poll-interval': { type: 'string' },
  'max-spec-bytes': { type: 'string' },
  'endpoints': { type: 'string', multiple: true },
  'xds-port': { type: 'string' },
  'admin-port': { type: 'string' },
  'bind': { type: 'string' },
  'log-level': { type: 'string' },
  'region': { type: 'string' },
  'cloudmap-health': { type: 'string' },
  'poll-interval': { type: 'string' },
  'drain-timeout': { type: 'string' },
  'help': { type: 'boolean', short: 'h' },
  ...Object.fromEntries([...LIMIT_FLAG_NAMES.keys()].map((name) => [name, { type: 'string' }])),
} satisfies NonNullable<ParseArgsConfig['options']>;

/** Parses argv (without node and script); throws UsageError with a message fit for the user. */
export function parseArgs(argv: readonly string[]): CliOptions | 'help' {
  // Help wins over anything else on the line, as before.
  if (lenientTokens(argv).some((t) => t.kind === 'option' && t.name === 'help' && t.value === undefined)) return 'help';
  let parsed: ReturnType<typeof parseArgsStrict>;
  try {
    parsed = parseArgsStrict(argv);
  } catch (error) {
    throw usageErrorOf(argv, error);
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  for (const [name, count] of countOptions(parsed.tokens ?? [])) {
    if (count > 1 && name !== 'endpoints') throw new UsageError(`--${name} given more than once`);
  }
  const one = (name: string): string | undefined => values[name] as string | undefined;
  const port = (name: string, fallback: number): number => {
    const raw = one(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n > 65535) throw new UsageError(`--${name} must be a port number (0-65535), got "${raw}"`);
    return n;
  };
  const positive = (name: string, what: string): number | undefined => {
    const raw = one(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive whole number${what}, got "${raw}"`);
    return n;
  };
  const spec = one('spec');
  if (!spec) throw new UsageError('--spec <file> is required');
  const logLevel = one('log-level') ?? 'info';
  if (!isLogLevel(logLevel) || logLevel === 'silent') throw new UsageError(`--log-level must be debug, info, warn or error, got "${logLevel}"`);
  const cloudMapHealth = one('cloudmap-health') ?? 'HEALTHY';
  if (!['HEALTHY', 'HEALTHY_OR_ELSE_ALL', 'ALL'].includes(cloudMapHealth)) {
    throw new UsageError(`--cloudmap-health must be HEALTHY, HEALTHY_OR_ELSE_ALL or ALL, got "${cloudMapHealth}"`);
  }
  const endpoints = (values.endpoints as string[] | undefined) ?? ['cloudmap'];
  for (const e of endpoints) parseEndpointSource(e);
  const millis = (name: string): number | undefined => {
    const raw = one(name);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 10) throw new UsageError(`--${name} must be a number of milliseconds ≥ 10, got "${raw}"`);
    return n;
  };
  const pollIntervalMs = millis('poll-interval');
  const specPollIntervalMs = millis('spec-poll-interval');
  const drainRaw = one('drain-timeout') ?? '5';
  const drainSeconds = Number(drainRaw);
  if (drainRaw.trim() === '' || !Number.isFinite(drainSeconds) || drainSeconds < 0) {
    throw new UsageError(`--drain-timeout must be seconds ≥ 0, got "${drainRaw}"`);
  }
  const xdsLimits: Partial<Record<keyof XdsLimits, number>> = {};
  for (const [name, key] of LIMIT_FLAG_NAMES) {
    const n = positive(name, '');
    if (n !== undefined) xdsLimits[key] = n;
  }
  const region = one('region');
  return {
    spec,
    ...(specPollIntervalMs !== undefined ? { specPollIntervalMs } : {}),
    maxSpecBytes: positive('max-spec-bytes', ' of bytes') ?? DEFAULT_MAX_SPEC_BYTES,
    endpoints,
    xdsPort: port('xds-port', 18000),
    adminPort: port('admin-port', 18001),
    bind: one('bind') ?? '0.0.0.0',
    logLevel,
    ...(region ? { region } : {}),
    cloudMapHealth: cloudMapHealth as CloudMapHealthFilter,
    ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
    drainSeconds,
    ...(Object.keys(xdsLimits).length > 0 ? { xdsLimits } : {}),
  };
}

function parseArgsStrict(argv: readonly string[]) {
  return nodeParseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false, tokens: true });
}

/** The tokens of argv without any checks, to say precisely what a strict parse refused. */
function lenientTokens(argv: readonly string[]) {
  return nodeParseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, tokens: true }).tokens;
}

function countOptions(tokens: ReturnType<typeof lenientTokens>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tokens) if (t.kind === 'option') counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  return counts;
}

/** util.parseArgs's error as a message naming the flag (or argument) and what was expected. */
function usageErrorOf(argv: readonly string[], error: unknown): UsageError {
  for (const t of lenientTokens(argv)) {
    if (t.kind === 'positional') return new UsageError(`unexpected argument "${t.value}"`);
    if (t.kind !== 'option') continue;
    const option = (OPTIONS as Record<string, { type: string }>)[t.name];
    if (option === undefined) return new UsageError(`unknown option ${t.rawName}`);
    if (option.type === 'string' && t.value === undefined) return new UsageError(`${t.rawName} needs a value`);
    if (option.type === 'string' && !t.inlineValue && t.value?.startsWith('-')) {
      return new UsageError(`${t.rawName} needs a value, got the option "${t.value}" (write ${t.rawName}=${t.value} if that is the value)`);
    }
    if (option.type === 'boolean' && t.value !== undefined) return new UsageError(`${t.rawName} takes no value`);
  }
  return new UsageError(error instanceof Error ? error.message : String(error));
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
  const fileSource = () => new FileSpecSource(options.spec, specLog, { maxBytes: options.maxSpecBytes });
  if (!options.spec.startsWith('s3://')) return fileSource();
  const [{ parseS3SpecUrl, S3SpecSource }, { S3Client }] = loadS3();
  const s3 = parseS3SpecUrl(options.spec);
  if (!s3) return fileSource();
  return new S3SpecSource({
    ...s3,
    maxBytes: options.maxSpecBytes,
    client: new S3Client(options.region ? { region: options.region } : {}),
    log: specLog,
    ...(options.specPollIntervalMs !== undefined ? { pollIntervalMs: options.specPollIntervalMs } : {}),
  });
}

/** Formats an address for host:port (brackets around IPv6 literals). */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A last line of defence, not the fix: inputs are handled where they arrive, and no listener or
 * timer path is meant to throw. Should a bug still let one escape, it is logged loudly, and the
 * process keeps serving what it holds instead of exiting, which would drop every client's stream
 * and, for an input-triggered bug, crash-loop on restart.
 */
function guardProcess(log: Logger): void {
  process.on('unhandledRejection', (reason) => log.error('internal error (a bug): unhandled promise rejection; still serving', { error: describeError(reason) }));
  process.on('uncaughtException', (error) => log.error('internal error (a bug): uncaught exception; still serving', { error: describeError(error), stack: error.stack }));
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
    ...(options.xdsLimits ? { xdsLimits: options.xdsLimits } : {}),
  });
  guardProcess(log);

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
