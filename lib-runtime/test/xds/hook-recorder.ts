/**
 * Records every observability hook call of an XdsServer so tests can wait for events (a request
 * handled, an ACK, a NACK) instead of sleeping. Not a test file itself.
 */
import type {
  XdsAckEvent,
  XdsCloseEvent,
  XdsNackRecord,
  XdsPushEvent,
  XdsRefusalEvent,
  XdsRequestEvent,
  XdsResponseEvent,
  XdsServerHooks,
  XdsStreamInfo,
} from '../../src/xds/events';

export type HookEvent =
  | { hook: 'open'; stream: XdsStreamInfo }
  | { hook: 'close'; stream: XdsStreamInfo; close: XdsCloseEvent }
  | { hook: 'request'; stream: XdsStreamInfo; request: XdsRequestEvent }
  | { hook: 'response'; stream: XdsStreamInfo; response: XdsResponseEvent }
  | { hook: 'ack'; stream: XdsStreamInfo; ack: XdsAckEvent }
  | { hook: 'nack'; stream: XdsStreamInfo; nack: XdsNackRecord }
  | { hook: 'push'; push: XdsPushEvent }
  | { hook: 'refused'; refusal: XdsRefusalEvent };

export class HookRecorder {
  readonly events: HookEvent[] = [];
  private waiters: Array<() => void> = [];

  readonly hooks: XdsServerHooks = {
    onStreamOpen: (stream) => this.add({ hook: 'open', stream }),
    onStreamClose: (stream, close) => this.add({ hook: 'close', stream, close }),
    onRequest: (stream, request) => this.add({ hook: 'request', stream, request }),
    onResponse: (stream, response) => this.add({ hook: 'response', stream, response }),
    onAck: (stream, ack) => this.add({ hook: 'ack', stream, ack }),
    onNack: (stream, nack) => this.add({ hook: 'nack', stream, nack }),
    onPush: (push) => this.add({ hook: 'push', push }),
    onRefused: (refusal) => this.add({ hook: 'refused', refusal }),
  };

  /** Events of one kind. */
  of<K extends HookEvent['hook']>(hook: K): Array<Extract<HookEvent, { hook: K }>> {
    return this.events.filter((e): e is Extract<HookEvent, { hook: K }> => e.hook === hook);
  }

  /**
   * The first event (from index `from`) matching the predicate, waiting for it if needed. The
   * promise settles after the server finished handling the event's request (hooks run inside
   * the handler, and the wait resolves in a later microtask).
   */
  async waitFor(predicate: (e: HookEvent) => boolean, timeoutMs = 5000, from = 0): Promise<HookEvent> {
    const find = (): HookEvent | undefined => this.events.slice(from).find(predicate);
    const found = find();
    if (found) return found;
    return new Promise<HookEvent>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for a hook event`)), timeoutMs);
      const check = (): void => {
        const hit = find();
        if (hit) {
          clearTimeout(timer);
          setImmediate(() => resolve(hit));
        } else {
          this.waiters.push(check);
        }
      };
      this.waiters.push(check);
    });
  }

  /** Wait until the server handled the request that echoes `nonce` (of `typeUrl`). */
  async requestHandled(typeUrl: string, nonce: string): Promise<XdsRequestEvent> {
    const e = await this.waitFor((ev) => ev.hook === 'request' && ev.request.typeUrl === typeUrl && ev.request.nonce === nonce);
    return (e as Extract<HookEvent, { hook: 'request' }>).request;
  }

  /** How many requests the server has handled so far. */
  get requestCount(): number {
    return this.of('request').length;
  }

  /** Wait until the server has handled `count` requests in total. */
  async requestsHandled(count: number): Promise<void> {
    let seen = 0;
    await this.waitFor((e) => e.hook === 'request' && ++seen >= count);
  }

  private add(event: HookEvent): void {
    this.events.push(event);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
