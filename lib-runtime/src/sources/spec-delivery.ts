import { parseMeshSpec } from '../../../src/spec/canonical';
import { formatSpecIssue, SpecValidationError } from '../../../src/spec/issue';
import { describeError, LogFields, Logger } from '../log';
import { SizeLimitError, specTooLargeReason } from './spec-size-limit';
import { SpecListener, SpecRejection, SpecSnapshot } from './spec-source';
import { InvalidUtf8Error } from './strict-utf8';

/**
 * What every spec source does with new content, in one place: parse and validate it, hand it to
 * the listeners, or report why not. Listener calls are guarded: a listener that throws (or
 * returns false) has not applied the spec, which is then a rejection like an invalid one, and
 * the spec served before stays "the last good spec" in what is logged.
 */
export class SpecDelivery {
  private readonly specListeners = new Set<SpecListener>();
  private readonly rejectListeners = new Set<(rejection: SpecRejection) => void>();
  private served: SpecSnapshot | undefined;

  constructor(private readonly origin: string, private readonly log: Logger) {}

  /** The last spec every listener accepted. */
  current(): SpecSnapshot | undefined {
    return this.served;
  }

  onSpec(listener: SpecListener): () => void {
    this.specListeners.add(listener);
    return () => this.specListeners.delete(listener);
  }

  onRejected(listener: (rejection: SpecRejection) => void): () => void {
    this.rejectListeners.add(listener);
    return () => this.rejectListeners.delete(listener);
  }

  /** Parses and validates `content`, then delivers it or rejects it; `fields` go on the log lines. */
  offer(content: string, digest: string, fields: LogFields = {}): void {
    let snapshot: SpecSnapshot;
    // Input App Mesh accepted but did not distribute: served, its routes left out, and said so.
    const warnings: string[] = [];
    try {
      const doc = parseMeshSpec(content, { onWarning: issue => warnings.push(`${formatSpecIssue(issue)} [${issue.rule}]`) });
      snapshot = { doc, digest, version: digest.slice(0, 12), loadedAt: new Date(), origin: this.origin };
    } catch (error) {
      const reasons = error instanceof SpecValidationError ? error.issues.map(formatSpecIssue) : [reasonOf(error)];
      this.reject({ digest, origin: this.origin, error, reasons }, fields);
      return;
    }
    this.log.info('spec loaded', {
      ...fields,
      version: snapshot.version,
      mesh: snapshot.doc.mesh.meshName,
      virtualNodes: snapshot.doc.virtualNodes.length,
      routes: snapshot.doc.routes.length,
    });
    if (warnings.length > 0) {
      this.log.warn('spec loaded with warnings; these routes are not distributed', {
        ...fields,
        version: snapshot.version,
        warnings: warnings.slice(0, 50),
        warningCount: warnings.length,
      });
    }
    let accepted = true;
    for (const listener of this.specListeners) {
      try {
        // A listener that rejects the spec has logged and counted why (the control plane does).
        if (listener(snapshot) === false) accepted = false;
      } catch (error) {
        accepted = false;
        this.reject({ digest, origin: this.origin, error, reasons: [`applying the spec failed: ${reasonOf(error)}`] }, fields);
      }
    }
    if (accepted) this.served = snapshot;
  }

  /** Logs and reports a spec (or a read of it) that cannot be served. */
  reject(rejection: SpecRejection, fields: LogFields = {}): void {
    this.log.error(this.served ? 'spec rejected; still serving the last good spec' : 'spec rejected; no spec is being served yet', {
      ...fields,
      rejectedVersion: rejection.digest?.slice(0, 12),
      servingVersion: this.served?.version ?? null,
      issues: rejection.reasons.slice(0, 50),
      issueCount: rejection.reasons.length,
    });
    for (const listener of this.rejectListeners) {
      try {
        listener(rejection);
      } catch (error) {
        this.log.error('spec rejection listener failed', { ...fields, error: describeError(error) });
      }
    }
  }
}

/** One line saying why content could not be read or parsed; size and encoding errors name their cause. */
export function reasonOf(error: unknown): string {
  if (error instanceof SizeLimitError) return specTooLargeReason(error);
  if (error instanceof InvalidUtf8Error) return `spec is ${error.message}`;
  return describeError(error).message as string;
}
