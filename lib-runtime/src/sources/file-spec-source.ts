import { parseMeshSpec } from '../../../src/spec/canonical';
import { formatSpecIssue, SpecValidationError } from '../../../src/spec/issue';
import { describeError, Logger, SILENT_LOGGER } from '../log';
import { SpecRejection, SpecSnapshot, SpecSource } from './spec-source';
import { WatchedFile, WatchedFileOptions } from './watched-file';

/**
 * The spec from a local JSON file (what `cdk synth` writes), watched for changes. Each new
 * content is parsed and validated with the same code the constructs use (`parseMeshSpec`);
 * an invalid file is logged with every issue and reported, and the last good spec stays.
 */
export class FileSpecSource implements SpecSource {
  private readonly file: WatchedFile;
  private readonly specListeners = new Set<(snapshot: SpecSnapshot) => void>();
  private readonly rejectListeners = new Set<(rejection: SpecRejection) => void>();
  private last: SpecSnapshot | undefined;

  constructor(filePath: string, private readonly log: Logger = SILENT_LOGGER, watchOptions?: WatchedFileOptions) {
    this.file = new WatchedFile(
      filePath,
      (content, digest) => this.apply(content, digest),
      (error) => this.reject({ origin: this.file.path, error, reasons: [describeError(error).message as string] }),
      watchOptions,
    );
  }

  get path(): string {
    return this.file.path;
  }

  async start(): Promise<void> {
    await this.file.start();
  }

  async stop(): Promise<void> {
    await this.file.stop();
  }

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

  private apply(content: string, digest: string): void {
    let snapshot: SpecSnapshot;
    try {
      const doc = parseMeshSpec(content);
      snapshot = { doc, digest, version: digest.slice(0, 12), loadedAt: new Date(), origin: this.file.path };
    } catch (error) {
      const reasons = error instanceof SpecValidationError
        ? error.issues.map(formatSpecIssue)
        : [describeError(error).message as string];
      this.reject({ digest, origin: this.file.path, error, reasons });
      return;
    }
    this.last = snapshot;
    this.log.info('spec loaded', {
      path: snapshot.origin,
      version: snapshot.version,
      mesh: snapshot.doc.mesh.meshName,
      virtualNodes: snapshot.doc.virtualNodes.length,
      routes: snapshot.doc.routes.length,
    });
    for (const listener of this.specListeners) listener(snapshot);
  }

  private reject(rejection: SpecRejection): void {
    this.log.error('spec rejected; still serving the last good spec', {
      path: rejection.origin,
      rejectedVersion: rejection.digest?.slice(0, 12),
      servingVersion: this.last?.version ?? null,
      issues: rejection.reasons.slice(0, 50),
      issueCount: rejection.reasons.length,
    });
    for (const listener of this.rejectListeners) listener(rejection);
  }
}
