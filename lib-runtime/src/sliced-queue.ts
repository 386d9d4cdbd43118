/**
 * Runs queued work a slice at a time, yielding to the event loop between slices. A control
 * plane that installs and pushes hundreds of groups in one synchronous loop sends nothing until
 * the loop ends (gRPC writes leave the process on a later turn) and reads no ACK meanwhile;
 * slices let the first clients receive and apply their configuration while the rest is installed.
 */
export class SlicedQueue<T> {
  private items: T[] = [];
  private next = 0;
  private scheduled: NodeJS.Immediate | undefined;

  /** `work` runs once per item, in order; `sliceMs` is how long one slice may run before yielding. */
  constructor(private readonly work: (item: T) => void, private readonly sliceMs = 4) {}

  get size(): number {
    return this.items.length - this.next;
  }

  /** Queues items and runs a first slice now. */
  run(items: readonly T[]): void {
    this.items.push(...items);
    if (!this.scheduled) this.slice();
  }

  /** Drops what has not run yet and returns it. */
  cancel(): T[] {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const left = this.items.slice(this.next);
    this.items = [];
    this.next = 0;
    return left;
  }

  private slice(): void {
    this.scheduled = undefined;
    const deadline = performance.now() + this.sliceMs;
    while (this.next < this.items.length) {
      this.work(this.items[this.next++]);
      if (performance.now() >= deadline) break;
    }
    if (this.next < this.items.length) {
      this.scheduled = setImmediate(() => this.slice());
    } else {
      this.items = [];
      this.next = 0;
    }
  }
}
