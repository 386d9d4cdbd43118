/**
 * open-app-mesh-control-plane: serves a mesh spec to Envoy and proxyless gRPC clients over xDS.
 *
 *   open-app-mesh-control-plane --spec mesh-spec.json --endpoints static:endpoints.json
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs as nodeParseArgs, ParseArgsConfig } from 'node:util';
import { ControlPlane } from './control-plane';
import type { CloudMapHealthFilter } from './discovery/cloud-map';
import { CompositeDiscovery } from './discovery/composite';
import { DnsDiscovery } from './discovery/dns';
import { StaticFileDiscovery } from './discovery/static-file';
import { EndpointDiscovery } from './discovery/types';
import type { MeshCa, SigningCaSource } from './identity/ca';
import { type CaStore, FileCaStore } from './identity/ca-store';
import type { CertificateExchangeServer } from './identity/exchange-server';
import { KubernetesApi } from './identity/kubernetes-api';
import { KubernetesSecretCaStore, parseObjectRef } from './identity/kubernetes-secret-ca-store';
import type { ServerTls } from './identity/server-tls';
import { SpiffeIdError, validateTrustDomain } from './identity/spiffe';
import { describeError, isLogLevel, Logger, LogLevel } from './log';
import { isLoopbackHost } from './loopback';
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
function loadAppConfig(): [typeof import('./sources/appconfig-spec-source'), typeof import('@aws-sdk/client-appconfigdata')] {
  return [require('./sources/appconfig-spec-source'), require('@aws-sdk/client-appconfigdata')];
}
function loadSecretsManager(): [typeof import('./identity/secrets-manager-ca-store'), typeof import('@aws-sdk/client-secrets-manager')] {
  return [require('./identity/secrets-manager-ca-store'), require('@aws-sdk/client-secrets-manager')];
}
function loadAcmPca(): [typeof import('./identity/acm-pca-signing-ca'), typeof import('@aws-sdk/client-acm-pca')] {
  return [require('./identity/acm-pca-signing-ca'), require('@aws-sdk/client-acm-pca')];
}
// The same for the CA, the server's certificate and the exchange: they load @peculiar/x509 (≈ 0.1 to
// 0.5 s of a cold start, bench profile), which --insecure-plaintext never uses.
function loadCa(): typeof import('./identity/ca') {
  return require('./identity/ca');
}
function loadServerTls(): typeof import('./identity/server-tls') {
  return require('./identity/server-tls');
}
function loadExchange(): [typeof import('./identity/exchange-server'), typeof import('./identity/aws-iam'), typeof import('./identity/kubernetes-token')] {
  return [require('./identity/exchange-server'), require('./identity/aws-iam'), require('./identity/kubernetes-token')];
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

/**
 * The default trust domain: fixed, so certificates outlive spec changes (a mesh name could change
 * with the spec); under `.internal`, the top-level domain reserved for private use, so it can
 * never be someone's real domain. Set your own when meshes are to trust each other.
 */
export const DEFAULT_TRUST_DOMAIN = 'open-app-mesh.internal';
const DEFAULT_CA_DIR = path.join(os.homedir(), '.open-app-mesh', 'ca');
const DEFAULT_TLS_NAMES = [...new Set([os.hostname(), 'localhost', '127.0.0.1', '::1'])];
/** How often the plaintext warning is repeated. */
const PLAINTEXT_WARNING_INTERVAL_MS = 10 * 60_000;

function usageLine(flag: string, text: string): string {
  return flag.length < 28 ? `  ${flag.padEnd(28)}${text}` : `  ${flag}\n${' '.repeat(30)}${text}`;
}

