/**
 * The AWS IAM identity exchange, server side (the pattern of Vault's and Kuma's AWS IAM auth):
 * a workload signs an `sts:GetCallerIdentity` request with its own credentials (SigV4) and hands
 * method, URL, headers and body to the control plane, which checks that the request can only be
 * that call, to STS, meant for this control plane and fresh, then executes it against STS. STS
 * checks the signature and answers with the caller's ARN; the role in it is matched against the
 * node's `proxyAccess` principals.
 *
 *   const verifier = new AwsIamVerifier({ serverId: 'cp.mesh.example' });
 *   const identity = await verifier.verify(signedRequest);      // throws AwsIamAuthError
 *   if (principalsAllow(identity, grant.principals)) ...         // then issue the node's certificate
 */
import { readCappedText } from './capped-body';
import type { ProxyAccess } from '../../../src/spec/document';

/** The header that binds a signed request to one control plane; it must be among the signed headers. */
export const SERVER_ID_HEADER = 'x-open-app-mesh-server-id';
/** The only body accepted (parameters in any order). */
export const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';

/** What the workload sends: a signed request it did not execute. */
export interface SignedStsRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Who STS says signed the request. */
export interface AwsIamIdentity {
  /** As STS returned it, e.g. `arn:aws:sts::111122223333:assumed-role/cart-task/4f0c...`. */
  readonly arn: string;
  readonly account: string;
  readonly userId: string;
  readonly partition: string;
  /** The IAM role name when the caller is an assumed role (the role path is not in STS's answer). */
  readonly roleName?: string;
}

/**
 * A refused exchange. `refused`: the request is not acceptable or STS denied it (do not retry the
 * same request); `unavailable`: STS could not be asked or answered oddly (retry later).
 */
export class AwsIamAuthError extends Error {
  constructor(readonly kind: 'refused' | 'unavailable', message: string, readonly stsCode?: string) {
    super(message);
    this.name = 'AwsIamAuthError';
  }
}

export interface AwsIamVerifierOptions {
  /** This control plane's id; requests must carry it in the signed `x-open-app-mesh-server-id` header. */
  readonly serverId: string;
  /**
   * One more endpoint to accept besides AWS STS, as an origin (`http://127.0.0.1:4566`): for tests
   * and STS stand-ins (LocalStack). It is the only one that may be plain http.
   */
  readonly stsEndpointOverride?: string;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  /** How long to wait for STS. Default 5 s. */
  readonly timeoutMs?: number;
}

const MAX_URL = 512;
const MAX_BODY = 256;
const MAX_HEADERS = 32;
const MAX_HEADER_VALUE = 4096;
const MAX_RESPONSE = 64 * 1024;
// SigV4 signatures are accepted by AWS for about 15 minutes; so are ours.
const MAX_CLOCK_DIFFERENCE_MS = 15 * 60_000;
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d{1,2}';
/**
 * AWS STS endpoints: the global one, regional ones (commercial and GovCloud share the suffix),
 * their FIPS variants, and the China regions' `.amazonaws.com.cn`. Isolated partitions are left
 * out until someone runs there and can test it.
 */
const STS_HOST = new RegExp([
  '^sts\\.amazonaws\\.com$',
  `^sts(?:-fips)?\\.${REGION}\\.amazonaws\\.com$`,
  '^sts\\.cn-[a-z]+-\\d{1,2}\\.amazonaws\\.com\\.cn$',
].join('|'));
// Not forwarded: fetch sets these itself from the URL and body.
const DROPPED_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'expect']);

export class AwsIamVerifier {
  private readonly fetch: typeof fetch;
  private readonly now: () => Date;
  private readonly timeoutMs: number;
  private readonly override?: URL;

  constructor(private readonly options: AwsIamVerifierOptions) {
    if (!options.serverId || options.serverId.length > 256) throw new Error('AWS IAM verifier: serverId must be 1 to 256 characters');
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? (() => new Date());
    this.timeoutMs = options.timeoutMs ?? 5000;
    if (options.stsEndpointOverride !== undefined) {
      this.override = new URL(options.stsEndpointOverride);
      if (this.override.protocol !== 'https:' && this.override.protocol !== 'http:') {
        throw new Error('AWS IAM verifier: stsEndpointOverride must be an http(s) origin');
      }
    }
  }

