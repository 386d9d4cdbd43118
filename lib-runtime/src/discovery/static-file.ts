import { Logger, SILENT_LOGGER } from '../log';
import { endpointProblems, show, toEndpoint } from './endpoint-check';
import { EndpointState } from './endpoint-state';
import { ChangeListener, DiscoveredEndpoints, DiscoveryTarget, EndpointDiscovery, ErrorListener } from './types';
import { RepeatedReadError, WatchedFile, WatchedFileOptions } from '../sources/watched-file';

/**
 * Endpoints from a JSON file, for local runs and tests. Format — an object whose keys are
 * virtual node names and whose values list that node's endpoints:
 *
 *   { "serviceB-v1": [ { "address": "127.0.0.1", "port": 50051 } ],
 *     "serviceB-v2": [ { "address": "127.0.0.1", "port": 50052, "zone": "use1-az1", "healthy": true } ] }
 *
 * The file is watched. Every entry is checked (an IP literal, a port 1-65535, a non-empty zone, a
 * boolean healthy, no other field): one bad entry rejects the whole file, logged once with every
 * problem, and the previous endpoints stay. Every node in the file is served, whether or not the
 * spec names it.
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
      (error, repeat) => this.fail(error, repeat),
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

  /**
   * A rejected file or a read error. WatchedFile reports a lasting read error once (a missing file
   * fails again on every event in its directory) and then only reminds: a reminder is logged, not counted.
   */
  private fail(error: unknown, repeat?: RepeatedReadError): void {
    if (repeat) {
      this.log.warn('static endpoints file still cannot be read; keeping the previous endpoints', {
        path: this.file.path, error, since: repeat.since.toISOString(), failedReads: repeat.failedReads,
      });
      return;
    }
    this.log.warn('static endpoints file rejected; keeping the previous endpoints', {
      path: this.file.path, error, keptNodes: Object.keys(this.state.snapshot()).length,
    });
    this.state.reportError({ source: 'static', kind: 'error', error });
  }
}

/** Problems spelled out in the message; the rest are counted, so one huge bad file is one bounded log line. */
const PROBLEMS_IN_MESSAGE = 50;

/** A static endpoints file that was refused, with every problem found in it. */
export class StaticEndpointsError extends Error {
  constructor(readonly problems: readonly string[]) {
    const listed = problems.slice(0, PROBLEMS_IN_MESSAGE).join('; ');
    const more = problems.length > PROBLEMS_IN_MESSAGE ? `; and ${problems.length - PROBLEMS_IN_MESSAGE} more` : '';
    super(`static endpoints: file rejected (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${listed}${more}`);
    this.name = 'StaticEndpointsError';
  }
}

/** Parses and checks the static endpoints format; throws a StaticEndpointsError listing every bad entry. */
export function parseStaticEndpoints(content: string): DiscoveredEndpoints {
  let data: unknown;
  try {
    data = JSON.parse(content);
  } catch (error) {
    throw new StaticEndpointsError([`not JSON: ${(error as Error).message}`]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new StaticEndpointsError([`the top level is ${show(data)}, not an object mapping virtual node names to endpoint lists`]);
  }
  // JSON.parse makes `__proto__` an own key; a null-prototype copy keeps it one.
  const out: DiscoveredEndpoints = Object.create(null);
  const problems: string[] = [];
  for (const [node, list] of Object.entries(data)) {
    // A node name in a message is cut short like any value, so a huge key cannot flood the log.
    const label = node.length > 80 ? `${node.slice(0, 77)}...` : node;
    if (!Array.isArray(list)) {
      problems.push(`${label}: ${show(list)} is not a list of endpoints`);
      continue;
    }
    const found = list.flatMap((item, i) => endpointProblems(item, `${label}[${i}]`));
    for (const problem of found) problems.push(problem); // no spread: a huge file must not overflow the stack
    if (found.length === 0) out[node] = list.map(toEndpoint);
  }
  if (problems.length > 0) throw new StaticEndpointsError(problems);
  return out;
}
