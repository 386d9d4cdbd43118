/**
 * A spec source the orchestrator pushes content into (over IPC) instead of a watched file, so a
 * push can be timed from the moment the new spec text exists. It does what FileSpecSource does
 * with new content: parseMeshSpec (parse + validate), then hands the snapshot to the control plane.
 * (The file source adds its watch debounce, 100 ms by default, in front of this.)
 */
import { createHash } from 'node:crypto';
import { SpecRejection, SpecSnapshot, SpecSource } from '../../lib-runtime/src/sources/spec-source';
import { parseMeshSpec } from '../../src/spec/canonical';

export class PushedSpecSource implements SpecSource {
  private readonly specListeners = new Set<(snapshot: SpecSnapshot) => void>();
  private readonly rejectListeners = new Set<(rejection: SpecRejection) => void>();
  private last: SpecSnapshot | undefined;

  constructor(private readonly initial: string) {}

  async start(): Promise<void> {
    this.deliver(this.initial);
  }

  async stop(): Promise<void> {}

  current(): SpecSnapshot | undefined {
    return this.last;
  }

  onSpec(listener: (snapshot: SpecSnapshot) => void): () => void {
    this.specListeners.add(listener);
    return () => this.specListeners.delete(listener);
  }

  onRejected(listener: (rejection: SpecRejection) => void): () => void {
    this.rejectListeners.add(listener);
    return () => this.rejectListeners.delete(listener);
  }

  /** Parse, validate and deliver new content; returns how long parsing and applying took. */
  deliver(content: string): { parseMs: number; applyMs: number } {
    const started = performance.now();
    const digest = createHash('sha256').update(content).digest('hex');
    const doc = parseMeshSpec(content);
    const parsed = performance.now();
    const snapshot: SpecSnapshot = { doc, digest, version: digest.slice(0, 12), loadedAt: new Date(), origin: 'bench' };
    this.last = snapshot;
    for (const listener of this.specListeners) listener(snapshot);
    return { parseMs: parsed - started, applyMs: performance.now() - parsed };
  }
}
