import { meshError } from './private/errors';
import * as spec from './spec';

/** What LoggingFormat.bind returns. */
export interface LoggingFormatConfig {
  /** The format, App Mesh `LoggingFormat` shape. */
  readonly formatConfig?: spec.LoggingFormat;
}

/** Format of access-log lines (Envoy format strings). */
export abstract class LoggingFormat {
  /** Lines follow the Envoy format string `text`. */
  public static fromText(text: string): LoggingFormat {
    return new LoggingFormatImpl({ text });
  }

  /** Each line is a JSON object: key → Envoy format string. */
  public static fromJson(jsonLoggingFormat: { [key: string]: string }): LoggingFormat {
    const keys = Object.keys(jsonLoggingFormat);
    if (keys.length === 0) {
      throw meshError('JsonKeyPairsEmpty', 'Json key pairs cannot be empty.');
    }
    return new LoggingFormatImpl({ json: keys.map((key) => ({ key, value: jsonLoggingFormat[key] })) });
  }

  /** Render the format. */
  public abstract bind(): LoggingFormatConfig;
}

class LoggingFormatImpl extends LoggingFormat {
  constructor(private readonly format: spec.LoggingFormat) {
    super();
  }

  public bind(): LoggingFormatConfig {
    return { formatConfig: this.format };
  }
}
