import { createHash } from 'node:crypto';
import { GetObjectCommand, GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { PollOutcome, Poller, PollTiming, REAL_SCHEDULER, Scheduler } from '../discovery/poller';
import { describeError, LogFields, Logger, SILENT_LOGGER } from '../log';
import { reasonOf, SpecDelivery } from './spec-delivery';
import { DEFAULT_MAX_SPEC_BYTES, SizeLimitError } from './spec-size-limit';
import { SpecListener, SpecRejection, SpecSnapshot, SpecSource } from './spec-source';
import { decodeUtf8Strict } from './strict-utf8';

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
  /** Largest object accepted (default DEFAULT_MAX_SPEC_BYTES): refused by Content-Length, or while streaming. */
  readonly maxBytes?: number;
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
  private readonly delivery: SpecDelivery;
  private readonly maxBytes: number;
  /** ETag of the last object read, good or bad: a bad object is reported once, not every poll. */
  private lastEtag: string | undefined;
  private lastDigest: string | undefined;
  private lastFailure: string | undefined;

  constructor(private readonly options: S3SpecSourceOptions) {
    this.origin = `s3://${options.bucket}/${options.key}`;
    this.client = options.client;
    this.log = options.log ?? SILENT_LOGGER;
    this.delivery = new SpecDelivery(this.origin, this.log);
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_SPEC_BYTES;
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
    return this.delivery.current();
  }

  /** Consecutive failed checks (0 after a successful one, 304 included). */
  get consecutiveFailures(): number {
    return this.poller.consecutiveFailures;
  }

  onSpec(listener: SpecListener): () => void {
    return this.delivery.onSpec(listener);
  }

  onRejected(listener: (rejection: SpecRejection) => void): () => void {
    return this.delivery.onRejected(listener);
  }

  /** One conditional read. Never rejects: the outcome drives the poller's delay. */
  private async pollOnce(): Promise<PollOutcome> {
    let output: GetObjectCommandOutput | undefined;
    let bytes: Uint8Array;
    try {
      output = await this.client.send(new GetObjectCommand({
        Bucket: this.options.bucket,
        Key: this.options.key,
        ...(this.lastEtag !== undefined ? { IfNoneMatch: this.lastEtag } : {}),
      }));
      bytes = await readBody(output, this.maxBytes);
    } catch (error) {
      if (isNotModified(error)) {
        this.lastFailure = undefined;
        return 'ok';
      }
      if (error instanceof SizeLimitError && output !== undefined) {
        // The object is there and too big: rejected once, and not fetched again until its ETag changes.
        this.lastFailure = undefined;
        this.lastEtag = output.ETag;
        this.delivery.reject({ origin: this.origin, error, reasons: [reasonOf(error)] }, objectFields(this.origin, output));
        return 'ok';
      }
      return this.failed(error);
    }
    this.lastFailure = undefined;
    this.lastEtag = output.ETag;
    const digest = createHash('sha256').update(bytes).digest('hex');
    // Same bytes under a new ETag (re-upload by a deployment): nothing changed for the proxies.
    if (digest === this.lastDigest) return 'ok';
    this.lastDigest = digest;
    const fields = objectFields(this.origin, output);
    let content: string;
    try {
      content = decodeUtf8Strict(bytes);
    } catch (error) {
      this.delivery.reject({ digest, origin: this.origin, error, reasons: [reasonOf(error)] }, fields);
      return 'ok';
    }
    this.delivery.offer(content, digest, fields);
    return 'ok';
  }

  private failed(error: unknown): PollOutcome {
    const outcome: PollOutcome = isThrottling(error) ? 'throttled' : 'error';
    const message = describeError(error).message as string;
    const name = (error as { name?: string }).name ?? 'Error';
    // Report a failure when it starts or changes, not on every retry of the same one.
    const signature = `${name}: ${message}`;
    if (signature !== this.lastFailure) {
      this.lastFailure = signature;
      this.delivery.reject({ origin: this.origin, error, reasons: [signature] }, { origin: this.origin });
    } else {
      this.log.debug('spec read still failing', { origin: this.origin, error: signature, failures: this.poller.consecutiveFailures + 1 });
    }
    return outcome;
  }
}

/** Where an object came from, for log lines. */
function objectFields(origin: string, output: GetObjectCommandOutput): LogFields {
  return {
    origin,
    etag: output.ETag,
    s3VersionId: output.VersionId,
    lastModified: output.LastModified?.toISOString(),
  };
}

/**
 * The object's bytes, refused as soon as they exceed `maxBytes`: by Content-Length before any is
 * read, else by counting while streaming (the rest is not downloaded).
 */
async function readBody(output: GetObjectCommandOutput, maxBytes: number): Promise<Uint8Array> {
  const body = output.Body;
  if (body === undefined) throw new Error('GetObject returned no body');
  if (output.ContentLength !== undefined && output.ContentLength > maxBytes) {
    (body as { destroy?: () => void }).destroy?.();
    throw new SizeLimitError(maxBytes, output.ContentLength);
  }
  if (!isAsyncIterable(body)) {
    const bytes = await body.transformToByteArray();
    if (bytes.length > maxBytes) throw new SizeLimitError(maxBytes, bytes.length);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  // Leaving the loop by throwing destroys the stream.
  for await (const chunk of body) {
    total += chunk.length;
    if (total > maxBytes) throw new SizeLimitError(maxBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';
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
