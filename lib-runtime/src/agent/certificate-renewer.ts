/**
 * Keeps the agent's certificate fresh: the first exchange at start, then a renewal at about half
 * of the remaining lifetime (jittered, so a fleet started together does not renew together), and
 * on failure retries with exponential backoff, holding the current certificate until it expires.
 * It never gives up: a control plane that answers badly today may answer well tomorrow.
 */
import { promises as fs } from 'fs';
import { describeError, type Logger } from '../log';
import type { ExchangeClient } from './exchange-client';
import { acceptAnswer, type HeldCertificate } from './held-certificate';
import type { CredentialSource } from './identity-credential';
import { newWorkloadKey } from './workload-key';

export interface CertificateRenewerOptions {
  /** The node the certificate is for, `mesh/<mesh>/virtualNode/<name>` (--node-id). */
  readonly nodeId: string;
  readonly exchange: ExchangeClient;
  readonly credential: CredentialSource;
  /** The roots the control plane's server certificate must chain to (--ca-bundle), re-read at each exchange. */
  readonly caBundleFile: string;
  /** Called with each new certificate; a failure is logged, the certificate is kept. */
  readonly onCertificate: (held: HeldCertificate) => void | Promise<void>;
  readonly log: Logger;
  /** First retry delay; doubles up to maxRetryMs. Default 1 s. */
  readonly initialRetryMs?: number;
  /** Default 60 s. */
  readonly maxRetryMs?: number;
  /** [0, 1); tests fix it. */
  readonly random?: () => number;
}

/** Renew at this share of the remaining lifetime, give or take half the jitter. */
const RENEW_AT = 0.5;
const RENEW_JITTER = 0.1;

export class CertificateRenewer {
  private held?: HeldCertificate;
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private stopped = false;
  private readonly random: () => number;

  constructor(private readonly options: CertificateRenewerOptions) {
    this.random = options.random ?? Math.random;
  }

  /** The latest certificate obtained, even if expired (callers check notAfter). */
  get current(): HeldCertificate | undefined {
    return this.held;
  }

  /** Whether a certificate is held and within its validity. */
  isValid(now = new Date()): boolean {
    return this.held !== undefined && this.held.notAfter > now;
  }

  /** Makes the first exchange at once; later ones are scheduled. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.renew(), delayMs);
  }

  private async renew(): Promise<void> {
    const { log } = this.options;
    let held: HeldCertificate;
    try {
      held = await this.obtain();
    } catch (error) {
      if (this.stopped) return;
      this.failures++;
      const delay = this.retryDelay();
      const expired = this.held !== undefined && !this.isValid();
      const fields = { error: describeError(error), failures: this.failures, retryInMs: delay, ...this.heldFields() };
      if (expired || this.held === undefined) log.error(expired ? 'certificate renewal failed and the certificate has expired' : 'no certificate yet: the exchange failed', fields);
      else log.warn('certificate renewal failed; keeping the current certificate', fields);
      this.schedule(delay);
      return;
    }
    if (this.stopped) return;
    this.failures = 0;
    this.held = held;
    const now = Date.now();
    const fraction = RENEW_AT + (this.random() - 0.5) * RENEW_JITTER;
    const renewInMs = Math.max(0, Math.round((held.notAfter.getTime() - now) * fraction));
    log.info('certificate obtained', { ...this.heldFields(), renewInMs });
    try {
      await this.options.onCertificate(held);
    } catch (error) {
      log.error('delivering the new certificate failed', { error: describeError(error) });
    }
    this.schedule(renewInMs);
  }

  private async obtain(): Promise<HeldCertificate> {
    const { nodeId, caBundleFile } = this.options;
    let anchors: string;
    try {
      anchors = await fs.readFile(caBundleFile, 'utf8');
    } catch (err) {
      throw new Error(`--ca-bundle ${caBundleFile}: ${(err as Error).message}`);
    }
    // The mesh bundle came over a connection these anchors verified; it carries a root rotation.
    const trust = anchors.trim() + '\n' + (this.held?.trustBundlePem ?? '');
    const key = await newWorkloadKey(nodeId);
    const credential = await this.options.credential();
    const answer = await this.options.exchange.exchange({ nodeId, csr: key.csrPem, credential }, trust);
    return acceptAnswer(answer, key, nodeId, anchors, new Date());
  }

  private retryDelay(): number {
    const initial = this.options.initialRetryMs ?? 1000;
    const max = this.options.maxRetryMs ?? 60_000;
    const base = Math.min(max, initial * 2 ** Math.min(this.failures - 1, 30));
    // Full backoff between half and all of the step, so retries of many agents spread out.
    return Math.round(base * (0.5 + this.random() * 0.5));
  }

  private heldFields(): Record<string, string> {
    return this.held ? { spiffeId: this.held.spiffeId, notAfter: this.held.notAfter.toISOString() } : {};
  }
}
