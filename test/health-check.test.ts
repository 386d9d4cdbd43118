import { Duration } from 'aws-cdk-lib';
import * as appmesh from '../src';
import { newStack, onlyDocument } from './helpers';

function renderedCheck(healthCheck: appmesh.HealthCheck, listener: 'http' | 'http2' | 'grpc' | 'tcp' = 'http'): any {
  const { stack } = newStack();
  new appmesh.Mesh(stack, 'mesh', { meshName: 'm' }).addVirtualNode('node', {
    virtualNodeName: 'node',
    serviceDiscovery: appmesh.ServiceDiscovery.dns('node.local'),
    listeners: [appmesh.VirtualNodeListener[listener]({ port: 7000, healthCheck })],
  });
  return onlyDocument(stack).virtualNodes[0].spec.listeners![0].healthCheck;
}

describe('HealthCheck', () => {
  test.each([
    ['http', appmesh.HealthCheck.http(), { protocol: 'http', path: '/' }],
    ['http2', appmesh.HealthCheck.http2({ path: '/ready' }), { protocol: 'http2', path: '/ready' }],
    ['grpc', appmesh.HealthCheck.grpc(), { protocol: 'grpc' }],
    ['tcp', appmesh.HealthCheck.tcp(), { protocol: 'tcp' }],
  ])('%s check with defaults', (_name, check, specific) => {
    expect(renderedCheck(check)).toEqual({
      healthyThreshold: 2, unhealthyThreshold: 2, intervalMillis: 5000, timeoutMillis: 2000, port: 7000, ...specific,
    });
  });

  test('all options', () => {
    expect(renderedCheck(appmesh.HealthCheck.http({
      healthyThreshold: 10, unhealthyThreshold: 10, interval: Duration.minutes(5), timeout: Duration.minutes(1), path: '/hc', port: 7001,
    }))).toEqual({
      protocol: 'http', path: '/hc', port: 7001, healthyThreshold: 10, unhealthyThreshold: 10, intervalMillis: 300000, timeoutMillis: 60000,
    });
  });

  test.each([
    ['healthyThreshold', { healthyThreshold: 1 }, 'HealthyThresholdOutOfRange'],
    ['healthyThreshold', { healthyThreshold: 11 }, 'HealthyThresholdOutOfRange'],
    ['unhealthyThreshold', { unhealthyThreshold: 1 }, 'UnhealthyThresholdOutOfRange'],
    ['unhealthyThreshold', { unhealthyThreshold: 11 }, 'UnhealthyThresholdOutOfRange'],
    ['interval', { interval: Duration.millis(4999) }, 'IntervalOutOfRange'],
    ['interval', { interval: Duration.millis(300001) }, 'IntervalOutOfRange'],
    ['timeout', { timeout: Duration.millis(1999) }, 'TimeoutOutOfRange'],
    ['timeout', { timeout: Duration.millis(60001) }, 'TimeoutOutOfRange'],
  ])('%s out of range is refused when the check is created', (_name, options, code) => {
    for (const factory of [appmesh.HealthCheck.http, appmesh.HealthCheck.http2, appmesh.HealthCheck.grpc, appmesh.HealthCheck.tcp]) {
      expect(() => factory(options)).toThrow(new RegExp(`must be between .*\\(${code}\\)`));
    }
  });

  test('a health-check port out of range (an option aws-cdk-lib does not have) is reported at synth with the path and field', () => {
    expect(() => renderedCheck(appmesh.HealthCheck.http({ port: 0 }))).toThrow(
      '[Stack/mesh/node] virtualNodes["node"].spec.listeners[0].healthCheck.port: 0 is below the minimum 1');
  });

  test('range limits themselves are accepted', () => {
    expect(() => appmesh.HealthCheck.http({
      healthyThreshold: 2, unhealthyThreshold: 10, interval: Duration.seconds(5), timeout: Duration.seconds(60),
    })).not.toThrow();
  });

  test('bind renders a gateway variant too, except for TCP', () => {
    const { stack } = newStack();
    const http = appmesh.HealthCheck.http().bind(stack, { defaultPort: 8080 });
    expect(http.virtualGatewayHealthCheck).toEqual(http.virtualNodeHealthCheck);
    expect(appmesh.HealthCheck.tcp().bind(stack, { defaultPort: 8080 }).virtualGatewayHealthCheck).toBeUndefined();
    expect(appmesh.HealthCheck.grpc().bind(stack, {}).virtualNodeHealthCheck?.port).toBeUndefined();
  });
});
