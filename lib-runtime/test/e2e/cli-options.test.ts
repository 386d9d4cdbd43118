import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_TRUST_DOMAIN, parseArgs, parseEndpointSource, UsageError, USAGE } from '../../src/main';
import { DEFAULT_XDS_LIMITS, XDS_LIMIT_FLAGS, XdsLimits } from '../../src/xds/limits';

describe('control-plane command line', () => {
  test('defaults', () => {
    expect(parseArgs(['--spec', 'mesh.json'])).toEqual({
      spec: 'mesh.json',
      endpoints: ['cloudmap'],
      xdsPort: 18000,
      adminPort: 18001,
      exchangePort: 18002,
      xdsBind: '0.0.0.0',
      adminBind: '127.0.0.1',
      logLevel: 'info',
      cloudMapHealth: 'HEALTHY',
      drainSeconds: 5,
      maxSpecBytes: 32 * 1024 * 1024,
      trust: {
        trustDomain: 'open-app-mesh.internal',
        serverId: 'open-app-mesh.internal',
        caDir: path.join(os.homedir(), '.open-app-mesh', 'ca'),
        caCreate: true,
        tlsNames: [...new Set([os.hostname(), 'localhost', '127.0.0.1', '::1'])],
      },
    });
    expect(DEFAULT_TRUST_DOMAIN).toBe('open-app-mesh.internal');
  });

  test('trust flags, and --bind as the shorthand for both binds that a specific one overrides', () => {
    expect(parseArgs([
      '--spec', 'a', '--bind', '10.0.0.1', '--admin-bind', '127.0.0.2', '--exchange-port', '0', '--admin-token-file', 'token',
      '--trust-domain', 'mesh.example.com', '--ca-dir', '/var/ca', '--ca-create=false', '--tls-names', 'cp.mesh, 10.0.0.1',
      '--tls-cert', 'cert.pem', '--tls-key', 'key.pem', '--client-ca', 'spire.pem', '--server-id', 'cp-1', '--sts-region', 'eu-west-1',
      '--sts-endpoint', 'http://127.0.0.1:4566', '--k8s-issuer', 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC', '--k8s-audience', 'oam',
    ])).toMatchObject({
      xdsBind: '10.0.0.1',
      adminBind: '127.0.0.2',
      exchangePort: 0,
      adminTokenFile: 'token',
      trust: {
        trustDomain: 'mesh.example.com',
        serverId: 'cp-1',
        caDir: '/var/ca',
        caCreate: false,
        tlsNames: ['cp.mesh', '10.0.0.1'],
        tlsCert: 'cert.pem',
        tlsKey: 'key.pem',
        clientCa: 'spire.pem',
        stsRegion: 'eu-west-1',
        stsEndpoint: 'http://127.0.0.1:4566',
        k8sIssuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/ABC',
        k8sAudience: 'oam',
      },
    });
    const secrets = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:';
    expect(parseArgs(['--spec', 'a', '--ca-secret-arn', `${secrets}ca-AbCdEf`, '--ca-bundle-secret-arn', `${secrets}bundle-AbCdEf`]))
      .toMatchObject({ trust: { caSecretArn: `${secrets}ca-AbCdEf`, caBundleSecretArn: `${secrets}bundle-AbCdEf` } });
    const plaintext = parseArgs(['--spec', 'a', '--insecure-plaintext']);
    expect(plaintext).not.toHaveProperty('trust');
    expect(parseArgs(['--spec', 'a', '--trust-domain', 'td.example'])).toMatchObject({ trust: { serverId: 'td.example' } });
    expect(USAGE).toMatch(/--insecure-plaintext[\s\S]*Local runs only/);
  });

  test('every flag, in both --name value and --name=value forms', () => {
    expect(parseArgs([
      '--spec=s3://bucket/apps.mesh.json', '--spec-poll-interval', '2000', '--endpoints', 'static:ep.json', '--endpoints=dns:127.0.0.1:5353',
      '--xds-port', '0', '--admin-port=9000', '--bind', '127.0.0.1', '--log-level', 'debug', '--region', 'eu-west-1', '--insecure-plaintext',
      '--cloudmap-health', 'HEALTHY_OR_ELSE_ALL', '--poll-interval', '250', '--drain-timeout', '1.5',
      '--max-spec-bytes', '1048576', '--max-node-bytes', '1000', '--max-node-id-length=200', '--max-metadata-depth', '4',
      '--max-resource-names-per-request', '50', '--max-streams-per-connection', '2', '--max-streams', '30',
    ])).toEqual({
      spec: 's3://bucket/apps.mesh.json',
      specPollIntervalMs: 2000,
      endpoints: ['static:ep.json', 'dns:127.0.0.1:5353'],
      xdsPort: 0,
      adminPort: 9000,
      exchangePort: 18002,
      xdsBind: '127.0.0.1',
      adminBind: '127.0.0.1',
      logLevel: 'debug',
      region: 'eu-west-1',
      cloudMapHealth: 'HEALTHY_OR_ELSE_ALL',
      pollIntervalMs: 250,
      drainSeconds: 1.5,
      maxSpecBytes: 1048576,
      xdsLimits: {
        maxNodeBytes: 1000, maxNodeIdLength: 200, maxMetadataDepth: 4, maxResourceNamesPerRequest: 50, maxStreamsPerConnection: 2, maxStreams: 30,
      },
    });
    expect(parseArgs(['--help'])).toBe('help');
    expect(parseArgs(['--spec', 'a', '-h', '--what'])).toBe('help');
  });

  test.each([
    [[], /--spec <file> is required/],
    [['--spec'], /--spec needs a value/],
    [['--spec', 'a', '--spec', 'b'], /more than once/],
    [['--spec', 'a', '--xds-port', '70000'], /--xds-port must be a port/],
    [['--spec', 'a', '--log-level', 'loud'], /--log-level/],
    [['--spec', 'a', '--endpoints', 'consul'], /--endpoints must be/],
    [['--spec', 'a', '--endpoints', 'dns:'], /at least one server/],
    [['--spec', 'a', '--cloudmap-health', 'SOME'], /--cloudmap-health/],
    [['--spec', 'a', '--poll-interval', '1'], /--poll-interval/],
    [['--spec', 'a', '--what'], /unknown option --what/],
    [['mesh.json'], /unexpected argument "mesh.json"/],
    [['--spec', 'a', 'b'], /unexpected argument "b"/],
    [['--spec', '--xds-port', '1'], /--spec needs a value, got the option "--xds-port"/],
    [['--spec', 'a', '--endpoints'], /--endpoints needs a value/],
    [['--spec', 'a', '--help=yes'], /--help takes no value/],
    [['--spec', 'a', '--xds-port', '1.5'], /--xds-port must be a port number \(0-65535\), got "1.5"/],
    [['--spec', 'a', '--log-level', 'silent'], /--log-level must be debug, info, warn or error, got "silent"/],
    [['--spec', 'a', '--drain-timeout', ''], /--drain-timeout must be seconds ≥ 0, got ""/],
    [['--spec', 'a', '--max-spec-bytes', '32MiB'], /--max-spec-bytes must be a positive whole number of bytes, got "32MiB"/],
    [['--spec', 'a', '--max-spec-bytes', '0'], /--max-spec-bytes must be a positive whole number of bytes, got "0"/],
    [['--spec', 'a', '--max-streams', '-1'], /--max-streams needs a value, got the option "-1"/],
    [['--spec', 'a', '--max-streams=-1'], /--max-streams must be a positive whole number, got "-1"/],
    [['--spec', 'a', '--max-node-id-length', '1e3'], /--max-node-id-length must be a positive whole number, got "1e3"/],
    [['--spec', 'a', '--max-streams', '1', '--max-streams', '2'], /--max-streams given more than once/],
    [['--spec', 'a', '--trust-domain', 'Mesh.Example'], /--trust-domain: .*must be lowercase/],
    [['--spec', 'a', '--trust-domain', 'spiffe://td'], /--trust-domain: .*without a scheme/],
    [['--spec', 'a', '--ca-create', 'no'], /--ca-create must be true or false, got "no"/],
    [['--spec', 'a', '--tls-cert', 'c.pem'], /--tls-cert and --tls-key go together/],
    [['--spec', 'a', '--tls-names', ' , '], /--tls-names needs at least one/],
    [['--spec', 'a', '--sts-region', 'europe'], /--sts-region must be an AWS region/],
    [['--spec', 'a', '--sts-endpoint', 'ftp://x'], /--sts-endpoint must be an http\(s\) origin/],
    [['--spec', 'a', '--sts-endpoint', 'http://127.0.0.1:1/path'], /--sts-endpoint must be an http\(s\) origin/],
    [['--spec', 'a', '--k8s-issuer', 'https://issuer'], /--k8s-issuer and --k8s-audience go together/],
    [['--spec', 'a', '--k8s-issuer', 'http://issuer.example', '--k8s-audience', 'a'], /--k8s-issuer must be an https URL/],
    [['--spec', 'a', '--ca-dir', ''], /--ca-dir must not be empty/],
    [['--spec', 'a', '--ca-dir', '/d', '--ca-secret-arn', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ca'], /--ca-dir and --ca-secret-arn name two CA stores/],
    [['--spec', 'a', '--ca-bundle-secret-arn', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:b'], /--ca-bundle-secret-arn needs --ca-secret-arn/],
    [['--spec', 'a', '--ca-secret-arn', 'my-ca'], /--ca-secret-arn must be a Secrets Manager secret ARN/],
    [['--spec', 'a', '--ca-secret-arn', 'arn:aws:s3:::bucket'], /--ca-secret-arn must be a Secrets Manager secret ARN/],
    [['--spec', 'a', '--insecure-plaintext', '--ca-secret-arn', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ca'], /so --ca-secret-arn cannot go with it/],
    [['--spec', 'a', '--insecure-plaintext', '--tls-cert', 'c'], /--insecure-plaintext serves no TLS and no identity, so --tls-cert cannot go with it/],
    [['--spec', 'a', '--insecure-plaintext=yes'], /--insecure-plaintext takes no value/],
    [['--spec', 'a', '--exchange-port', '-1'], /--exchange-port needs a value/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  test('every xDS limit has its flag, and --help shows its default', () => {
    for (const key of Object.keys(DEFAULT_XDS_LIMITS) as Array<keyof XdsLimits>) {
      const options = parseArgs(['--spec', 'a', `${XDS_LIMIT_FLAGS[key]}=7`]);
      expect(options).toMatchObject({ xdsLimits: { [key]: 7 } });
      expect(USAGE).toMatch(new RegExp(`${XDS_LIMIT_FLAGS[key]} <n>\\s+.*\\(default ${DEFAULT_XDS_LIMITS[key]}\\)`));
    }
  });

  test('endpoint sources', () => {
    expect(parseEndpointSource('dns:127.0.0.1:5353,127.0.0.2')).toEqual({ kind: 'dns', servers: ['127.0.0.1:5353', '127.0.0.2'] });
    expect(parseEndpointSource('dns')).toEqual({ kind: 'dns', servers: [] });
    expect(parseEndpointSource('static:/etc/ep.json')).toEqual({ kind: 'static', file: '/etc/ep.json' });
    expect(parseEndpointSource('none')).toEqual({ kind: 'none' });
  });
});