export const USAGE = `Usage: open-app-mesh-control-plane --spec <file> [options]

Serves the mesh spec in <file> (JSON written by the open-app-mesh constructs) over xDS (ADS,
SotW and delta) to Envoy sidecars and gateways and to proxyless gRPC clients.

Options:
  --spec <file | s3://bucket/key | appconfig://application/environment/profile>
                              mesh spec JSON (required): a local file (watched), an S3 object
                              (polled with conditional GETs) or an AWS AppConfig configuration
                              (a data plane session); every new version is validated and an
                              invalid one is rejected while the last good spec keeps being served
  --spec-poll-interval <ms>   S3 spec polling interval (default 10000); for AppConfig the
                              session's minimum poll interval (at least 15 s; default AppConfig's, 60 s)
  --max-spec-bytes <bytes>    largest spec accepted (default ${DEFAULT_MAX_SPEC_BYTES}, 32 MiB); a bigger
                              file or object is rejected before it is read in full
  --endpoints <source>        endpoint discovery, repeatable; later sources win per node:
                                static:<file>      JSON {"<virtual node>": [{"address","port"}]}, watched
                                dns[:<ip[:port]>,…] resolve nodes' serviceDiscovery.dns hostnames
                                cloudmap           Cloud Map DiscoverInstances for awsCloudMap nodes
                                none               no discovery (Envoy resolves DNS nodes itself)
                              default: cloudmap (polls only nodes that use Cloud Map)
  --xds-port <port>           xDS gRPC port (default 18000)
  --admin-port <port>         admin HTTP port: /healthz /readyz /metrics /config_dump /clients /spec /dashboard/ (default 18001)
  --exchange-port <port>      certificate exchange HTTPS port, POST /v1/certificate (default 18002)
  --xds-bind <address>        address the xDS and exchange ports bind to (default 0.0.0.0)
  --admin-bind <address>      address the admin port binds to (default 127.0.0.1)
  --bind <address>            sets both --xds-bind and --admin-bind (either given as well wins)
  --admin-token-file <file>   every admin path but /healthz then needs "Authorization: Bearer <token>"
                              (the file's content, surrounding white space removed)
  --log-level <level>         debug | info | warn | error (default info)
  --region <region>           AWS region for Cloud Map and S3 (default: AWS_REGION / the SDK's chain)
  --cloudmap-health <filter>  HEALTHY (default) | HEALTHY_OR_ELSE_ALL | ALL
  --poll-interval <ms>        DNS and Cloud Map polling interval (default 5000)
  --drain-timeout <seconds>   on SIGTERM or SIGINT: /readyz answers 503 and new xDS streams are
                              refused at once, open streams are ended (status OK; clients keep
                              their configuration and reconnect) spread over this many seconds,
                              then the process exits 0 (default 5)
  -h, --help                  this text

Trust (xDS is served over mutual TLS unless --insecure-plaintext is given):
  --trust-domain <name>       SPIFFE trust domain of the mesh's certificates (default ${DEFAULT_TRUST_DOMAIN})
  --ca-dir <dir>              where the mesh CA's root and key live (created 0700 if absent;
                              default ~/.open-app-mesh/ca); replicas must share one
  --ca-secret-arn <arn>       keep the mesh CA's root in this Secrets Manager secret instead of
                              --ca-dir (the secret must exist; the first replica stores a root in
                              it while it is empty, unless --ca-create=false)
  --ca-bundle-secret-arn <arn>
                              with --ca-secret-arn: publish the roots' certificates (no key) to
                              this secret on every load and rotation, for agents' --ca-bundle-env
  --ca-k8s-secret [<namespace>/]<name>
                              in a Kubernetes pod: keep the mesh CA's root in this Secret instead of
                              --ca-dir (namespace default: the pod's; the first replica creates it,
                              or fills it while it holds no root, unless --ca-create=false)
  --ca-bundle-k8s-configmap [<namespace>/]<name>
                              with --ca-k8s-secret: publish the roots' certificates (no key) to this
                              ConfigMap, key ca.pem, on every load and rotation, for agents' --ca-bundle
  --ca-acm-pca-arn <arn>      an ACM Private CA as the root: it certifies the mesh CA's own key as a
                              subordinate CA (one IssueCertificate per new key; leaves are signed
                              here), and its certificate joins the trust bundle; with any CA store
  --ca-create <true|false>    create a root when the CA store holds none (default true); false for
                              replicas that must use a root made elsewhere
  --tls-names <a,b,…>         DNS names and IPs of the server certificate the CA issues for itself
                              (default: this host's name, localhost, 127.0.0.1, ::1)
  --tls-cert <file>           server certificate chain (PEM) to use instead of one the CA issues;
  --tls-key <file>            with its private key (PEM); both or neither
  --client-ca <file>          more roots (PEM) client certificates may chain to, besides the mesh CA
  --server-id <id>            the x-open-app-mesh-server-id an AWS IAM credential must sign
                              (default: the trust domain)
  --sts-region <region>       accept signed STS requests only for this region's endpoint
  --sts-endpoint <origin>     one more STS endpoint to accept (http allowed): for tests and
                              stand-ins such as LocalStack, never in production
  --k8s-issuer <url>          accept Kubernetes service-account tokens of this OIDC issuer (https,
                              or http on a loopback address)
  --k8s-audience <aud>        the audience such tokens must carry (required with --k8s-issuer)
  --insecure-plaintext        serve xDS without TLS and without node identity, and no exchange:
                              any client may read any node's configuration. Local runs only

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
  readonly exchangePort: number;
  readonly xdsBind: string;
  readonly adminBind: string;
  readonly adminTokenFile?: string;
  readonly logLevel: LogLevel;
  readonly region?: string;
  readonly cloudMapHealth: CloudMapHealthFilter;
  readonly pollIntervalMs?: number;
  readonly drainSeconds: number;
  /** Only the limits given on the command line; the xDS server defaults the rest. */
  readonly xdsLimits?: Partial<XdsLimits>;
  /** Undefined with --insecure-plaintext. */
  readonly trust?: TrustOptions;
}

export interface TrustOptions {
  readonly trustDomain: string;
  readonly serverId: string;
  readonly caDir: string;
  /** Secrets Manager secret holding the CA root, instead of caDir. */
  readonly caSecretArn?: string;
  /** Secrets Manager secret the trust bundle is published to (with caSecretArn). */
  readonly caBundleSecretArn?: string;
  /** Kubernetes Secret holding the CA root, `[<namespace>/]<name>`, instead of caDir. */
  readonly caK8sSecret?: string;
  /** Kubernetes ConfigMap the trust bundle is published to (with caK8sSecret). */
  readonly caBundleK8sConfigMap?: string;
  /** ACM Private CA that certifies the signing CA, instead of a root made here. */
  readonly caAcmPcaArn?: string;
  readonly caCreate: boolean;
  readonly tlsNames: readonly string[];
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly clientCa?: string;
  readonly stsRegion?: string;
  readonly stsEndpoint?: string;
  readonly k8sIssuer?: string;
  readonly k8sAudience?: string;
}

export class UsageError extends Error {}

/** The flags, for util.parseArgs. Every value is read as a string and checked below. */
export const OPTIONS = {
  'spec': { type: 'string' },
  'spec-poll-interval': { type: 'string' },
  'max-spec-bytes': { type: 'string' },
  'endpoints': { type: 'string', multiple: true },
  'xds-port': { type: 'string' },
  'admin-port': { type: 'string' },
  'exchange-port': { type: 'string' },
  'bind': { type: 'string' },
  'xds-bind': { type: 'string' },
  'admin-bind': { type: 'string' },
  'admin-token-file': { type: 'string' },
  'trust-domain': { type: 'string' },
  'ca-dir': { type: 'string' },
  'ca-create': { type: 'string' },
  'ca-acm-pca-arn': { type: 'string' },
  'ca-secret-arn': { type: 'string' },
  'ca-bundle-secret-arn': { type: 'string' },
  'ca-k8s-secret': { type: 'string' },
  'ca-bundle-k8s-configmap': { type: 'string' },
  'tls-names': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'client-ca': { type: 'string' },
  'server-id': { type: 'string' },
  'sts-region': { type: 'string' },
  'sts-endpoint': { type: 'string' },
  'k8s-issuer': { type: 'string' },
  'k8s-audience': { type: 'string' },
  'insecure-plaintext': { type: 'boolean' },
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
  if (spec.startsWith('appconfig://') && !/^appconfig:\/\/[^/]+\/[^/]+\/[^/]+$/.test(spec)) {
    throw new UsageError(`--spec must be appconfig://<application>/<environment>/<configuration profile>, got "${spec}"`);
  }
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
  const bind = one('bind');
  const adminTokenFile = one('admin-token-file');
  const trust = values['insecure-plaintext'] ? plaintextChecked(one) : parseTrust(one);
  return {
    spec,
    ...(specPollIntervalMs !== undefined ? { specPollIntervalMs } : {}),
    maxSpecBytes: positive('max-spec-bytes', ' of bytes') ?? DEFAULT_MAX_SPEC_BYTES,
    endpoints,
    xdsPort: port('xds-port', 18000),
    adminPort: port('admin-port', 18001),
    exchangePort: port('exchange-port', 18002),
    xdsBind: one('xds-bind') ?? bind ?? '0.0.0.0',
    adminBind: one('admin-bind') ?? bind ?? '127.0.0.1',
    ...(adminTokenFile !== undefined ? { adminTokenFile } : {}),
    logLevel,
    ...(region ? { region } : {}),
    cloudMapHealth: cloudMapHealth as CloudMapHealthFilter,
    ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
    drainSeconds,
    ...(Object.keys(xdsLimits).length > 0 ? { xdsLimits } : {}),
    ...(trust ? { trust } : {}),
  };
}

