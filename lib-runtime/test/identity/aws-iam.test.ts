/**
 * The AWS IAM exchange end to end on loopback: the workload-side builder signs GetCallerIdentity,
 * the verifier checks it and executes it against a local STS stand-in that verifies the SigV4
 * signature with the AWS SDK's signer and answers in STS's real response shapes.
 */
import { callerIdentityXml, StsStandIn } from './sts-stand-in';
import type { ProxyAccess } from '../../../src/spec/document';
import {
  AwsIamAuthError,
  AwsIamVerifier,
  nodeIdsAllowedFor,
  principalMatches,
  SERVER_ID_HEADER,
  type AwsIamIdentity,
  type SignedStsRequest,
} from '../../src/identity/aws-iam';
import { signedGetCallerIdentityRequest, type AwsCredentials } from '../../src/identity/aws-iam-request';

const SERVER_ID = 'cp.mesh.example';
const CART_TASK: AwsCredentials = { accessKeyId: 'ASIACARTTASK', secretAccessKey: 'cart-secret', sessionToken: 'cart-session-token' };
const STALE_TASK: AwsCredentials = { accessKeyId: 'ASIASTALE', secretAccessKey: 'stale-secret', sessionToken: 'stale-token' };
const PROXY_ACCESS: ProxyAccess[] = [
  { nodeId: 'mesh/shop/virtualNode/cart', principals: ['arn:aws:iam::111122223333:role/mesh/cart-task'] },
  { nodeId: 'mesh/shop/virtualNode/orders', principals: ['arn:aws:iam::111122223333:role/orders-task'] },
];

const sts = new StsStandIn({
  [CART_TASK.accessKeyId]: {
    secretAccessKey: CART_TASK.secretAccessKey,
    sessionToken: CART_TASK.sessionToken,
    arn: 'arn:aws:sts::111122223333:assumed-role/cart-task/8d2f3a1e9c4b4f0a',
    userId: 'AROAEXAMPLECARTTASK:8d2f3a1e9c4b4f0a',
  },
  [STALE_TASK.accessKeyId]: {
    secretAccessKey: STALE_TASK.secretAccessKey,
    sessionToken: STALE_TASK.sessionToken,
    arn: 'arn:aws:sts::111122223333:assumed-role/cart-task/old',
    userId: 'AROAEXAMPLECARTTASK:old',
    tokenExpired: true,
  },
});

beforeAll(() => sts.start());
afterAll(() => sts.stop());
beforeEach(() => {
  sts.received.length = 0;
  sts.signatureWindowMs = 5 * 60_000;
});

const verifier = (): AwsIamVerifier => new AwsIamVerifier({ serverId: SERVER_ID, stsEndpointOverride: sts.origin });
const sign = (overrides: Partial<Parameters<typeof signedGetCallerIdentityRequest>[0]> = {}): SignedStsRequest =>
  signedGetCallerIdentityRequest({ credentials: CART_TASK, region: 'eu-west-1', serverId: SERVER_ID, endpoint: sts.origin, ...overrides });

async function refusal(attempt: Promise<unknown>): Promise<AwsIamAuthError> {
  const err = await attempt.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AwsIamAuthError);
  return err as AwsIamAuthError;
}

test('a request the builder signed is accepted, and its role is allowed exactly the nodes naming it', async () => {
  const identity = await verifier().verify(sign());
  expect(identity).toEqual({
    arn: 'arn:aws:sts::111122223333:assumed-role/cart-task/8d2f3a1e9c4b4f0a',
    userId: 'AROAEXAMPLECARTTASK:8d2f3a1e9c4b4f0a',
    account: '111122223333',
    partition: 'aws',
    roleName: 'cart-task',
  });
  // The role ARN in proxyAccess has a path (/mesh/); STS's answer has none: account and name decide.
  expect(nodeIdsAllowedFor(identity, PROXY_ACCESS)).toEqual(['mesh/shop/virtualNode/cart']);
  expect(sts.received).toHaveLength(1);
  expect(sts.received[0]).toMatchObject({ method: 'POST', url: '/', body: 'Action=GetCallerIdentity&Version=2011-06-15' });
  expect(sts.received[0].headers[SERVER_ID_HEADER]).toBe(SERVER_ID);
  expect(sts.received[0].headers['x-amz-security-token']).toBe(CART_TASK.sessionToken);
});

