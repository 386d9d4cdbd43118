import { Logger, SILENT_LOGGER } from '../log';
import { EndpointState } from './endpoint-state';
import { ChangeListener, DiscoveredEndpoint, DiscoveredEndpoints, DiscoveryTarget, EndpointDiscovery, ErrorListener } from './types';
import { WatchedFile, WatchedFileOptions } from '../sources/watched-file';

/**
 * Endpoints from a JSON file, for local runs and tests. Format — an object whose keys are
 * virtual node names and whose values list that node's endpoints:
 *
 *   { "serviceB-v1": [ { "address": "127.0.0.1", "port": 50051 } ],
 *     "serviceB-v2": [ { "address": "127.0.0.1", "port": 50052, "zone": "use1-az1", "healthy": true } ] }
 *
 * The file is watched; a file that does not parse is rejected as a whole and the previous
 * endpoints stay. Every node in the file is served, whether or not the spec names it.
 */
export class StaticFileDiscovery implements EndpointDiscovery {
  readonly name = 'static';
  private readonly state = new EndpointState();
  private readonly file: WatchedFile;
  private loaded = false;

  constructor(filePath: string, private readonly log: Logger = SILENT_LOGGER, watchOptions?: WatchedFileOptions) {
    this.file = new WatchedFile(
      filePath,
      (content) => this.apply(content),
      (error) => this.fail(error),
      watchOptions,
    );
  }

  async start(): Promise<void> {
    await this.file.start();
  }

  async stop(): Promise<void> {
    await this.file.stop();
  }

  setTargets(_targets: readonly DiscoveryTarget[]): void {
    // The file is the whole truth; the spec's discovery settings do not apply.
  }

  onChange(listener: ChangeListener): () => void { return this.state.onChange(listener); }
  onError(listener: ErrorListener): () => void { return this.state.onError(listener); }
  current(): DiscoveredEndpoints { return this.state.snapshot(); }
  ready(): boolean { return this.loaded; }

  private apply(content: string): void {
    let parsed: DiscoveredEndpoints;
    try {
      parsed = parseStaticEndpoints(content);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.loaded = true;
    const changed = this.state.replaceAll(parsed);
    this.log.info('static endpoints loaded', { path: this.file.path, nodes: Object.keys(parsed).length, changed });
  }

  private fail(error: unknown): void {
    this.log.warn('static endpoints file rejected; keeping the previous endpoints', { path: this.file.path, error });
    this.state.reportError({ source: 'static', kind: 'error', error });
  }
}

/** Parses and checks the static endpoints format; throws an Error naming the first bad entry. */
export function parseStaticEndpoints(content: string): DiscoveredEndpoints {
  const data: unknown = JSON.parse(content);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new Error('static endpoints: expected an object mapping virtual node names to endpoint lists');
  }
  const out: DiscoveredEndpoints = {};
  for (const [node, list] of Object.entries(data as Record<string, unknown>)) {
    if (!Array.isArray(list)) throw new Error(`static endpoints: "${node}" must be a list`);
    out[node] = list.map((item, i) => checkEndpoint(item, `${node}[${i}]`));
  }
  return out;
}

function checkEndpoint(item: unknown, where: string): DiscoveredEndpoint {
  if (typeof item !== 'object' || item === null) throw new Error(`static endpoints: ${where} must be an object`);
  const e = item as Record<string, unknown>;
  if (typeof e.address !== 'string' || e.address.length === 0) throw new Error(`static endpoints: ${where}.address must be a non-empty string`);
  if (typeof e.port !== 'number' || !Number.isInteger(e.port) || e.port < 1 || e.port > 65535) {
    throw new Error(`static endpoints: ${where}.port must be an integer 1-65535`);
  }
  if (e.zone !== undefined && typeof e.zone !== 'string') throw new Error(`static endpoints: ${where}.zone must be a string`);
  if (e.healthy !== undefined && typeof e.healthy !== 'boolean') throw new Error(`static endpoints: ${where}.healthy must be a boolean`);
  return {
    address: e.address,
    port: e.port,
    ...(e.zone !== undefined ? { zone: e.zone as string } : {}),
    ...(e.healthy !== undefined ? { healthy: e.healthy as boolean } : {}),
  };
}
