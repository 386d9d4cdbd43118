import { createHash } from 'node:crypto';
import {
  AppConfigDataClient,
  GetLatestConfigurationCommand,
  GetLatestConfigurationCommandOutput,
  StartConfigurationSessionCommand,
} from '@aws-sdk/client-appconfigdata';
import { Poller, PollResult, PollTiming, REAL_SCHEDULER, Scheduler } from '../discovery/poller';
import { describeError, LogFields, Logger, SILENT_LOGGER } from '../log';
import { reasonOf, SpecDelivery } from './spec-delivery';
import { DEFAULT_MAX_SPEC_BYTES, SizeLimitError } from './spec-size-limit';
import { SpecListener, SpecRejection, SpecSnapshot, SpecSource } from './spec-source';
import { decodeUtf8Strict } from './strict-utf8';

/** What an AppConfig configuration is named by: application, environment and configuration profile (names or ids). */
export interface AppConfigLocation {
  readonly application: string;
  readonly environment: string;
  readonly profile: string;
}

/** `appconfig://application/environment/profile` → its parts; anything else → undefined. */
export function parseAppConfigSpecUrl(url: string): AppConfigLocation | undefined {
  const match = /^appconfig:\/\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url);
  if (match === null) return undefined;
  return { application: decodeURIComponent(match[1]), environment: decodeURIComponent(match[2]), profile: decodeURIComponent(match[3]) };
}

/** AppConfig's bounds of RequiredMinimumPollIntervalInSeconds. */
export const APPCONFIG_MIN_POLL_SECONDS = 15;
export const APPCONFIG_MAX_POLL_SECONDS = 86_400;

/** AppConfig's poll interval when the session asks for none. */
const APPCONFIG_DEFAULT_POLL_SECONDS = 60;

/** Tokens live 24 h; a token older than this is not used, a new session is started instead. */
const TOKEN_MAX_AGE_MS = 23 * 3_600_000;

export interface AppConfigSpecSourceOptions extends AppConfigLocation {
  /**
   * The AppConfig data client (region and credentials from the SDK's default chain unless set).
   * A real client gets a middleware that refuses a configuration by its Content-Length before
   * the SDK reads it.
   */
  readonly client: Pick<AppConfigDataClient, 'send'> & Partial<Pick<AppConfigDataClient, 'middlewareStack'>>;
  readonly log?: Logger;
  /**
   * RequiredMinimumPollIntervalInSeconds of the session: how often AppConfig lets this client ask
   * (clamped to 15…86 400 s). Default: AppConfig's own (60 s).
   */
  readonly pollIntervalSeconds?: number;
  /** Backoff after failures (default 1 s doubling up to 60 s). */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Largest configuration accepted (default DEFAULT_MAX_SPEC_BYTES). */
  readonly maxBytes?: number;
  /** Timers; replaced in tests. */
  readonly scheduler?: Scheduler;
  /** Clock for the token's age; replaced in tests. */
  readonly now?: () => number;
}

/** A session token and when AppConfig handed it out. */
interface SessionToken {
  readonly value: string;
  readonly receivedAt: number;
}

/**
 * The spec from an AWS AppConfig configuration profile, read through the AppConfig data plane's
 * session API: StartConfigurationSession once, then GetLatestConfiguration with the token the
 * previous answer chained (`NextPollConfigurationToken`), no sooner than the interval it named
 * (`NextPollIntervalInSeconds`). An empty `Configuration` means "unchanged". A new configuration
 * is parsed and validated with the same code the constructs use; an invalid one is reported and
 * the last good spec stays.
 *
 * Any failed call drops the token and the next attempt starts a new session, so an expired or
 * already used token (BadRequestException) heals itself, and a retry never breaks the poll
 * interval. A stale token found while polling is replaced at once, in the same poll. Failures
 * back off exponentially (throttling included) and are reported when they start or change.
 */
export class AppConfigSpecSource implements SpecSource {
  readonly origin: string;
  private readonly client: Pick<AppConfigDataClient, 'send'>;
  private readonly log: Logger;
  private readonly delivery: SpecDelivery;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly requiredPollSeconds: number | undefined;
  private token: SessionToken | undefined;
  private lastDigest: string | undefined;
  private lastFailure: string | undefined;
  private readonly poller: Poller;

