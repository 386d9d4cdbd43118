import type * as http from 'node:http';

/** Bounds on the server-sent event stream; no client can make the server hold more than these. */
export interface EventStreamLimits {
  /** Open event streams at most; the next one gets 503. */
  readonly maxClients: number;
  /** A comment line is sent this often so proxies keep the stream open and dead peers are found. */
  readonly heartbeatMs: number;
  /** Bytes a client may leave unread; past it, updates wait for it to drain, and still past it at two heartbeats in a row, it is dropped. */
  readonly maxBufferedBytes: number;
  /** Changes within this window are sent as one update. */
  readonly coalesceMs: number;
}

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = {
  maxClients: 16,
  heartbeatMs: 15_000,
  maxBufferedBytes: 1024 * 1024,
  coalesceMs: 200,
};

interface Client {
  readonly res: http.ServerResponse;
  /** The change generation of the last update written to it (-1: none yet). */
  sent: number;
  /** Heartbeats in a row that found its buffer over the limit. */
  stalledBeats: number;
}

/**
 * `GET /dashboard/events`: a server-sent event stream of `state` events, each the whole
 * dashboard snapshot as JSON. Changes are coalesced; the snapshot is built once per update and
 * written to every client whose buffer has room. A client whose buffer stays full from one
 * heartbeat to the next is dropped, so memory per client is bounded by maxBufferedBytes plus
 * one update.
 */
export class EventStreamHub {
  private readonly clients = new Set<Client>();
  private heartbeat: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private publishing = false;
  private republish = false;
  private closed = false;
  /** Counts change notices; a client is behind while its `sent` is lower. */
  private generation = 0;

  constructor(
    /** The current snapshot as one line of JSON. */
    private readonly snapshot: () => Promise<string>,
    /** Subscribes to change notices; returns the unsubscribe function. Subscribed only while a client is connected. */
    private readonly subscribe: (listener: () => void) => () => void,
    readonly limits: EventStreamLimits = DEFAULT_EVENT_STREAM_LIMITS,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  get clientCount(): number {
    return this.clients.size;
  }

  /** Takes a GET of the event stream (already authorized). */
  accept(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.closed || this.clients.size >= this.limits.maxClients) {
      res.writeHead(503, { 'content-type': 'text/plain', 'cache-control': 'no-store', 'retry-after': '10' });
      res.end(this.closed ? 'the admin server is shutting down\n'
        : `too many dashboard event streams (at most ${this.limits.maxClients}); close another dashboard tab\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      // Tells buffering reverse proxies (nginx) to pass events through as they come.
      'x-accel-buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.socket?.setNoDelay(true);
    const client: Client = { res, sent: -1, stalledBeats: 0 };
    this.clients.add(client);
    res.on('close', () => this.drop(client));
    res.on('drain', () => {
      if (client.sent < this.generation) this.schedule(0);
    });
    // The browser retries after 3 s when the stream breaks.
    res.write('retry: 3000\n\n');
    if (this.clients.size === 1) this.startWatching();
    this.schedule(0);
  }

  /** Ends every stream and stops the timers. */
  close(): void {
    this.closed = true;
    for (const client of [...this.clients]) client.res.end();
    this.stopWatching();
  }

  private startWatching(): void {
    this.unsubscribe = this.subscribe(() => {
      this.generation++;
      this.schedule(this.limits.coalesceMs);
    });
    this.heartbeat = setInterval(() => this.beat(), this.limits.heartbeatMs);
    this.heartbeat.unref();
  }

  private stopWatching(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.pending) clearTimeout(this.pending);
    this.heartbeat = undefined;
    this.pending = undefined;
  }

  private drop(client: Client): void {
    if (!this.clients.delete(client)) return;
    if (this.clients.size === 0) this.stopWatching();
  }

  private schedule(delayMs: number): void {
    if (this.pending || this.closed || this.clients.size === 0) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.publish();
    }, delayMs);
    this.pending.unref();
  }

  /** Builds one snapshot and writes it to every client that is behind and has room. */
  private async publish(): Promise<void> {
    if (this.publishing) {
      this.republish = true;
      return;
    }
    this.publishing = true;
    try {
      const generation = this.generation;
      const waiting = [...this.clients].filter((c) => c.sent < generation && this.hasRoom(c));
      if (waiting.length === 0) return;
      const message = `event: state\ndata: ${await this.snapshot()}\n\n`;
      for (const client of waiting) {
        if (!this.clients.has(client)) continue;
        client.sent = generation;
        client.res.write(message);
      }
      // A change during the snapshot: its clients are still behind.
      if (this.generation !== generation) this.republish = true;
    } catch (error) {
      this.onError(error);
    } finally {
      this.publishing = false;
      if (this.republish) {
        this.republish = false;
        this.schedule(this.limits.coalesceMs);
      }
    }
  }

  private beat(): void {
    for (const client of [...this.clients]) {
      if (this.hasRoom(client)) {
        client.stalledBeats = 0;
        client.res.write(': heartbeat\n\n');
      } else if (++client.stalledBeats >= 2) {
        // Over the limit for a whole heartbeat interval: a stalled or dead reader. Dropped; the browser reconnects if it is alive.
        client.res.destroy();
        this.drop(client);
      }
    }
  }

  private hasRoom(client: Client): boolean {
    return client.res.writableLength <= this.limits.maxBufferedBytes;
  }
}
