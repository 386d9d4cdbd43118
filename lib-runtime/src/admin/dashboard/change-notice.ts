import type { XdsServerHooks } from '../../xds/events';

/** Listeners told that something the dashboard shows may have changed; they coalesce the calls. */
export class ChangeNotice {
  private readonly listeners = new Set<() => void>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // A listener must not break the control plane code that reports the change.
      }
    }
  }

  /** `hooks` with every stream, response, ACK and NACK hook also calling notify(). */
  wrapXdsHooks(hooks: XdsServerHooks): XdsServerHooks {
    const notifying = <A extends unknown[]>(hook: ((...args: A) => void) | undefined) => (...args: A): void => {
      hook?.(...args);
      this.notify();
    };
    return {
      ...hooks,
      onStreamOpen: notifying(hooks.onStreamOpen),
      onStreamClose: notifying(hooks.onStreamClose),
      onResponse: notifying(hooks.onResponse),
      onAck: notifying(hooks.onAck),
      onNack: notifying(hooks.onNack),
    };
  }
}
