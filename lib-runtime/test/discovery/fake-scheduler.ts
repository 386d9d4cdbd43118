import { Scheduler } from '../../src/discovery/poller';
import { settle } from '../support/wait';

/** A scheduler whose timers run only when the test says so; records every requested delay. */
export class FakeScheduler implements Scheduler {
  readonly delays: number[] = [];
  randomValue = 0.5;
  private timers: { id: number; fn: () => void; ms: number }[] = [];
  private nextId = 1;

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ id, fn, ms });
    this.delays.push(ms);
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  random(): number {
    return this.randomValue;
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Fires the oldest timer and waits until the poll it starts has scheduled its successor. */
  async fireNext(): Promise<void> {
    const timer = this.timers.shift();
    if (!timer) throw new Error('no timer pending');
    const before = this.delays.length;
    timer.fn();
    // A mocked lookup settles within a few turns; a real one (DNS on loopback) within milliseconds.
    const deadline = Date.now() + 2000;
    while (this.delays.length === before && Date.now() < deadline) await settle(1);
    if (this.delays.length === before) throw new Error('the poll did not schedule a successor');
  }
}
