import { Construct } from 'constructs';
import { LoggingFormat } from './logging-format';
import * as spec from './spec';

/** What AccessLog.bind returns: the same log rendered for a node and for a gateway. */
export interface AccessLogConfig {
  /** The log of a virtual node, App Mesh `AccessLog` shape. */
  readonly virtualNodeAccessLog?: spec.AccessLog;
  /** The log of a virtual gateway, App Mesh `VirtualGatewayAccessLog` shape. */
  readonly virtualGatewayAccessLog?: spec.VirtualGatewayAccessLog;
}

/** Where and how a proxy writes its access log. */
export abstract class AccessLog {
  /**
   * Write to a file, typically `/dev/stdout`.
   * @param loggingFormat line format; by default Envoy's default format
   */
  public static fromFilePath(filePath: string, loggingFormat?: LoggingFormat): AccessLog {
    return new FileAccessLog(filePath, loggingFormat);
  }

  /** Render the log. */
  public abstract bind(scope: Construct): AccessLogConfig;
}

class FileAccessLog extends AccessLog {
  constructor(private readonly filePath: string, private readonly loggingFormat?: LoggingFormat) {
    super();
  }

  public bind(_scope: Construct): AccessLogConfig {
    const format = this.loggingFormat?.bind().formatConfig;
    const file: spec.FileAccessLog = { path: this.filePath, ...(format !== undefined ? { format } : {}) };
    return { virtualNodeAccessLog: { file }, virtualGatewayAccessLog: { file } };
  }
}
