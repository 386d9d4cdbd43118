/**
 * The request `simulate` follows, as the proxy (or proxyless client) would see it: pseudo-headers,
 * headers in the order given, and where the connection goes. Parsed from the command line.
 *
 *   [METHOD] http[s]://host[:port]/path[?query] [-H 'name: value']...
 *   grpc <target> <package.Service>/<Method> [-m 'name: value']...
 *
 * A gRPC target `xds:///<name>` is a proxyless client's channel (the proxyless view, the Listener
 * named `<name>`); `host:port` (or `dns:///host:port`) is an application's channel through its
 * Envoy sidecar (the Envoy view, an HTTP/2 POST to `/<service>/<method>`).
 */

export interface SimRequest {
  readonly kind: 'http' | 'grpc';
  /** What the user typed, for the report's heading. */
  readonly text: string;
  readonly method: string;
  readonly scheme: 'http' | 'https';
  /** `:authority` (Host): host, with `:port` when the URL or target named one. */
  readonly authority: string;
  /** The port the connection goes to. */
  readonly port: number;
  /** `:path`, query string included. */
  readonly path: string;
  /** Request headers (gRPC metadata), names in lower case, in the order given. */
  readonly headers: readonly (readonly [string, string])[];
  /** gRPC through a proxyless client: the name after `xds:///`. */
  readonly xdsTarget?: string;
}

/** A request that cannot be understood: exit code 2. */
export class RequestSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RequestSyntaxError';
  }
}

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
/** RFC 9110 token characters: what a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * `words` are the request's positional words; `headers` the values of `-H` / `-m` in order
 * (`name: value`). Throws RequestSyntaxError naming what is wrong.
 */
export function parseRequest(words: readonly string[], headers: readonly string[]): SimRequest {
  if (words.length === 0) {
    throw new RequestSyntaxError('no request: give an HTTP request (GET http://host:port/path) or a gRPC call (grpc <target> <service>/<method>)');
  }
  const parsedHeaders = headers.map(parseHeader);
  if (words[0].toLowerCase() === 'grpc') return grpcRequest(words, parsedHeaders);
  return httpRequest(words, parsedHeaders);
}

function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':', text.startsWith(':') ? 1 : 0);
  if (colon <= 0) throw new RequestSyntaxError(`header "${text}" is not "name: value"`);
  const name = text.slice(0, colon).trim().toLowerCase();
  const bare = name.startsWith(':') ? name.slice(1) : name;
  if (!HEADER_NAME.test(bare)) throw new RequestSyntaxError(`header "${text}": "${name}" is not a header name`);
  return [name, text.slice(colon + 1).trim()];
}

function httpRequest(words: readonly string[], headers: [string, string][]): SimRequest {
  let method = 'GET';
  let rest = words;
  if (HTTP_METHODS.includes(words[0].toUpperCase()) && words.length > 1) {
    method = words[0].toUpperCase();
    rest = words.slice(1);
  }
  if (rest.length !== 1) {
    throw new RequestSyntaxError(`expected [METHOD] <URL>, got ${words.map(w => JSON.stringify(w)).join(' ')}`);
  }
  let url: URL;
  try {
    url = new URL(rest[0]);
  } catch {
    throw new RequestSyntaxError(`"${rest[0]}" is not a URL (write http://host:port/path)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RequestSyntaxError(`"${rest[0]}": only http:// and https:// URLs are simulated (a gRPC call is "grpc <target> <service>/<method>")`);
  }
  if (url.username || url.password) throw new RequestSyntaxError(`"${rest[0]}": credentials in the URL are not simulated; pass an authorization header`);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port ? Number(url.port) : scheme === 'https' ? 443 : 80;
  // The URL parser lower-cases the host and resolves `..`; the raw text keeps what an application
  // would send, so the proxy's own path normalisation shows.
  const afterScheme = rest[0].slice(rest[0].indexOf('//') + 2).split('#')[0];
  const hostText = afterScheme.split(/[/?]/)[0];
  const rawPath = afterScheme.slice(hostText.length);
  const explicitHost = headers.find(([name]) => name === 'host' || name === ':authority');
  const authority = explicitHost ? explicitHost[1] : hostText;
  return {
    kind: 'http',
    text: [method, rest[0], ...headers.map(([n, v]) => `-H '${n}: ${v}'`)].join(' '),
    method,
    scheme,
    authority,
    port,
    // A fragment never leaves the client.
    path: rawPath.startsWith('/') ? rawPath : `/${rawPath}`,
    headers: headers.filter(([name]) => name !== 'host' && name !== ':authority'),
  };
}

function grpcRequest(words: readonly string[], headers: [string, string][]): SimRequest {
  if (words.length !== 3) {
    throw new RequestSyntaxError('expected "grpc <target> <package.Service>/<Method>" (target xds:///<name> for a proxyless client, host:port through the Envoy sidecar)');
  }
  const [, target, fullMethod] = words;
  const slash = fullMethod.replace(/^\//, '').split('/');
  if (slash.length !== 2 || !slash[0] || !slash[1]) {
    throw new RequestSyntaxError(`"${fullMethod}" is not <package.Service>/<Method>`);
  }
  const path = `/${slash[0]}/${slash[1]}`;
  for (const [name] of headers) {
    if (name.startsWith(':') || name.startsWith('grpc-')) {
      throw new RequestSyntaxError(`metadata "${name}": gRPC reserves pseudo-headers and grpc- names; they cannot be sent as metadata`);
    }
  }
  const text = ['grpc', target, fullMethod, ...headers.map(([n, v]) => `-m '${n}: ${v}'`)].join(' ');
  const grpcHeaders: [string, string][] = [['content-type', 'application/grpc'], ['te', 'trailers'], ...headers];
  if (target.startsWith('xds:')) {
    const name = target.replace(/^xds:(\/\/[^/]*)?\//, '');
    if (!name || name === target) throw new RequestSyntaxError(`"${target}": an xDS target is xds:///<name>`);
    const port = /:(\d+)$/.exec(name);
    return { kind: 'grpc', text, method: 'POST', scheme: 'http', authority: name, port: port ? Number(port[1]) : 0, path, headers: grpcHeaders, xdsTarget: name };
  }
  const authority = target.replace(/^dns:(\/\/[^/]*)?\//, '');
  const port = /^(.+):(\d+)$/.exec(authority);
  if (!port) {
    throw new RequestSyntaxError(`"${target}": through the Envoy sidecar the target is host:port (the port selects the egress chain); a proxyless client's target is xds:///<name>`);
  }
  return { kind: 'grpc', text, method: 'POST', scheme: 'http', authority, port: Number(port[2]), path, headers: grpcHeaders };
}

/** The host part of an authority (no port; IPv6 brackets kept). */
export function hostOf(authority: string): string {
  const match = /^(\[[^\]]*\]|[^:]*)(:\d*)?$/.exec(authority);
  return match ? match[1] : authority;
}
