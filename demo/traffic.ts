import * as grpc from '@grpc/grpc-js';
import { ask } from './whoami';

/** What a traffic run saw. */
export interface TrafficResult {
  readonly counts: Record<string, number>;
  readonly errors: number;
  readonly lastError?: string;
  readonly millis: number;
}

export interface TrafficOptions {
  /** RPCs in flight at a time. */
  readonly concurrency: number;
  /** Stop after this many replies (errors are not counted). */
  readonly replies?: number;
  /** Stop when this returns true (checked after every reply). */
  readonly until?: () => boolean;
  /** Give up (reject) after this long. */
  readonly timeoutMs: number;
  /** Pause between RPCs of one worker (slow background traffic). */
  readonly pauseMs?: number;
  /** Called with each reply's version. */
  readonly onReply?: (version: string) => void;
  /** Stops the run early without error (e.g. on Ctrl-C). */
  readonly signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends unary RPCs from serviceA through its xDS channel, `concurrency` at a time, and
 * counts replies by the version that answered. Errors are counted, not fatal (a channel
 * can fail an RPC while it applies new configuration), unless nothing but errors arrive.
 */
export async function runTraffic(client: grpc.Client, options: TrafficOptions): Promise<TrafficResult> {
  const started = Date.now();
  const counts: Record<string, number> = {};
  let replies = 0;
  let errors = 0;
  let lastError: string | undefined;
  let seq = 0;
  let stop = false;
  const finished = () => stop || options.signal?.aborted === true
    || (options.replies !== undefined && replies >= options.replies) || (options.until?.() ?? false);

  const worker = async () => {
    while (!finished()) {
      if (Date.now() - started > options.timeoutMs) {
        stop = true;
        throw new Error(`traffic did not finish within ${options.timeoutMs / 1000} s (${replies} replies, ${errors} errors${lastError ? `; last: ${lastError}` : ''})`);
      }
      try {
        // The first RPCs wait for the channel to resolve through xDS, hence the long deadline.
        const reply = await ask(client, seq++, 10_000);
        if (finished()) break;
        counts[reply.version] = (counts[reply.version] ?? 0) + 1;
        replies++;
        options.onReply?.(reply.version);
      } catch (error) {
        errors++;
        lastError = error instanceof Error ? error.message : String(error);
        await sleep(50);
      }
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { counts, errors, ...(lastError ? { lastError } : {}), millis: Date.now() - started };
}