const TRUST_FLAGS = ['trust-domain', 'ca-dir', 'ca-secret-arn', 'ca-bundle-secret-arn', 'ca-acm-pca-arn', 'ca-k8s-secret', 'ca-bundle-k8s-configmap', 'ca-create', 'tls-names', 'tls-cert', 'tls-key', 'client-ca', 'server-id', 'sts-region', 'sts-endpoint', 'k8s-issuer', 'k8s-audience'];

/** --insecure-plaintext turns trust off; a trust flag beside it is a contradiction, not a no-op. */
function plaintextChecked(one: (name: string) => string | undefined): undefined {
  const given = TRUST_FLAGS.find((name) => one(name) !== undefined);
  if (given) throw new UsageError(`--insecure-plaintext serves no TLS and no identity, so --${given} cannot go with it`);
  return undefined;
}

export function parseTrust(one: (name: string) => string | undefined): TrustOptions {
  const nonEmpty = (name: string): string | undefined => {
    const raw = one(name);
    if (raw !== undefined && raw.trim() === '') throw new UsageError(`--${name} must not be empty`);
    return raw;
  };
  const trustDomain = one('trust-domain') ?? DEFAULT_TRUST_DOMAIN;
  try {
    validateTrustDomain(trustDomain);
  } catch (error) {
    if (error instanceof SpiffeIdError) throw new UsageError(`--trust-domain: ${error.message}`);
    throw error;
  }
  const caCreate = one('ca-create') ?? 'true';
  if (caCreate !== 'true' && caCreate !== 'false') throw new UsageError(`--ca-create must be true or false, got "${caCreate}"`);
  const tlsCert = nonEmpty('tls-cert');
  const tlsKey = nonEmpty('tls-key');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together: give both or neither');
  const tlsNames = (one('tls-names')?.split(',').map((n) => n.trim()).filter((n) => n.length > 0)) ?? DEFAULT_TLS_NAMES;
  if (tlsNames.length === 0) throw new UsageError('--tls-names needs at least one DNS name or IP address');
  const serverId = one('server-id') ?? trustDomain;
  if (serverId.length === 0 || serverId.length > 256) throw new UsageError(`--server-id must be 1 to 256 characters, got ${serverId.length}`);
  const stsRegion = one('sts-region');
  if (stsRegion !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(stsRegion)) throw new UsageError(`--sts-region must be an AWS region such as eu-west-1, got "${stsRegion}"`);
  const stsEndpoint = one('sts-endpoint');
  if (stsEndpoint !== undefined && !isHttpOrigin(stsEndpoint)) throw new UsageError(`--sts-endpoint must be an http(s) origin such as http://127.0.0.1:4566, got "${stsEndpoint}"`);
  const k8sIssuer = one('k8s-issuer');
  const k8sAudience = nonEmpty('k8s-audience');
  if ((k8sIssuer === undefined) !== (k8sAudience === undefined)) throw new UsageError('--k8s-issuer and --k8s-audience go together: give both or neither');
  if (k8sIssuer !== undefined && !isHttpOrigin(k8sIssuer, true)) {
    throw new UsageError(`--k8s-issuer must be an https URL (http only on a loopback address), got "${k8sIssuer}"`);
  }
  const clientCa = nonEmpty('client-ca');
  const caDir = nonEmpty('ca-dir');
  const caSecretArn = nonEmpty('ca-secret-arn');
  const caBundleSecretArn = nonEmpty('ca-bundle-secret-arn');
  if (caSecretArn !== undefined && caDir !== undefined) throw new UsageError('--ca-dir and --ca-secret-arn name two CA stores: give one');
  if (caBundleSecretArn !== undefined && caSecretArn === undefined) throw new UsageError('--ca-bundle-secret-arn needs --ca-secret-arn');
  for (const [flag, value] of [['ca-secret-arn', caSecretArn], ['ca-bundle-secret-arn', caBundleSecretArn]] as const) {
    if (value !== undefined && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(value)) {
      throw new UsageError(`--${flag} must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>), got "${value}"`);
    }
  }
  const caK8sSecret = nonEmpty('ca-k8s-secret');
  const caBundleK8sConfigMap = nonEmpty('ca-bundle-k8s-configmap');
  if (caK8sSecret !== undefined && (caDir ?? caSecretArn) !== undefined) {
    throw new UsageError(`--ca-k8s-secret and ${caDir !== undefined ? '--ca-dir' : '--ca-secret-arn'} name two CA stores: give one`);
  }
  if (caBundleK8sConfigMap !== undefined && caK8sSecret === undefined) throw new UsageError('--ca-bundle-k8s-configmap needs --ca-k8s-secret');
  for (const [flag, value] of [['ca-k8s-secret', caK8sSecret], ['ca-bundle-k8s-configmap', caBundleK8sConfigMap]] as const) {
    if (value !== undefined && parseObjectRef(value) === undefined) {
      throw new UsageError(`--${flag} must be [<namespace>/]<name> with Kubernetes names (lowercase letters, digits, '-', '.'), got "${value}"`);
    }
  }
  const caAcmPcaArn = nonEmpty('ca-acm-pca-arn');
  if (caAcmPcaArn !== undefined && !/^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[0-9a-f-]+$/.test(caAcmPcaArn)) {
    throw new UsageError('--ca-acm-pca-arn must be an ACM Private CA ARN (arn:aws:acm-pca:<region>:<account>:certificate-authority/<id>), '
      + `got "${caAcmPcaArn}"`);
  }
  return {
    trustDomain,
    serverId,
    caDir: caDir ?? DEFAULT_CA_DIR,
    ...(caAcmPcaArn !== undefined ? { caAcmPcaArn } : {}),
    ...(caSecretArn !== undefined ? { caSecretArn } : {}),
    ...(caBundleSecretArn !== undefined ? { caBundleSecretArn } : {}),
    ...(caK8sSecret !== undefined ? { caK8sSecret } : {}),
    ...(caBundleK8sConfigMap !== undefined ? { caBundleK8sConfigMap } : {}),
    caCreate: caCreate === 'true',
    tlsNames,
    ...(tlsCert !== undefined ? { tlsCert, tlsKey } : {}),
    ...(clientCa !== undefined ? { clientCa } : {}),
    ...(stsRegion !== undefined ? { stsRegion } : {}),
    ...(stsEndpoint !== undefined ? { stsEndpoint } : {}),
    ...(k8sIssuer !== undefined ? { k8sIssuer, k8sAudience } : {}),
  };
}