  /** Checks the request, executes it against STS and returns who signed it. */
  async verify(request: SignedStsRequest): Promise<AwsIamIdentity> {
    const { url, headers } = this.check(request);
    let response: Response;
    try {
      response = await this.fetch(url, {
        method: 'POST',
        headers,
        body: request.body,
        // A redirect would send the signed request somewhere we did not check.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new AwsIamAuthError('unavailable', `STS request to ${url.host} failed: ${(err as Error).message}`);
    }
    const text = await readCappedText(response, MAX_RESPONSE);
    if (text === undefined) throw new AwsIamAuthError('unavailable', `STS answer larger than ${MAX_RESPONSE} bytes`);
    if (response.status === 200) return parseCallerIdentity(text);
    const error = parseStsError(text);
    if (error && response.status >= 400 && response.status < 500) {
      throw new AwsIamAuthError('refused', `STS refused the request: ${error.code}${error.message ? ` (${error.message})` : ''}`, error.code);
    }
    throw new AwsIamAuthError('unavailable', `STS answered HTTP ${response.status}${error ? ` ${error.code}` : ''}`);
  }

  /** Everything that can be checked without asking STS; refuses before any request is made. */
  private check(request: SignedStsRequest): { url: URL; headers: Record<string, string> } {
    const refuse = (why: string): never => {
      throw new AwsIamAuthError('refused', `signed STS request refused: ${why}`);
    };
    if (!request || typeof request !== 'object') refuse('expected { method, url, headers, body }');
    if (request.method !== 'POST') refuse('method must be POST');
    if (typeof request.url !== 'string' || request.url.length > MAX_URL) refuse(`url must be a string of at most ${MAX_URL} characters`);
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refuse('url is not a URL');
    }
    if (url.username || url.password) refuse('url must not carry userinfo');
    if (url.search || url.hash || url.pathname !== '/') refuse('url must be the endpoint\'s root, with no path, query or fragment');
    const isOverride = this.override !== undefined && url.origin === this.override.origin;
    if (!isOverride) {
      if (url.protocol !== 'https:') refuse('url must be https');
      if (url.port !== '') refuse('url must not name a port');
      if (!STS_HOST.test(url.hostname)) refuse(`host ${url.hostname} is not an AWS STS endpoint`);
    }

    if (typeof request.body !== 'string' || request.body.length > MAX_BODY) refuse(`body must be a string of at most ${MAX_BODY} characters`);
    const params = [...new URLSearchParams(request.body)];
    const wanted = new URLSearchParams(GET_CALLER_IDENTITY_BODY);
    const bodyOk = params.length === 2 && [...wanted].every(([k, v]) => {
      const values = params.filter(([pk]) => pk === k);
      return values.length === 1 && values[0][1] === v;
    });
    if (!bodyOk) refuse(`body must be exactly ${GET_CALLER_IDENTITY_BODY} (in any order)`);

    if (!request.headers || typeof request.headers !== 'object') refuse('headers must be an object');
    const entries = Object.entries(request.headers);
    if (entries.length > MAX_HEADERS) refuse(`more than ${MAX_HEADERS} headers`);
    const headers: Record<string, string> = {};
    for (const [name, value] of entries) {
      if (typeof value !== 'string' || value.length > MAX_HEADER_VALUE) {
        refuse(`header ${name} must be a string of at most ${MAX_HEADER_VALUE} characters`);
      }
      const lower = name.toLowerCase();
      if (lower in headers) refuse(`header ${lower} is given twice`);
      headers[lower] = value;
    }
    if (headers.host !== undefined && headers.host !== url.host) refuse(`host header ${headers.host} does not match the url's host ${url.host}`);

    const signedHeaders = /^AWS4-HMAC-SHA256 .*\bSignedHeaders=([a-z0-9;-]+)/.exec(headers.authorization ?? '')?.[1]?.split(';');
    if (!signedHeaders) refuse('authorization header is not an AWS4-HMAC-SHA256 signature');
    const serverId = headers[SERVER_ID_HEADER];
    if (serverId === undefined) refuse(`header ${SERVER_ID_HEADER} is missing`);
    if (serverId !== this.options.serverId) refuse(`header ${SERVER_ID_HEADER} names another server ("${serverId}")`);
    if (!signedHeaders!.includes(SERVER_ID_HEADER)) refuse(`header ${SERVER_ID_HEADER} is not among the signed headers`);

    const amzDate = headers['x-amz-date'];
    const signedAt = amzDate === undefined ? undefined : parseAmzDate(amzDate);
    if (signedAt === undefined) refuse('header x-amz-date is missing or not YYYYMMDDTHHMMSSZ');
    if (!signedHeaders!.includes('x-amz-date')) refuse('header x-amz-date is not among the signed headers');
    if (Math.abs(this.now().getTime() - signedAt!) > MAX_CLOCK_DIFFERENCE_MS) refuse(`x-amz-date ${amzDate} is more than 15 minutes from now`);

    const forwarded: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) if (!DROPPED_HEADERS.has(name)) forwarded[name] = value;
    return { url, headers: forwarded };
  }
}

