import { packed, TYPE } from './proto-json';
import { ProtoJson } from './types';
import { FileAccessLog, VirtualGatewayFileAccessLog } from '../../../src/spec/appmesh-types';

/**
 * `logging.accessLog.file` → file access logger (docs/envoy-mapping.md §10): `format.json` →
 * JSON format (a Struct of key → format string), `format.text` → text format, no format →
 * Envoy's default line. A text format gets a trailing newline when it lacks one, as each log
 * entry is one line.
 */
export function accessLogs(file: FileAccessLog | VirtualGatewayFileAccessLog | undefined): ProtoJson[] | undefined {
  if (!file) return undefined;
  const config: ProtoJson = { path: file.path };
  const format = file.format;
  if (format?.json && format.json.length > 0) {
    // google.protobuf.Value comes from protobufjs's bundled well-known types, which keep their
    // camelCase field names even when loading with keepCase. fromEntries defines own keys: an
    // assignment of the key `__proto__` would set the prototype and lose the field.
    const fields: ProtoJson = Object.fromEntries(format.json.map(pair => [pair.key, { stringValue: pair.value }]));
    config.log_format = { json_format: { fields } };
  } else if (format?.text !== undefined) {
    const text = format.text.endsWith('\n') ? format.text : `${format.text}\n`;
    config.log_format = { text_format_source: { inline_string: text } };
  }
  return [{ name: 'envoy.access_loggers.file', typed_config: packed(TYPE.fileAccessLog, config) }];
}
