/**
 * `open-app-mesh agent [options]`: flags, then the agent until SIGTERM or SIGINT.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs as nodeParseArgs } from 'node:util';
import { describeError, isLogLevel, Logger, type LogLevel } from '../log';
import { isLoopbackHost } from '../loopback';
import { Agent, type AgentOptions } from './agent';
import { awsIamCredential, kubernetesTokenCredential, type CredentialSource } from './identity-credential';

export const AGENT_USAGE = `Usage: open-app-mesh agent --node-id <id> --identity <aws-iam|kubernetes> --control-plane <url> --ca-bundle <file> [outputs]

Runs beside Envoy or a proxyless gRPC application: proves the workload's identity to the control
plane, keeps a short-lived certificate for the node (EC P-256 key made here, renewed at about half
its lifetime) and hands it on.

Identity:
  --node-id <id>              mesh/<mesh>/virtualNode/<name> or mesh/<mesh>/virtualGateway/<name>
  --identity aws-iam          sign sts:GetCallerIdentity with the AWS credentials the SDK finds
                              (ECS task role); needs --server-id and a region
  --server-id <id>            the control plane's id, signed into the request (aws-iam)
  --region <region>           STS region (aws-iam; default AWS_REGION or AWS_DEFAULT_REGION)
  --sts-endpoint <url>        another STS origin the control plane also accepts (aws-iam)
  --identity kubernetes       send the projected service-account token in --token-file
  --token-file <file>         re-read at each renewal (kubernetes)
Control plane:
  --control-plane <url>       https://host:port of the certificate exchange
  --ca-bundle <file>          roots the control plane's certificates must chain to (required:
                              no trust on first use); re-read at each renewal
  --ca-bundle-env <VAR>       instead of --ca-bundle: the roots (PEM) in environment variable VAR,
                              e.g. injected by ECS from a secret; written to a private file in
                              TMPDIR at start
Outputs (at least one):
  --out-dir <dir>             cert.pem, key.pem (0600) and ca.pem, replaced atomically
  --sds-socket <path>         SDS on a Unix socket: secrets "default" and "ROOTCA"
  --xds-address <host:port>   the control plane's xDS port; starts the xDS proxy, which carries the
                              local client's ADS streams there over mutual TLS
  --xds-proxy-listen <addr>   where the proxy listens in plaintext: unix:<path> or a loopback
                              host:port (default 127.0.0.1:15010); streams must claim --node-id
Other:
  --health-port <port>        GET /ready on 127.0.0.1: 200 while a valid certificate is held
  --log-level <level>         debug, info (default), warn or error
`;

export class AgentUsageError extends Error {}

const OPTIONS = {
  'node-id': { type: 'string' },
  'identity': { type: 'string' },
  'server-id': { type: 'string' },
  'region': { type: 'string' },
  'sts-endpoint': { type: 'string' },
  'token-file': { type: 'string' },
  'control-plane': { type: 'string' },
  'ca-bundle': { type: 'string' },
  'ca-bundle-env': { type: 'string' },
  'out-dir': { type: 'string' },
  'sds-socket': { type: 'string' },
  'xds-address': { type: 'string' },
  'xds-proxy-listen': { type: 'string' },
  'health-port': { type: 'string' },
  'log-level': { type: 'string' },
  'help': { type: 'boolean', short: 'h' },
} as const;

const NODE_ID = /^mesh\/[A-Za-z0-9._-]+\/(virtualNode|virtualGateway)\/[A-Za-z0-9._-]+$/;

export interface AgentCommandOptions extends Omit<AgentOptions, 'log' | 'credential' | 'caBundleFile'> {
  /** --ca-bundle; or else the PEM of --ca-bundle-env, written to a file when the agent starts. */
  readonly caBundleFile?: string;
  readonly caBundlePem?: string;
  readonly identity: { readonly type: 'aws-iam'; readonly serverId: string; readonly region: string; readonly stsEndpoint?: string }
  | { readonly type: 'kubernetes'; readonly tokenFile: string };
  readonly logLevel: LogLevel;
}

