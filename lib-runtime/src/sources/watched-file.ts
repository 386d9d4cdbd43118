import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SizeLimitError } from './spec-size-limit';
import { decodeUtf8Strict } from './strict-utf8';

/**
 * Delivers a file's content every time it changes.
 *
 * Watches the *directory* (not the file), so an editor's or a deployment's atomic
 * write-then-rename is seen: a watch on the file itself would stay attached to the old,
 * replaced inode. A periodic stat catches what fs.watch misses (network file systems,
 * container bind mounts, kernels without inotify). Bursts of events are debounced, and
 * content identical to the last delivered content is not delivered again.
 *
 * Content is decoded as strict UTF-8 and may be capped in size (checked on the open file's
 * stat, before reading). A read error is reported when it starts or changes, not on every
 * event while it lasts: a missing file in a busy directory (the log file written next to it,
 * say) would otherwise report itself endlessly. While it lasts, a reminder at most every
 * `errorReminderMs`.
 */
export interface WatchedFileOptions {
  /** Quiet time after the last event before reading (default 100 ms). */
  readonly debounceMs?: number;
  /** Period of the stat fallback (default 1000 ms; 0 disables it). */
  readonly statIntervalMs?: number;
  /** Largest file accepted, in bytes (default: no limit); a bigger one is a SizeLimitError. */
  readonly maxBytes?: number;
  /** Least time between two reports of the same, still-lasting read error (default 60 000 ms). */
  readonly errorReminderMs?: number;
}

export type ContentListener = (content: string, digest: string) => void;
/** A read error: `repeat` is set on the reminders of an error already reported. */
export type ReadErrorListener = (error: unknown, repeat?: RepeatedReadError) => void;

export interface RepeatedReadError {
  /** When this error was first reported. */
  readonly since: Date;
  /** Reads that failed the same way since the last report. */
  readonly failedReads: number;
}

/** What is remembered of the read error being reported. */
interface ReadErrorState {
  readonly key: string;
  readonly since: Date;
  lastReportMs: number;
  failedReads: number;
}

export class WatchedFile {
  readonly path: string;
  private readonly debounceMs: number;
  private readonly statIntervalMs: number;
  private readonly maxBytes: number;
  private readonly errorReminderMs: number;
  private readError: ReadErrorState | undefined;
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
    this.maxBytes = options.maxBytes ?? Infinity;
    this.errorReminderMs = options.errorReminderMs ?? 60_000;
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
      // read() does not reject (readOnce catches); the catch is a guard for this detached call.
      this.read().catch(() => undefined);
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
    let bytes: Buffer;
    let content: string;
    try {
      bytes = await this.readBytes();
      content = decodeUtf8Strict(bytes);
    } catch (err) {
      if (!this.stopped) this.failed(err);
      return;
    }
    this.readError = undefined;
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest === this.lastDigest || this.stopped) return;
    this.lastDigest = digest;
    try {
      this.onContent(content, digest);
    } catch (error) {
      // The owner's listener failed on this content: report it like a bad read rather than lose it.
      this.report(error);
    }
  }

  /** The file's bytes, refused by its stat size before reading when over maxBytes. */
  private async readBytes(): Promise<Buffer> {
    const handle = await fs.promises.open(this.path, 'r');
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw new Error(`${this.path} is not a regular file${st.isDirectory() ? ' (it is a directory)' : ''}`);
      if (st.size > this.maxBytes) throw new SizeLimitError(this.maxBytes, st.size);
      const bytes = await handle.readFile();
      // Grown since the stat.
      if (bytes.length > this.maxBytes) throw new SizeLimitError(this.maxBytes, bytes.length);
      this.lastStat = `${st.ino}:${st.size}:${st.mtimeMs}`;
      return bytes;
    } finally {
      await handle.close();
    }
  }

  /** Reports an error when it is new; the same error again only as a rate-limited reminder. */
  private failed(error: unknown): void {
    const key = errorKey(error);
    const now = Date.now();
    const state = this.readError;
    if (state?.key !== key) {
      this.readError = { key, since: new Date(now), lastReportMs: now, failedReads: 0 };
      this.report(error);
      return;
    }
    state.failedReads++;
    if (now - state.lastReportMs < this.errorReminderMs) return;
    const repeat: RepeatedReadError = { since: state.since, failedReads: state.failedReads };
    state.lastReportMs = now;
    state.failedReads = 0;
    this.report(error, repeat);
  }

  /** The owner's error listener must not break the watch (or reject a detached read) either. */
  private report(error: unknown, repeat?: RepeatedReadError): void {
    try {
      this.onError(error, repeat);
    } catch {
      // Nothing left to tell it with; the next change is still read.
    }
  }
}

/** Errors that mean the same state: same code (ENOENT, EISDIR…) and message. */
function errorKey(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `${String(code)}|${message}`;
}