/** An http(s) URL; with `issuer`, a path is allowed and http only towards a loopback host. */
function isHttpOrigin(value: string, issuer = false): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (issuer) return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.pathname === '/' && !url.search && !url.hash;
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
  if (options.spec.startsWith('appconfig://')) return appConfigSource(options, specLog);
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

function appConfigSource(options: CliOptions, log: Logger): SpecSource {
  const [{ AppConfigSpecSource, parseAppConfigSpecUrl }, { AppConfigDataClient }] = loadAppConfig();
  const location = parseAppConfigSpecUrl(options.spec);
  if (!location) throw new UsageError(`--spec ${options.spec}: an AppConfig spec is appconfig://<application>/<environment>/<configuration profile>`);
  return new AppConfigSpecSource({
    ...location,
    maxBytes: options.maxSpecBytes,
    client: new AppConfigDataClient(options.region ? { region: options.region } : {}),
    log,
    ...(options.specPollIntervalMs !== undefined ? { pollIntervalSeconds: options.specPollIntervalMs / 1000 } : {}),
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
  guardProcess(log);
  // Configuration read at start (token, CA, certificates): a problem here is the operator's to fix, exit 1.
  let trust: Trust | undefined;
  let adminToken: string | undefined;
  try {
    if (options.adminTokenFile !== undefined) adminToken = await readAdminToken(options.adminTokenFile);
    if (options.trust) trust = await startTrust(options.trust, options.region, log.child({ component: 'identity' }));
  } catch (error) {
    log.error('control plane failed to start', { error: describeError(error) });
    return 1;
  }
  const controlPlane = new ControlPlane({
    spec: buildSpecSource(options, log),
    discovery: buildDiscovery(options, log),
    xdsAddress: hostPort(options.xdsBind, options.xdsPort),
    adminHost: options.adminBind,
    adminPort: options.adminPort,
    log: log.child({ component: 'control-plane' }),
    drainMs: options.drainSeconds * 1000,
    ...(options.xdsLimits ? { xdsLimits: options.xdsLimits } : {}),
    ...(trust ? { xdsCredentials: trust.tls.grpcCredentials(), trustDomain: trust.ca.trustDomain } : {}),
    ...(adminToken !== undefined ? { adminToken } : {}),
  });
  const exchange = trust && exchangeServer(options.trust!, trust, controlPlane, log.child({ component: 'exchange' }));
  const plaintextWarning = options.trust ? undefined : warnPlaintext(log);

  let stopping: Promise<void> | undefined;
  const stopAll = async (): Promise<void> => {
    if (plaintextWarning) clearInterval(plaintextWarning);
    trust?.tls.stop();
    await Promise.all([controlPlane.stop(), exchange?.close()]);
  };
  const done = new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      if (stopping) {
        log.warn('second signal: exiting now', { signal });
        resolve(1);
        return;
      }
      log.info('signal received: draining', { signal });
      stopping = stopAll().then(() => resolve(0), (error) => {
        log.error('shutdown failed', { error });
        resolve(1);
      });
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
  });

  try {
    if (exchange) {
      const port = await exchange.listen(options.exchangePort, options.xdsBind);
      log.info('certificate exchange listening', { address: hostPort(options.xdsBind, port), trustDomain: trust!.ca.trustDomain });
    }
    await controlPlane.start();
  } catch (error) {
    log.error('control plane failed to start', { error });
    await stopAll().catch(() => undefined);
    return 1;
  }
  return done;
}