/** Parses the agent's flags; throws AgentUsageError naming the flag. */
export function parseAgentArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): AgentCommandOptions | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = nodeParseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new AgentUsageError((err as Error).message);
  }
  if (values.help) return 'help';
  const one = (name: string): string | undefined => values[name] as string | undefined;
  const required = (name: string, why = ''): string => {
    const value = one(name);
    if (!value) throw new AgentUsageError(`--${name} is required${why}`);
    return value;
  };
  const nodeId = required('node-id');
  if (!NODE_ID.test(nodeId)) throw new AgentUsageError(`--node-id must be mesh/<mesh>/virtualNode/<name> or mesh/<mesh>/virtualGateway/<name>, got "${nodeId}"`);
  const identityType = required('identity');
  let identity: AgentCommandOptions['identity'];
  if (identityType === 'aws-iam') {
    const region = one('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
    if (!region) throw new AgentUsageError('--region is required with --identity aws-iam when AWS_REGION is not set');
    const stsEndpoint = one('sts-endpoint');
    identity = { type: 'aws-iam', serverId: required('server-id', ' with --identity aws-iam'), region, ...(stsEndpoint ? { stsEndpoint } : {}) };
  } else if (identityType === 'kubernetes') {
    identity = { type: 'kubernetes', tokenFile: required('token-file', ' with --identity kubernetes') };
  } else {
    throw new AgentUsageError(`--identity must be aws-iam or kubernetes, got "${identityType}"`);
  }
  const controlPlaneUrl = required('control-plane');
  if (!controlPlaneUrl.startsWith('https://')) throw new AgentUsageError(`--control-plane must be an https:// URL, got "${controlPlaneUrl}"`);
  const caBundle = caBundleOf(one('ca-bundle'), one('ca-bundle-env'), env);
  const outDir = one('out-dir');
  const sdsSocket = one('sds-socket');
  const upstream = one('xds-address');
  if (!outDir && !sdsSocket && !upstream) throw new AgentUsageError('give at least one output: --out-dir, --sds-socket or --xds-address');
  const listen = one('xds-proxy-listen') ?? '127.0.0.1:15010';
  if (one('xds-proxy-listen') !== undefined && !upstream) throw new AgentUsageError('--xds-proxy-listen needs --xds-address');
  if (upstream) checkLoopbackListen(listen);
  let healthPort: number | undefined;
  const healthRaw = one('health-port');
  if (healthRaw !== undefined) {
    healthPort = Number(healthRaw);
    if (!/^\d+$/.test(healthRaw) || healthPort > 65535) throw new AgentUsageError(`--health-port must be a port number (0-65535), got "${healthRaw}"`);
  }
  const logLevel = one('log-level') ?? 'info';
  if (!isLogLevel(logLevel) || logLevel === 'silent') throw new AgentUsageError(`--log-level must be debug, info, warn or error, got "${logLevel}"`);
  return {
    nodeId,
    identity,
    controlPlaneUrl,
    ...caBundle,
    ...(outDir ? { outDir } : {}),
    ...(sdsSocket ? { sdsSocket } : {}),
    ...(upstream ? { xdsProxy: { listen, upstream } } : {}),
    ...(healthPort !== undefined ? { healthPort } : {}),
    logLevel,
  };
}

type CaBundle = { caBundleFile: string } | { caBundlePem: string };

function caBundleOf(file: string | undefined, variable: string | undefined, env: NodeJS.ProcessEnv): CaBundle {
  if (file && variable) throw new AgentUsageError('give --ca-bundle or --ca-bundle-env, not both');
  if (file) return { caBundleFile: file };
  if (!variable) throw new AgentUsageError('--ca-bundle is required (the roots that sign the control plane\'s certificate)');
  const pem = env[variable];
  if (!pem) throw new AgentUsageError(`--ca-bundle-env ${variable}: the variable is not set`);
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new AgentUsageError(`--ca-bundle-env ${variable}: holds no PEM certificate`);
  return { caBundlePem: pem };
}

/** Writes the roots of --ca-bundle-env where the agent reads --ca-bundle from: a new 0700 directory in TMPDIR. */
export async function writeCaBundleFile(pem: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'open-app-mesh-agent-'));
  const file = path.join(dir, 'ca-bundle.pem');
  await fs.writeFile(file, pem, { mode: 0o600, flag: 'wx' });
  return file;
}

/** The proxy speaks plaintext: it may listen only where no other host can reach it. */
function checkLoopbackListen(listen: string): void {
  if (listen.startsWith('unix:')) {
    if (listen.length === 'unix:'.length) throw new AgentUsageError('--xds-proxy-listen unix: needs a path');
    return;
  }
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(listen);
  const host = match?.[1] ?? match?.[2];
  if (!match || !isLoopbackHost(host!) || Number(match[3]) > 65535) {
    throw new AgentUsageError(`--xds-proxy-listen must be unix:<path> or a loopback host:port (127.0.0.1, [::1], localhost), got "${listen}"`);
  }
}

export function credentialSourceOf(identity: AgentCommandOptions['identity']): CredentialSource {
  if (identity.type === 'kubernetes') return kubernetesTokenCredential(identity.tokenFile);
  const { region, serverId, stsEndpoint } = identity;
  return awsIamCredential({ region, serverId, ...(stsEndpoint ? { stsEndpoint } : {}) });
}

/** Runs the agent until SIGTERM or SIGINT; returns the process exit code. */
export async function runAgentCommand(argv: readonly string[]): Promise<number> {
  let options: AgentCommandOptions | 'help';
  try {
    options = parseAgentArgs(argv);
  } catch (error) {
    if (!(error instanceof AgentUsageError)) throw error;
    process.stderr.write(`open-app-mesh agent: ${error.message}\n\n${AGENT_USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(AGENT_USAGE);
    return 0;
  }
  const log = new Logger(options.logLevel, { service: 'open-app-mesh-agent', nodeId: options.nodeId });
  const { identity, logLevel, caBundlePem, caBundleFile, ...rest } = options;
  let caFile: string;
  try {
    caFile = caBundleFile ?? await writeCaBundleFile(caBundlePem!);
  } catch (error) {
    log.error('agent failed to start: --ca-bundle-env roots cannot be written to TMPDIR', { tmpdir: os.tmpdir(), error: describeError(error) });
    return 1;
  }
  const agent = new Agent({ ...rest, caBundleFile: caFile, credential: credentialSourceOf(identity), log });
  // A bug must not drop the local proxy's streams: log it and keep serving (as the control plane does).
  process.on('unhandledRejection', (reason) => log.error('internal error (a bug): unhandled promise rejection', { error: describeError(reason) }));
  process.on('uncaughtException', (error) => {
    log.error('internal error (a bug): uncaught exception', { error: describeError(error), stack: error.stack });
  });
  try {
    await agent.start();
  } catch (error) {
    log.error('agent failed to start', { error: describeError(error) });
    await agent.stop().catch(() => undefined);
    return 1;
  }
  log.info('agent started', { identity: identity.type });
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      log.info('signal received: stopping', { signal });
      agent.stop().then(() => resolve(0), () => resolve(1));
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
