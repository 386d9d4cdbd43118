import { Logger, SILENT_LOGGER } from '../log';
import { reasonOf, SpecDelivery } from './spec-delivery';
import { DEFAULT_MAX_SPEC_BYTES } from './spec-size-limit';
import { SpecListener, SpecRejection, SpecSnapshot, SpecSource } from './spec-source';
import { RepeatedReadError, WatchedFile, WatchedFileOptions } from './watched-file';

/**
 * The spec from a local JSON file (what `cdk synth` writes), watched for changes. Each new
 * content is parsed and validated with the same code the constructs use (`parseMeshSpec`);
 * an invalid file is logged with every issue and reported, and the last good spec stays.
 * A file that cannot be read (missing, a directory, over `maxBytes`, not UTF-8) is reported
 * once per distinct error, with a reminder at most once a minute while it lasts.
 */
export class FileSpecSource implements SpecSource {
  private readonly file: WatchedFile;
  private readonly delivery: SpecDelivery;

  /** `watchOptions.maxBytes` defaults to DEFAULT_MAX_SPEC_BYTES. */
  constructor(filePath: string, private readonly log: Logger = SILENT_LOGGER, watchOptions?: WatchedFileOptions) {
    this.file = new WatchedFile(
      filePath,
      (content, digest) => this.delivery.offer(content, digest, { path: this.file.path }),
      (error, repeat) => this.readFailed(error, repeat),
      { maxBytes: DEFAULT_MAX_SPEC_BYTES, ...watchOptions },
    );
    this.delivery = new SpecDelivery(this.file.path, log);
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
    return this.delivery.current();
  }

  onSpec(listener: SpecListener): () => void {
    return this.delivery.onSpec(listener);
  }

  onRejected(listener: (rejection: SpecRejection) => void): () => void {
    return this.delivery.onRejected(listener);
  }

  private readFailed(error: unknown, repeat: RepeatedReadError | undefined): void {
    if (!repeat) {
      this.delivery.reject({ origin: this.file.path, error, reasons: [reasonOf(error)] }, { path: this.file.path });
      return;
    }
    // The same failure, already logged and counted: a reminder only.
    this.log.warn('spec file still cannot be read', {
      path: this.file.path,
      error: reasonOf(error),
      since: repeat.since.toISOString(),
      failedReads: repeat.failedReads,
      servingVersion: this.delivery.current()?.version ?? null,
    });
  }
}