  constructor(private readonly options: AppConfigSpecSourceOptions) {
    this.origin = `appconfig://${options.application}/${options.environment}/${options.profile}`;
    this.client = options.client;
    this.log = options.log ?? SILENT_LOGGER;
    this.delivery = new SpecDelivery(this.origin, this.log);
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_SPEC_BYTES;
    this.now = options.now ?? Date.now;
    refuseOversizedBodies(options.client, this.maxBytes);
    this.requiredPollSeconds = options.pollIntervalSeconds === undefined
      ? undefined
      : Math.min(APPCONFIG_MAX_POLL_SECONDS, Math.max(APPCONFIG_MIN_POLL_SECONDS, Math.ceil(options.pollIntervalSeconds)));
    // Successes wait the interval AppConfig names (nextPollMs); failures back off as every poller does.
    const timing: PollTiming = {
      intervalMs: (this.requiredPollSeconds ?? APPCONFIG_DEFAULT_POLL_SECONDS) * 1000,
      jitter: 0,
      backoffBaseMs: options.backoffBaseMs ?? 1_000,
      backoffMaxMs: options.backoffMaxMs ?? 60_000,
    };
    this.poller = new Poller(timing, () => this.pollOnce(), options.scheduler ?? REAL_SCHEDULER);
  }

  /** Reads the configuration once (delivering it or reporting why not), then keeps polling. */
  start(): Promise<void> {
    return this.poller.start();
  }

  stop(): Promise<void> {
    return this.poller.stop();
  }

  current(): SpecSnapshot | undefined {
    return this.delivery.current();
  }

  /** Consecutive failed polls (0 after a successful one). */
  get consecutiveFailures(): number {
    return this.poller.consecutiveFailures;
  }

  onSpec(listener: SpecListener): () => void {
    return this.delivery.onSpec(listener);
  }

  onRejected(listener: (rejection: SpecRejection) => void): () => void {
    return this.delivery.onRejected(listener);
  }

  /** One poll; never rejects. */
  private async pollOnce(): Promise<PollResult> {
    let output: GetLatestConfigurationCommandOutput;
    try {
      output = await this.latest();
    } catch (error) {
      // latest() has dropped the token: the next poll starts a new session.
      if (error instanceof SizeLimitError) {
        // The configuration is there and too big: a rejection (once), not a failure to back off from.
        this.failed(error, [reasonOf(error)]);
        return 'ok';
      }
      this.failed(error);
      return isThrottling(error) ? 'throttled' : 'error';
    }
    this.lastFailure = undefined;
    this.token = output.NextPollConfigurationToken === undefined
      ? undefined
      : { value: output.NextPollConfigurationToken, receivedAt: this.now() };
    this.received(output);
    const seconds = output.NextPollIntervalInSeconds ?? this.requiredPollSeconds ?? APPCONFIG_DEFAULT_POLL_SECONDS;
    return { outcome: 'ok', nextPollMs: Math.max(0, seconds) * 1000 };
  }

  /** GetLatestConfiguration with the chained token; a new session when there is none, or it went stale. */
  private async latest(): Promise<GetLatestConfigurationCommandOutput> {
    const token = this.token !== undefined && this.now() - this.token.receivedAt < TOKEN_MAX_AGE_MS ? this.token.value : undefined;
    this.token = undefined; // used once, whatever happens
    if (token !== undefined) {
      try {
        return await this.client.send(new GetLatestConfigurationCommand({ ConfigurationToken: token }));
      } catch (error) {
        if (!isBadRequest(error)) throw error;
        this.log.info('AppConfig token refused; starting a new session', { origin: this.origin, error: describeError(error).message });
      }
    }
    return this.client.send(new GetLatestConfigurationCommand({ ConfigurationToken: await this.startSession() }));
  }

