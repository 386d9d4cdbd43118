import { summarizeGatewayRouteMatch, summarizeRouteMatch } from '../../src/graph/match-summary';

const target = { weightedTargets: [{ virtualNode: 'n', weight: 1 }] };
const gatewayTarget = { target: { virtualService: { virtualServiceName: 's' } } };

describe('summarizeRouteMatch', () => {
  test('http2 path matches, scheme, ranges, suffixes and port', () => {
    expect(summarizeRouteMatch({
      http2Route: {
        action: target,
        match: {
          path: { regex: '^/v[0-9]+/items$' },
          scheme: 'https',
          headers: [{ name: 'x-n', match: { range: { start: 1, end: 5 } } }, { name: 'host', match: { suffix: '.example.com' } }],
          port: 8443,
        },
      },
    })).toEqual({
      protocol: 'http2',
      lines: ['path ~ ^/v[0-9]+/items$', 'scheme https', 'header x-n in [1, 5)', 'header host $= .example.com', 'port 8443'],
    });
    expect(summarizeRouteMatch({ httpRoute: { action: target, match: { path: { exact: '/health' }, queryParameters: [{ name: 'debug' }] } } }).lines)
      .toEqual(['path = /health', 'query debug present']);
  });

  test('tcp routes and a match with no condition', () => {
    expect(summarizeRouteMatch({ tcpRoute: { action: target } })).toEqual({ protocol: 'tcp', lines: ['any connection'] });
    expect(summarizeRouteMatch({ tcpRoute: { action: target, match: { port: 9000 } } })).toEqual({ protocol: 'tcp', lines: ['port 9000'] });
    expect(summarizeRouteMatch({ grpcRoute: { action: target, match: {} } })).toEqual({ protocol: 'grpc', lines: ['any request'] });
    expect(summarizeRouteMatch({})).toEqual({ lines: [] });
  });

  test('long values are cut so one regex cannot stretch the picture', () => {
    const regex = `^/${'a'.repeat(200)}$`;
    const [line] = summarizeRouteMatch({ httpRoute: { action: target, match: { path: { regex } } } }).lines;
    expect(line.length).toBeLessThan(60);
    expect(line.endsWith('…')).toBe(true);
    expect(line.startsWith('path ~ ^/aaaa')).toBe(true);
  });
});

describe('summarizeGatewayRouteMatch', () => {
  test('hostname suffix, method, path and headers', () => {
    expect(summarizeGatewayRouteMatch({
      http2Route: {
        action: gatewayTarget,
        match: { hostname: { suffix: '.example.com' }, method: 'POST', path: { exact: '/login' }, headers: [{ name: 'x-a', invert: true, match: { exact: '1' } }] },
      },
    })).toEqual({ protocol: 'http2', lines: ['host *.example.com', 'path = /login', 'method POST', 'not header x-a = 1'] });
  });

  test('gRPC: hostname, service and metadata; a bare match matches any request', () => {
    expect(summarizeGatewayRouteMatch({
      grpcRoute: { action: gatewayTarget, match: { hostname: { exact: 'api.example.com' }, serviceName: 'pkg.Svc', metadata: [{ name: 'tenant' }] } },
    }).lines).toEqual(['host = api.example.com', 'service pkg.Svc', 'metadata tenant present']);
    expect(summarizeGatewayRouteMatch({ httpRoute: { action: gatewayTarget, match: {} } }).lines).toEqual(['any request']);
    expect(summarizeGatewayRouteMatch({ httpRoute: { action: gatewayTarget, match: { hostname: { exact: 'a.b' } } } }).lines).toEqual(['host = a.b']);
  });
});
