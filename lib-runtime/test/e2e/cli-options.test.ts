import { parseArgs, parseEndpointSource, UsageError } from '../../src/main';

describe('control-plane command line', () => {
  test('defaults', () => {
    expect(parseArgs(['--spec', 'mesh.json'])).toEqual({
      spec: 'mesh.json',
      endpoints: ['cloudmap'],
      xdsPort: 18000,
      adminPort: 18001,
      bind: '0.0.0.0',
      logLevel: 'info',
      cloudMapHealth: 'HEALTHY',
      drainSeconds: 5,
    });
  });

  test('every flag, in both --name value and --name=value forms', () => {
    expect(parseArgs([
      '--spec=s3://bucket/apps.mesh.json', '--spec-poll-interval', '2000', '--endpoints', 'static:ep.json', '--endpoints=dns:127.0.0.1:5353',
      '--xds-port', '0', '--admin-port=9000', '--bind', '127.0.0.1', '--log-level', 'debug', '--region', 'eu-west-1',
      '--cloudmap-health', 'HEALTHY_OR_ELSE_ALL', '--poll-interval', '250', '--drain-timeout', '1.5',
    ])).toEqual({
      spec: 's3://bucket/apps.mesh.json',
      specPollIntervalMs: 2000,
      endpoints: ['static:ep.json', 'dns:127.0.0.1:5353'],
      xdsPort: 0,
      adminPort: 9000,
      bind: '127.0.0.1',
      logLevel: 'debug',
      region: 'eu-west-1',
      cloudMapHealth: 'HEALTHY_OR_ELSE_ALL',
      pollIntervalMs: 250,
      drainSeconds: 1.5,
    });
    expect(parseArgs(['--help'])).toBe('help');
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
    [['mesh.json'], /unexpected argument/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  test('endpoint sources', () => {
    expect(parseEndpointSource('dns:127.0.0.1:5353,127.0.0.2')).toEqual({ kind: 'dns', servers: ['127.0.0.1:5353', '127.0.0.2'] });
    expect(parseEndpointSource('dns')).toEqual({ kind: 'dns', servers: [] });
    expect(parseEndpointSource('static:/etc/ep.json')).toEqual({ kind: 'static', file: '/etc/ep.json' });
    expect(parseEndpointSource('none')).toEqual({ kind: 'none' });
  });
});