/** The mesh CA and the server's own certificate. */
interface Trust {
  readonly ca: MeshCa;
  readonly tls: ServerTls;
}

/** Where the CA root lives: a Secrets Manager secret (ECS: shared by the replicas, no disk) or a directory. */
export function caStoreOf(options: TrustOptions, region: string | undefined): { store: CaStore; flag: string } {
  if (options.caK8sSecret !== undefined) return kubernetesCaStoreOf(options.caK8sSecret, options.caBundleK8sConfigMap);
  if (options.caSecretArn === undefined) return { store: new FileCaStore(options.caDir), flag: `--ca-dir ${options.caDir}` };
  const [{ SecretsManagerCaStore }, { SecretsManagerClient }] = loadSecretsManager();
  // The secret's own region, unless --region says otherwise.
  const secretRegion = region ?? options.caSecretArn.split(':')[3];
  const store = new SecretsManagerCaStore({
    secretId: options.caSecretArn,
    ...(options.caBundleSecretArn !== undefined ? { trustBundleSecretId: options.caBundleSecretArn } : {}),
    client: new SecretsManagerClient({ region: secretRegion }),
  });
  return { store, flag: `--ca-secret-arn ${options.caSecretArn}` };
}

/** The Secret (and ConfigMap) through the pod's service account; a name without namespace is in the pod's. */
function kubernetesCaStoreOf(secret: string, bundle: string | undefined): { store: CaStore; flag: string } {
  const flag = `--ca-k8s-secret ${secret}`;
  let api: KubernetesApi;
  try {
    api = new KubernetesApi();
  } catch (error) {
    throw new Error(`${flag}: ${(error as Error).message}`);
  }
  const refOf = (flagName: string, value: string) => {
    const ref = parseObjectRef(value)!;
    const namespace = ref.namespace ?? api.namespace;
    if (namespace === undefined) throw new Error(`--${flagName} ${value}: the pod's namespace cannot be read; write <namespace>/${ref.name}`);
    return { namespace, name: ref.name };
  };
  const store = new KubernetesSecretCaStore({
    secret: refOf('ca-k8s-secret', secret),
    ...(bundle !== undefined ? { trustBundleConfigMap: refOf('ca-bundle-k8s-configmap', bundle) } : {}),
    api,
  });
  return { store, flag };
}