test('a signature STS calls expired is refused with STS\'s code', async () => {
  sts.signatureWindowMs = 60_000;
  const err = await refusal(verifier().verify(sign({ now: new Date(Date.now() - 10 * 60_000) })));
  expect(err.kind).toBe('refused');
  expect(err.stsCode).toBe('SignatureDoesNotMatch');
  expect(err.message).toMatch(/^STS refused the request: SignatureDoesNotMatch \(Signature expired: \d{8}T\d{6}Z is now earlier than/);
  expect(sts.received).toHaveLength(1);
});

test('a wrong secret and expired credentials are refused by STS', async () => {
  const forged = await refusal(verifier().verify(sign({ credentials: { ...CART_TASK, secretAccessKey: 'guessed' } })));
  expect(forged.stsCode).toBe('SignatureDoesNotMatch');
  const stale = await refusal(verifier().verify(sign({ credentials: STALE_TASK })));
  expect(stale.message).toBe('STS refused the request: ExpiredToken (The security token included in the request is expired)');
});

describe('refused before any request is made', () => {
  test.each([
    ['a host other than STS', 'https://evil.example/', 'host evil.example is not an AWS STS endpoint'],
    ['a look-alike host', 'https://sts.us-east-1.amazonaws.com.evil.example/', 'is not an AWS STS endpoint'],
    ['the metadata service', 'https://169.254.169.254/', 'host 169.254.169.254 is not an AWS STS endpoint'],
    ['plain http to STS', 'http://sts.amazonaws.com/', 'url must be https'],
    ['a port on STS', 'https://sts.amazonaws.com:8443/', 'url must not name a port'],
    ['userinfo', 'https://user@sts.amazonaws.com/', 'url must not carry userinfo'],
    ['a query (STS would read Action from it)', 'https://sts.amazonaws.com/?Action=AssumeRole', 'no path, query or fragment'],
    ['a path', 'https://sts.amazonaws.com/x', 'no path, query or fragment'],
    ['not a URL', 'sts.amazonaws.com', 'url is not a URL'],
  ])('%s', async (_what, url, reason) => {
    const err = await refusal(verifier().verify({ ...sign(), url }));
    expect(err.kind).toBe('refused');
    expect(err.message).toContain(reason);
    expect(sts.received).toHaveLength(0);
  });

  test.each([
    ['an extra parameter', 'Action=GetCallerIdentity&Version=2011-06-15&RoleArn=x'],
    ['another action', 'Action=AssumeRole&Version=2011-06-15'],
    ['the action twice', 'Action=GetCallerIdentity&Action=GetCallerIdentity&Version=2011-06-15'],
    ['another version', 'Action=GetCallerIdentity&Version=2012-01-01'],
    ['a body past the size limit', 'Action=GetCallerIdentity&Version=2011-06-15&' + 'x'.repeat(300)],
  ])('a body with %s', async (_what, body) => {
    const err = await refusal(verifier().verify({ ...sign(), body }));
    expect(err.message).toMatch(/^signed STS request refused: body must be/);
    expect(sts.received).toHaveLength(0);
  });

  test('parameters in another order are the same body', async () => {
    await verifier().verify({ ...sign(), body: 'Version=2011-06-15&Action=GetCallerIdentity' }).catch(() => undefined);
    // It reached STS (whose signature check then fails, as the signed body differs).
    expect(sts.received).toHaveLength(1);
  });

  test('the server-id header: missing, naming another server, or not signed', async () => {
    const signed = sign();
    const { [SERVER_ID_HEADER]: _dropped, ...without } = signed.headers;
    const refused = 'signed STS request refused: header x-open-app-mesh-server-id';
    expect((await refusal(verifier().verify({ ...signed, headers: without }))).message).toBe(`${refused} is missing`);

    const forOther = sign({ serverId: 'other-control-plane' });
    expect((await refusal(verifier().verify(forOther))).message).toBe(`${refused} names another server ("other-control-plane")`);

    // A request signed without the header, with the header added afterwards.
    const unsigned = { ...signed, headers: { ...signed.headers, authorization: signed.headers.authorization.replace(`;${SERVER_ID_HEADER}`, '') } };
    expect(unsigned.headers.authorization).not.toContain(SERVER_ID_HEADER);
    expect((await refusal(verifier().verify(unsigned))).message).toBe(`${refused} is not among the signed headers`);
    expect(sts.received).toHaveLength(0);
  });

  test('a timestamp more than 15 minutes away, or none', async () => {
    const old = sign({ now: new Date(Date.now() - 16 * 60_000) });
    expect((await refusal(verifier().verify(old))).message).toMatch(/x-amz-date \d{8}T\d{6}Z is more than 15 minutes from now$/);
    const future = sign({ now: new Date(Date.now() + 16 * 60_000) });
    expect((await refusal(verifier().verify(future))).message).toContain('is more than 15 minutes from now');
    const { 'x-amz-date': _date, ...undated } = sign().headers;
    expect((await refusal(verifier().verify({ ...sign(), headers: undated }))).message).toContain('header x-amz-date is missing');
    expect(sts.received).toHaveLength(0);
  });

  test('other methods, too many headers, an oversized header, a host header for another host', async () => {
    expect((await refusal(verifier().verify({ ...sign(), method: 'GET' }))).message).toContain('method must be POST');
    const many: Record<string, string> = { ...sign().headers };
    for (let i = 0; i < 40; i++) many[`x-pad-${i}`] = 'x';
    expect((await refusal(verifier().verify({ ...sign(), headers: many }))).message).toContain('more than 32 headers');
    expect((await refusal(verifier().verify({ ...sign(), headers: { ...sign().headers, 'x-big': 'x'.repeat(5000) } }))).message)
      .toContain('header x-big must be a string of at most 4096 characters');
    expect((await refusal(verifier().verify({ ...sign(), headers: { ...sign().headers, host: 'sts.amazonaws.com' } }))).message)
      .toContain('does not match the url\'s host');
    expect(sts.received).toHaveLength(0);
  });
});

test('AWS STS hosts of the commercial, GovCloud and China partitions are accepted; the request goes there unchanged', async () => {
  const seen: string[] = [];
  const fakeFetch = (async (url: URL, init: RequestInit) => {
    seen.push(`${url.toString()} ${String(init.redirect)}`);
    return new Response(callerIdentityXml('arn:aws:sts::111122223333:assumed-role/cart-task/s', 'AROA:s', '111122223333'), { status: 200 });
  }) as unknown as typeof fetch;
  const real = new AwsIamVerifier({ serverId: SERVER_ID, fetch: fakeFetch });
  for (const region of ['us-east-1', 'eu-central-2', 'us-gov-west-1', 'cn-north-1']) {
    await real.verify(signedGetCallerIdentityRequest({ credentials: CART_TASK, region, serverId: SERVER_ID }));
  }
  for (const endpoint of ['https://sts.amazonaws.com', 'https://sts-fips.us-east-1.amazonaws.com']) {
    await real.verify(signedGetCallerIdentityRequest({ credentials: CART_TASK, region: 'us-east-1', serverId: SERVER_ID, endpoint }));
  }
  expect(seen).toEqual([
    'https://sts.us-east-1.amazonaws.com/ manual',
    'https://sts.eu-central-2.amazonaws.com/ manual',
    'https://sts.us-gov-west-1.amazonaws.com/ manual',
    'https://sts.cn-north-1.amazonaws.com.cn/ manual',
    'https://sts.amazonaws.com/ manual',
    'https://sts-fips.us-east-1.amazonaws.com/ manual',
  ]);
  // The override is an exact origin: another port on loopback is not it.
  const otherPort = sts.origin.replace(/:(\d+)$/, (_m, p: string) => `:${Number(p) + 1}`);
  expect((await refusal(verifier().verify({ ...sign(), url: `${otherPort}/` }))).message).toContain('url must be https');
});

test('odd STS answers are "unavailable", never an identity', async () => {
  const answering = (status: number, body: string, headers: Record<string, string> = {}): AwsIamVerifier =>
    new AwsIamVerifier({
      serverId: SERVER_ID,
      stsEndpointOverride: sts.origin,
      fetch: (async () => new Response(body, { status, headers })) as unknown as typeof fetch,
    });
  const cases: Array<[AwsIamVerifier, string]> = [
    [answering(500, '<ErrorResponse><Error><Code>InternalFailure</Code></Error></ErrorResponse>'), 'STS answered HTTP 500 InternalFailure'],
    [answering(302, '', { location: 'https://evil.example/' }), 'STS answered HTTP 302'],
    [
      answering(200, '<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:sts::111122223333:assumed-role/r/s</Arn>'
        + '</GetCallerIdentityResult></GetCallerIdentityResponse>'),
      'without a GetCallerIdentityResult holding Arn, UserId and Account',
    ],
    [answering(200, callerIdentityXml('arn:aws:sts::999999999999:assumed-role/r/s', 'AROA:s', '111122223333')), 'names another account'],
    [answering(200, 'x'.repeat(70 * 1024)), 'STS answer larger than 65536 bytes'],
  ];
  for (const [v, message] of cases) {
    const err = await refusal(v.verify(sign()));
    expect(err.kind).toBe('unavailable');
    expect(err.message).toContain(message);
  }
  const down = new AwsIamVerifier({ serverId: SERVER_ID, stsEndpointOverride: 'http://127.0.0.1:1' });
  const unreachable = { ...sign(), url: 'http://127.0.0.1:1/', headers: { ...sign().headers, host: '127.0.0.1:1' } };
  expect((await refusal(down.verify(unreachable))).kind).toBe('unavailable');
});

describe('matching proxyAccess principals', () => {
  const cart: AwsIamIdentity = {
    arn: 'arn:aws:sts::111122223333:assumed-role/cart-task/s',
    userId: 'AROA:s',
    account: '111122223333',
    partition: 'aws',
    roleName: 'cart-task',
  };

  test('a role not in proxyAccess is allowed nothing', () => {
    const billing = { ...cart, roleName: 'billing-task', arn: 'arn:aws:sts::111122223333:assumed-role/billing-task/s' };
    expect(nodeIdsAllowedFor(billing, PROXY_ACCESS)).toEqual([]);
    expect(nodeIdsAllowedFor(cart, undefined)).toEqual([]);
  });

  test.each([
    ['arn:aws:iam::111122223333:role/cart-task', true],
    ['arn:aws:iam::111122223333:role/a/b/cart-task', true],
    ['arn:aws:iam::444455556666:role/cart-task', false],
    ['arn:aws-cn:iam::111122223333:role/cart-task', false],
    ['arn:aws:iam::111122223333:role/cart-task-2', false],
    ['arn:aws:iam::111122223333:role/Cart-Task', false],
    ['arn:aws:iam::111122223333:user/cart-task', false],
    ['arn:aws:sts::111122223333:assumed-role/cart-task/s', true],
    ['*', false],
  ])('%s matches: %s', (principal, expected) => {
    expect(principalMatches(cart, principal)).toBe(expected);
  });

  test('an IAM user matches only its exact ARN', () => {
    const user: AwsIamIdentity = { arn: 'arn:aws:iam::111122223333:user/ops/alice', userId: 'AIDA', account: '111122223333', partition: 'aws' };
    expect(principalMatches(user, 'arn:aws:iam::111122223333:user/ops/alice')).toBe(true);
    expect(principalMatches(user, 'arn:aws:iam::111122223333:role/alice')).toBe(false);
  });
});
