import { createHash } from 'node:crypto';
import { GetObjectCommand, GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { parseMeshSpec } from '../../../src/spec/canonical';
import { formatSpecIssue, SpecValidationError } from '../../../src/spec/issue';
import { PollOutcome, Poller, PollTiming, REAL_SCHEDULER, Scheduler } from '../discovery/poller';
import { describeError, Logger, SILENT_LOGGER } from '../log';
import { SpecRejection, SpecSnapshot, SpecSource } from './spec-source';

/** Where a spec object lives. */
export interface S3ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

/** `s3://bucket/key` → its parts; anything else (a local path) → undefined. */
export function parseS3SpecUrl(url: string): S3ObjectLocation | undefined {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (match === null) return undefined;
  return { bucket: match[1], key: match[2] };
}

export interface S3SpecSourceOptions extends S3ObjectLocation {
  /** The S3 client (region and credentials from the SDK's default chain unless set). */
  readonly client: Pick<S3Client, 'send'>;
  readonly log?: Logger;
  /** Delay between checks while they succeed (default 10 000 ms, ±20 % jitter). */
  readonly pollIntervalMs?: number;
  /** Backoff after failures (default 1 s doubling up to 60 s). */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Timers; replaced in tests. */
  readonly scheduler?: Scheduler;
}

/** Names S3 uses when it asks callers to slow down. */
const THROTTLING_NAMES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'TooManyRequestsException']);

/**
 * The spec from an S3 object (written at deploy time by the ControlPlane construct's
 * BucketDeployment), polled with a conditional GetObject: `If-None-Match: <last ETag>` makes
 * an unchanged object cost one 304 and no body. A changed object is parsed and validated
 * with the same code the constructs use (`parseMeshSpec`); an invalid one is reported and
 * the last good spec stays. Failures back off exponentially (throttling included).
 */
export class S3SpecSource implements SpecSource {
  readonly origin: string;
  private readonly client: Pick<S3Client, 'send'>;
  private readonly log: Logger;
  private readonly poller: Poller;
  private readonly specListeners = new Set<(snapshot: SpecSnapshot) => void>();
  private readonly rejectListeners = new Set<(rejection: SpecRejection) => void>();
  private last: SpecSnapshot | undefined;
  /** ETag of the last object read, good or bad: a bad object is reported once, not every poll. */
  private lastEtag: string | undefined;
  private lastDigest: string | undefined;
  private lastFailure: string | undefined;

  constructor(private readonly options: S3SpecSourceOptions) {
    this.origin = `s3://${options.bucket}/${options.key}`;
    this.client = options.client;
    this.log = options.log ?? SILENT_LOGGER;
    const timing: PollTiming = {
      intervalMs: options.pollIntervalMs ?? 10_000,
      jitter: 0.2,
      backoffBaseMs: options.backoffBaseMs ?? 1_000,
      backoffMaxMs: options.backoffMaxMs ?? 60_000,
    };
    this.poller = new Poller(timing, () => this.pollOnce(), options.scheduler ?? REAL_SCHEDULER);
  }

  /** Reads the object once (delivering it or reporting why not), then keeps polling. */
  start(): Promise<void> {
    return this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  current(): SpecSnapshot | undefined {
    return this.last;
  }

  /** Consecutive failed checks (0 after a successful one, 304 included). */
  get consecutiveFailures(): number {
    return this.poller.consecutiveFailures;
  }

  onSpec(listener: (snapshot: SpecSnapshot) => void): () => void {
    this.specListeners.add(listener);
    return () => this.specListeners.delete(listener);
  }

  onRejected(listener: (rejection: SpecRejection) => void): () => void {
    this.rejectListeners.add(listener);
    return () => this.rejectListeners.delete(listener);
  }

  /** One conditional read. Never rejects: the outcome drives the poller's delay. */
  private async pollOnce(): Promise<PollOutcome> {
    let output: GetObjectCommandOutput;
    let content: string;
    try {
      output = await this.client.send(new GetObjectCommand({
        Bucket: this.options.bucket,
        Key: this.options.key,
        ...(this.lastEtag !== undefined ? { IfNoneMatch: this.lastEtag } : {}),
      }));
      if (output.Body === undefined) throw new Error('GetObject returned no body');
      content = await output.Body.transformToString('utf-8');
    } catch (error) {
      if (isNotModified(error)) {
        this.lastFailure = undefined;
        return 'ok';
      }
      return this.failed(error);
    }
    this.lastFailure = undefined;
    this.lastEtag = output.ETag;
    const digest = createHash('sha256').update(content).digest('hex');
    // Same bytes under a new ETag (re-upload by a deployment): nothing changed for the proxies.
    if (digest === this.lastDigest) return 'ok';
    this.lastDigest = digest;
    this.apply(content, digest, output);
    return 'ok';
  }

  private apply(content: string, digest: string, output: GetObjectCommandOutput): void {
    let snapshot: SpecSnapshot;
    try {
      const doc = parseMeshSpec(content);
      snapshot = { doc, digest, version: digest.slice(0, 12), loadedAt: new Date(), origin: this.origin };
    } catch (error) {
      const reasons = error instanceof SpecValidationError
        ? error.issues.map(formatSpecIssue)
        : [describeError(error).message as string];
      this.reject({ digest, origin: this.origin, error, reasons }, output);
      return;
    }
    this.last = snapshot;
    this.log.info('spec loaded', {
      origin: this.origin,
      version: snapshot.version,
      etag: output.ETag,
      s3VersionId: output.VersionId,
      lastModified: output.LastModified?.toISOString(),
      mesh: snapshot.doc.mesh.meshName,
      virtualNodes: snapshot.doc.virtualNodes.length,
      routes: snapshot.doc.routes.length,
    });
    for (const listener of this.specListeners) listener(snapshot);
  }

  private failed(error: unknown): PollOutcome {
    const outcome: PollOutcome = isThrottling(error) ? 'throttled' : 'error';
    const message = describeError(error).message as string;
    const name = (error as { name?: string }).name ?? 'Error';
    // Report a failure when it starts or changes, not on every retry of the same one.
    const signature = `${name}: ${message}`;
    if (signature !== this.lastFailure) {
      this.lastFailure = signature;
      this.reject({ origin: this.origin, error, reasons: [signature] });
    } else {
      this.log.debug('spec read still failing', { origin: this.origin, error: signature, failures: this.poller.consecutiveFailures + 1 });
    }
    return outcome;
  }

  private reject(rejection: SpecRejection, output?: GetObjectCommandOutput): void {
    this.log.error('spec rejected; still serving the last good spec', {
      origin: rejection.origin,
      etag: output?.ETag,
      s3VersionId: output?.VersionId,
      rejectedVersion: rejection.digest?.slice(0, 12),
      servingVersion: this.last?.version ?? null,
      issues: rejection.reasons.slice(0, 50),
      issueCount: rejection.reasons.length,
    });
    for (const listener of this.rejectListeners) listener(rejection);
  }
}

/**
 * A conditional GetObject whose ETag still matches. S3 answers 304 with an empty body, which
 * the SDK raises as an S3ServiceException without a code (name 'Unknown', or 'NotModified'
 * from HeadObject-style deserialisers), status 304 in `$metadata`.
 */
export function isNotModified(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.$metadata?.httpStatusCode === 304 || e?.name === 'NotModified';
}

export function isThrottling(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } } | undefined;
  if (e === undefined || e === null) return false;
  return (e.name !== undefined && THROTTLING_NAMES.has(e.name))
    || e.$retryable?.throttling === true
    || e.$metadata?.httpStatusCode === 429
    || e.$metadata?.httpStatusCode === 503;
}