/** The ACM Private CA of --ca-acm-pca-arn, reached in its own region unless --region says otherwise. */
export function signingCaSourceOf(options: TrustOptions, region: string | undefined): SigningCaSource | undefined {
  if (options.caAcmPcaArn === undefined) return undefined;
  const [{ AcmPcaSigningCa }, { ACMPCAClient }] = loadAcmPca();
  const client = new ACMPCAClient({ region: region ?? options.caAcmPcaArn.split(':')[3] });
  return new AcmPcaSigningCa({ certificateAuthorityArn: options.caAcmPcaArn, client, trustDomain: options.trustDomain });
}

async function startTrust(options: TrustOptions, region: string | undefined, log: Logger): Promise<Trust> {
  const { store, flag: storeFlag } = caStoreOf(options, region);
  const signingCaSource = signingCaSourceOf(options, region);
  const { MeshCa } = loadCa();
  let ca: MeshCa;
  try {
    ca = await MeshCa.open({
      store, trustDomain: options.trustDomain, createIfMissing: options.caCreate, ...(signingCaSource ? { signingCaSource } : {}),
    });
  } catch (error) {
    const hint = options.caCreate ? '' : ' (--ca-create=false: put the shared root there first, or let this replica create one)';
    throw new Error(`${storeFlag}: ${(error as Error).message}${hint}`);
  }
  log.info('mesh CA loaded', { store: store.description, trustDomain: ca.trustDomain });
  const active = new X509Certificate(ca.rootCertificatePem);
  if (signingCaSource && active.checkIssued(active)) {
    // A store made before the flag keeps its own root until a rotation moves the mesh to the Private CA.
    log.warn('--ca-acm-pca-arn is given, but the CA store holds a root made here, which keeps signing; run '
      + '`open-app-mesh ca rotate` with the same store flags and --ca-acm-pca-arn to move the mesh to the Private CA', { store: store.description });
  }
  const readPem = async (flag: string, file: string): Promise<string> => {
    try {
      return await fs.readFile(file, 'utf8');
    } catch (error) {
      throw new Error(`--${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const files = options.tlsCert !== undefined
    ? { certificatePem: await readPem('tls-cert', options.tlsCert), keyPem: await readPem('tls-key', options.tlsKey!) }
    : undefined;
  const extraClientCaPem = options.clientCa !== undefined ? await readPem('client-ca', options.clientCa) : undefined;
  if (extraClientCaPem !== undefined && !extraClientCaPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`--client-ca ${options.clientCa}: holds no PEM certificate`);
  }
  const tls = await loadServerTls().ServerTls.start({
    ca, names: options.tlsNames, log, ...(files ? { files } : {}), ...(extraClientCaPem ? { extraClientCaPem } : {}),
  });
  return { ca, tls };
}

function exchangeServer(options: TrustOptions, trust: Trust, controlPlane: ControlPlane, log: Logger): CertificateExchangeServer {
  const isLoopbackIssuer = options.k8sIssuer !== undefined && new URL(options.k8sIssuer).protocol === 'http:';
  const [{ CertificateExchangeServer }, { AwsIamVerifier }, { KubernetesTokenVerifier }] = loadExchange();
  return new CertificateExchangeServer({
    ca: trust.ca,
    tls: trust.tls,
    proxyAccess: () => controlPlane.proxyAccess(),
    awsIam: new AwsIamVerifier({ serverId: options.serverId, ...(options.stsEndpoint ? { stsEndpointOverride: options.stsEndpoint } : {}) }),
    ...(options.stsRegion ? { stsRegion: options.stsRegion } : {}),
    ...(options.k8sIssuer ? {
      kubernetes: new KubernetesTokenVerifier({ issuer: options.k8sIssuer, audience: options.k8sAudience!, allowHttp: isLoopbackIssuer }),
    } : {}),
    log,
    onRefused: (reason) => controlPlane.metrics.exchangesRefused.inc({ reason }),
    onIssued: () => controlPlane.metrics.certificatesIssued.inc(),
  });
}

async function readAdminToken(file: string): Promise<string> {
  let token: string;
  try {
    token = (await fs.readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new Error(`--admin-token-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (token.length < 16) throw new Error(`--admin-token-file ${file}: the token must have at least 16 characters`);
  return token;
}

/** Says at start, and again every few minutes, that anyone can read every node's configuration. */
function warnPlaintext(log: Logger): NodeJS.Timeout {
  const warn = () => log.warn('xDS is served in plaintext without node identity (--insecure-plaintext): any client that reaches '
    + 'the xDS port can read any node\'s configuration. For local runs only, never in production');
  warn();
  const timer = setInterval(warn, PLAINTEXT_WARNING_INTERVAL_MS);
  timer.unref();
  return timer;
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
