/**
 * Structured JSON logger: one JSON object per line, fields `time`, `level`, `msg`, then
 * the logger's bound fields and the call's fields. Plain data only, so log shippers
 * (CloudWatch, Fluent Bit) index every field without parsing text.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export type LogFields = Record<string, unknown>;

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** Where finished log lines go; stdout by default. */
export type LogSink = (line: string) => void;

export function isLogLevel(value: string): value is LogLevel {
  return Object.prototype.hasOwnProperty.call(LEVEL_RANK, value);
}

export class Logger {
  private readonly minRank: number;

  constructor(
    readonly level: LogLevel = 'info',
    private readonly bound: LogFields = {},
    private readonly sink: LogSink = (line) => process.stdout.write(line + '\n'),
  ) {
    this.minRank = LEVEL_RANK[level];
  }

  /** A logger that adds `fields` to every line (e.g. `{ component: 'discovery' }`). */
  child(fields: LogFields): Logger {
    return new Logger(this.level, { ...this.bound, ...fields }, this.sink);
  }

  enabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= this.minRank && level !== 'silent';
  }

  debug(msg: string, fields?: LogFields): void { this.write('debug', msg, fields); }
  info(msg: string, fields?: LogFields): void { this.write('info', msg, fields); }
  warn(msg: string, fields?: LogFields): void { this.write('warn', msg, fields); }
  error(msg: string, fields?: LogFields): void { this.write('error', msg, fields); }

  private write(level: LogLevel, msg: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const record: LogFields = { time: new Date().toISOString(), level, msg, ...this.bound };
    for (const [key, value] of Object.entries(fields ?? {})) {
      record[key] = value instanceof Error ? describeError(value) : value;
    }
    this.sink(safeStringify(record));
  }
}

/** Errors lose their message in JSON.stringify; keep name, message and AWS/Node codes. */
export function describeError(err: unknown): LogFields {
  if (!(err instanceof Error)) return { message: String(err) };
  const out: LogFields = { name: err.name, message: err.message };
  const code = (err as { code?: unknown }).code;
  if (code !== undefined) out.code = code;
  const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  if (status !== undefined) out.httpStatusCode = status;
  return out;
}

function safeStringify(record: LogFields): string {
  try {
    return JSON.stringify(record);
  } catch {
    // Circular or BigInt values: keep the line, drop the unserialisable detail.
    return JSON.stringify({ time: record.time, level: record.level, msg: record.msg, logError: 'unserialisable fields' });
  }
}

/** A logger that discards everything (tests, library use). */
export const SILENT_LOGGER = new Logger('silent');