  private async startSession(): Promise<string> {
    const session = await this.client.send(new StartConfigurationSessionCommand({
      ApplicationIdentifier: this.options.application,
      EnvironmentIdentifier: this.options.environment,
      ConfigurationProfileIdentifier: this.options.profile,
      ...(this.requiredPollSeconds !== undefined ? { RequiredMinimumPollIntervalInSeconds: this.requiredPollSeconds } : {}),
    }));
    if (!session.InitialConfigurationToken) throw new Error('StartConfigurationSession returned no InitialConfigurationToken');
    this.log.debug('AppConfig session started', { origin: this.origin });
    return session.InitialConfigurationToken;
  }

  /** A successful answer: unchanged (empty), or a configuration to check and offer. */
  private received(output: GetLatestConfigurationCommandOutput): void {
    // Unchanged: an empty body, which the SDK (3.11xx) hands over as null rather than an empty blob.
    const bytes = output.Configuration as Uint8Array | null | undefined;
    if (bytes === undefined || bytes === null || bytes.length === 0) return;
    const fields = configurationFields(this.origin, output);
    const digest = createHash('sha256').update(bytes).digest('hex');
    // A new session answers with the whole configuration again: the same bytes change nothing.
    if (digest === this.lastDigest) return;
    this.lastDigest = digest;
    if (bytes.length > this.maxBytes) {
      const error = new SizeLimitError(this.maxBytes, bytes.length);
      this.delivery.reject({ digest, origin: this.origin, error, reasons: [reasonOf(error)] }, fields);
      return;
    }
    let content: string;
    try {
      content = decodeUtf8Strict(bytes);
    } catch (error) {
      this.delivery.reject({ digest, origin: this.origin, error, reasons: [reasonOf(error)] }, fields);
      return;
    }
    this.delivery.offer(content, digest, fields);
  }

  private failed(error: unknown, reasons?: string[]): void {
    const message = describeError(error).message as string;
    const name = (error as { name?: string }).name ?? 'Error';
    // Report a failure when it starts or changes, not on every retry of the same one.
    const signature = `${name}: ${message}`;
    if (signature !== this.lastFailure) {
      this.lastFailure = signature;
      this.delivery.reject({ origin: this.origin, error, reasons: reasons ?? [signature] }, { origin: this.origin, throttled: isThrottling(error) });
    } else {
      this.log.debug('spec read still failing', { origin: this.origin, error: signature, failures: this.poller.consecutiveFailures + 1 });
    }
  }
}

const SIZE_LIMIT_MIDDLEWARE = 'openAppMeshSpecSizeLimit';

/**
 * The SDK reads a configuration (a blob payload) into memory whole before the caller sees it. A
 * middleware between the HTTP handler and the deserializer refuses a 200 answer whose
 * Content-Length is over the limit, before its body is read; one without a Content-Length is
 * still checked after reading.
 */
function refuseOversizedBodies(client: Partial<Pick<AppConfigDataClient, 'middlewareStack'>>, maxBytes: number): void {
  const stack = client.middlewareStack;
  if (stack === undefined || stack.identify().some((name) => name.startsWith(SIZE_LIMIT_MIDDLEWARE))) return;
  stack.add((next) => async (args) => {
    const result = await next(args);
    const response = result.response as { statusCode?: number; headers?: Record<string, string>; body?: { destroy?: () => void } };
    const length = Number(response.headers?.['content-length']);
    if (response.statusCode === 200 && Number.isFinite(length) && length > maxBytes) {
      response.body?.destroy?.();
      throw new SizeLimitError(maxBytes, length);
    }
    return result;
  }, { step: 'deserialize', priority: 'low', name: SIZE_LIMIT_MIDDLEWARE });
}

/** Where a configuration came from, for log lines. */
function configurationFields(origin: string, output: GetLatestConfigurationCommandOutput): LogFields {
  return {
    origin,
    ...(output.VersionLabel ? { versionLabel: output.VersionLabel } : {}),
    ...(output.ContentType ? { contentType: output.ContentType } : {}),
  };
}

/** AppConfig asking callers to slow down (ThrottlingException, HTTP 429). */
function isThrottling(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: { throttling?: boolean }; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'ThrottlingException' || e?.$retryable?.throttling === true || e?.$metadata?.httpStatusCode === 429;
}

/** An expired, already used or corrupted token, or a poll sooner than the session allows. */
function isBadRequest(error: unknown): boolean {
  return (error as { name?: string } | undefined)?.name === 'BadRequestException';
}
