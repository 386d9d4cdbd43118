import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Delivers a file's content every time it changes.
 *
 * Watches the *directory* (not the file), so an editor's or a deployment's atomic
 * write-then-rename is seen: a watch on the file itself would stay attached to the old,
 * replaced inode. A periodic stat catches what fs.watch misses (network file systems,
 * container bind mounts, kernels without inotify). Bursts of events are debounced, and
 * content identical to the last delivered content is not delivered again.
 */
export interface WatchedFileOptions {
  /** Quiet time after the last event before reading (default 100 ms). */
  readonly debounceMs?: number;
  /** Period of the stat fallback (default 1000 ms; 0 disables it). */
  readonly statIntervalMs?: number;
}

export type ContentListener = (content: string, digest: string) => void;
export type ReadErrorListener = (error: unknown) => void;

export class WatchedFile {
  readonly path: string;
  private readonly debounceMs: number;
  private readonly statIntervalMs: number;
  private watcher: fs.FSWatcher | undefined;
  private statTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private lastDigest: string | undefined;
  private lastStat = '';
  private reading: Promise<void> | undefined;
  private rereadRequested = false;
  private stopped = true;

  constructor(
    filePath: string,
    private readonly onContent: ContentListener,
    private readonly onError: ReadErrorListener,
    options: WatchedFileOptions = {},
  ) {
    this.path = path.resolve(filePath);
    this.debounceMs = options.debounceMs ?? 100;
    this.statIntervalMs = options.statIntervalMs ?? 1000;
  }

  /** Reads the file once (delivering it or its error), then watches. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.read();
    const dir = path.dirname(this.path);
    try {
      // Any event in the directory triggers a (debounced, deduplicated) read, not only events
      // naming the file: a Kubernetes ConfigMap volume swaps a `..data` symlink instead.
      this.watcher = fs.watch(dir, { persistent: false }, () => this.schedule());
      this.watcher.on('error', () => { /* the stat fallback keeps working */ });
    } catch {
      // Directory not watchable (e.g. missing yet): rely on stat polling.
    }
    if (this.statIntervalMs > 0) {
      this.statTimer = setInterval(() => this.checkStat(), this.statIntervalMs);
      this.statTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = undefined;
    if (this.statTimer) clearInterval(this.statTimer);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.statTimer = undefined;
    this.debounceTimer = undefined;
    await this.reading;
  }

  private schedule(): void {
    if (this.stopped) return;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      void this.read();
    }, this.debounceMs);
    this.debounceTimer.unref();
  }

  private checkStat(): void {
    fs.stat(this.path, (err, st) => {
      const key = err ? `error:${err.code}` : `${st.ino}:${st.size}:${st.mtimeMs}`;
      if (key !== this.lastStat) {
        this.lastStat = key;
        this.schedule();
      }
    });
  }

  /** One read at a time; a change seen during a read triggers one more read afterwards. */
  private read(): Promise<void> {
    if (this.reading) {
      this.rereadRequested = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.rereadRequested = false;
        await this.readOnce();
      } while (this.rereadRequested && !this.stopped);
    })().finally(() => { this.reading = undefined; });
    return this.reading;
  }

  private async readOnce(): Promise<void> {
    let content: string;
    try {
      const st = await fs.promises.stat(this.path);
      content = await fs.promises.readFile(this.path, 'utf8');
      this.lastStat = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch (err) {
      if (!this.stopped) this.onError(err);
      return;
    }
    const digest = createHash('sha256').update(content).digest('hex');
    if (digest === this.lastDigest || this.stopped) return;
    this.lastDigest = digest;
    this.onContent(content, digest);
  }
}
