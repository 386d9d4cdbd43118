/** Arguments of `open-app-mesh simulate`. */

export const SIMULATE_USAGE = [
  'usage: open-app-mesh simulate --spec <spec file or cloud assembly> --from <node> <request> [options]',
  '       open-app-mesh simulate --against <admin URL> --from <node> <request> [options]',
  '',
  '  Follows one request through the configuration the control plane serves to <node>: the',
  '  listener and filter chain, the route configuration, the virtual host, every route tried in',
  '  order (and why each earlier one did not match), the route that matched, the targets with',
  '  their weights and the probability of each, and the timeout, retry, TLS and outlier settings.',
  '',
  '  <request>, HTTP (the Envoy view: the sidecar or gateway):',
  '    [METHOD] http://host:port/path?query [-H \'name: value\']...',
  '      GET http://catalog.store.local:8080/items/42?version=2 -H \'x-beta: true\'',
  '      From a virtual node the port picks the egress chain the sidecar intercepts; from a',
  '      gateway it is the gateway listener\'s port. METHOD defaults to GET; -H host: sets Host.',
  '',
  '  <request>, gRPC:',
  '    grpc <target> <package.Service>/<Method> [-m \'name: value\']...',
  '      grpc xds:///ratings.store.local store.Ratings/Get -m \'x-user-group: canary\'',
  '        a proxyless gRPC client (@grpc/grpc-js-xds) dialing xds:///<name>: the proxyless view',
  '      grpc ratings.store.local:50051 store.Ratings/Get',
  '        an application\'s channel to host:port through its Envoy sidecar: the Envoy view',
  '',
  '  --spec <path>          a spec file (*.mesh.json) or a cloud assembly directory (cdk.out), rendered as the control plane renders it',
  '  --against <url>        what a running control plane serves now: its admin server\'s /config_dump for the node',
  '                         (with the endpoints it discovered) and /spec',
  '  --admin-token-file <file>  bearer token for an admin server started with --admin-token-file',
  '  --from <node>          the caller: mesh/<mesh>/virtualNode/<name>, mesh/<mesh>/virtualGateway/<name>,',
  '                         an App Mesh ARN, or a bare virtual node or gateway name',
  '  --endpoints <file>     endpoints in the static discovery format, to list the hosts behind each target',
  '  --format text|json     output format (default text)',
  '',
  '  Exit code: 0 routed, 1 no route or refused (the answer says why), 2 usage or input error.',
].join('\n');

export interface SimulateArgs {
  /** Exactly one of `spec` and `against`. */
  readonly spec?: string;
  readonly against?: string;
  readonly adminTokenFile?: string;
  readonly from: string;
  readonly endpoints?: string;
  readonly format: 'text' | 'json';
  /** Positional words of the request. */
  readonly words: readonly string[];
  /** `-H` / `-m` values, in order. */
  readonly headers: readonly string[];
}

const VALUE_FLAGS = ['--spec', '--against', '--admin-token-file', '--from', '--endpoints', '--format'];
const HEADER_FLAGS = ['-H', '--header', '-m', '--metadata'];

/** The arguments, `'help'`, or a usage error message. */
export function parseSimulateArgs(argv: readonly string[]): SimulateArgs | 'help' | string {
  const values = new Map<string, string>();
  const words: string[] = [];
  const headers: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string | undefined => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    if (flag === '--help' || flag === '-h') return 'help';
    if (VALUE_FLAGS.includes(flag) || HEADER_FLAGS.includes(flag)) {
      const given = value();
      if (given === undefined || given === '') return `${flag} needs a value`;
      if (HEADER_FLAGS.includes(flag)) headers.push(given);
      else if (values.has(flag)) return `${flag} given twice`;
      else values.set(flag, given);
    } else if (flag.startsWith('-') && flag !== '-') {
      return `unknown option ${flag}`;
    } else {
      words.push(arg);
    }
  }
  const format = values.get('--format') ?? 'text';
  if (format !== 'text' && format !== 'json') return `--format must be text or json, got "${format}"`;
  const spec = values.get('--spec');
  const against = values.get('--against');
  if (spec === undefined && against === undefined) return '--spec is required (a spec file or a cloud assembly directory), or --against <admin URL>';
  if (spec !== undefined && against !== undefined) return 'give --spec or --against, not both';
  const adminTokenFile = values.get('--admin-token-file');
  if (adminTokenFile !== undefined && against === undefined) return '--admin-token-file goes with --against';
  const from = values.get('--from');
  if (from === undefined) return '--from is required (the virtual node or gateway that sends the request)';
  if (words.length === 0) return 'no request given (e.g. GET http://catalog.store.local:8080/items/42, or grpc xds:///greeter.local helloworld.Greeter/SayHello)';
  const endpoints = values.get('--endpoints');
  if (endpoints !== undefined && against !== undefined) return '--endpoints goes with --spec (with --against the served endpoints are used)';
  return {
    ...(spec !== undefined ? { spec } : { against }),
    ...(adminTokenFile !== undefined ? { adminTokenFile } : {}),
    from,
    format,
    words,
    headers,
    ...(endpoints !== undefined ? { endpoints } : {}),
  };
}