function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const time = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(time) ? undefined : time;
}

/** The text of the one `<name>` element inside `xml`, entities decoded; undefined if not exactly one. */
function element(xml: string, name: string): string | undefined {
  const matches = [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))];
  if (matches.length !== 1) return undefined;
  return matches[0][1].replace(/&(lt|gt|amp|quot|apos);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: '\'' })[e]!);
}

/** `GetCallerIdentityResponse/GetCallerIdentityResult/{Arn,UserId,Account}` → the identity. */
export function parseCallerIdentity(xml: string): AwsIamIdentity {
  const result = /<GetCallerIdentityResult>([\s\S]*)<\/GetCallerIdentityResult>/.exec(xml)?.[1];
  const arn = result && element(result, 'Arn');
  const account = result && element(result, 'Account');
  const userId = result && element(result, 'UserId');
  if (!xml.includes('<GetCallerIdentityResponse') || !arn || !account || !userId) {
    throw new AwsIamAuthError('unavailable', 'STS answered 200 without a GetCallerIdentityResult holding Arn, UserId and Account');
  }
  const parsed = /^arn:([a-z-]+):(sts|iam)::(\d{12}):(.+)$/.exec(arn);
  if (!parsed || parsed[3] !== account) {
    throw new AwsIamAuthError('unavailable', `STS returned an ARN that does not parse or names another account: ${arn}`);
  }
  const [, partition, service, , resource] = parsed;
  const role = service === 'sts' ? /^assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/.exec(resource)?.[1] : undefined;
  return { arn, account, userId, partition, ...(role ? { roleName: role } : {}) };
}

function parseStsError(xml: string): { code: string; message?: string } | undefined {
  if (!xml.includes('<ErrorResponse')) return undefined;
  const code = element(xml, 'Code');
  return code ? { code, message: element(xml, 'Message') } : undefined;
}

/**
 * Whether `principal` (a proxyAccess entry) names the caller. An IAM role ARN
 * `arn:<partition>:iam::<account>:role/<path/><name>` matches an assumed role by partition,
 * account and role name: STS's answer carries no path, so two roles that differ only by path
 * (which IAM does not allow in one account anyway: names are unique) cannot be told apart.
 * Any other principal must equal the caller's ARN exactly (an IAM user, say).
 */
export function principalMatches(identity: AwsIamIdentity, principal: string): boolean {
  const role = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(principal);
  if (role) {
    const [, partition, account, name] = role;
    return identity.roleName !== undefined && identity.partition === partition && identity.account === account && identity.roleName === name;
  }
  return principal === identity.arn;
}

/** The node ids whose proxyAccess names the caller among its principals. */
export function nodeIdsAllowedFor(identity: AwsIamIdentity, proxyAccess: readonly ProxyAccess[] | undefined): string[] {
  return (proxyAccess ?? []).filter((grant) => grant.principals.some((p) => principalMatches(identity, p))).map((grant) => grant.nodeId);
}
