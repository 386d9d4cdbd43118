import {
  DiscoverInstancesCommand, DiscoverInstancesCommandOutput, HttpInstanceSummary, NamespaceNotFound,
  RequestLimitExceeded, ServiceDiscoveryClient, ServiceDiscoveryServiceException,
} from '@aws-sdk/client-servicediscovery';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeScheduler } from './fake-scheduler';
import { CloudMapDiscovery, isThrottling } from '../../src/discovery/cloud-map';
import { DiscoveredEndpoints, DiscoveryError, DiscoveryTarget } from '../../src/discovery/types';
import { Logger } from '../../src/log';

const cloudMap = mockClient(ServiceDiscoveryClient);

/** An instance as ECS registers it in Cloud Map and DiscoverInstances returns it. */
function instance(id: string, attrs: Record<string, string>, health: 'HEALTHY' | 'UNHEALTHY' | 'UNKNOWN' = 'HEALTHY'): HttpInstanceSummary {
  return {
    InstanceId: id,
    NamespaceName: 'mesh.local',
    ServiceName: 'serviceb',
    HealthStatus: health,
    Attributes: {
      AVAILABILITY_ZONE: 'us-east-1a',
      AWS_INIT_HEALTH_STATUS: 'HEALTHY',
      ECS_CLUSTER_NAME: 'mesh-cluster',
      ECS_SERVICE_NAME: 'serviceb-v1',
      ECS_TASK_DEFINITION_FAMILY: 'serviceb-v1',
      REGION: 'us-east-1',
      ...attrs,
    },
  };
}

function answer(instances: HttpInstanceSummary[], revision = 1): DiscoverInstancesCommandOutput {
  return { $metadata: { httpStatusCode: 200, requestId: 'req-1', attempts: 1, totalRetryDelay: 0 }, Instances: instances, InstancesRevision: revision };
}

/** Throttling as the SDK surfaces an unmodelled `ThrottlingException` from the awsJson1_1 protocol. */
function throttlingException(): ServiceDiscoveryServiceException {
  return new ServiceDiscoveryServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    message: 'Rate exceeded',
    $metadata: { httpStatusCode: 400, requestId: 'req-t', attempts: 3, totalRetryDelay: 600 },
  });
}

function requestLimitExceeded(): RequestLimitExceeded {
  return new RequestLimitExceeded({ message: 'The operation can\'t be completed because you\'ve reached the quota for the number of requests.', $metadata: { httpStatusCode: 400 } });
}

function serverError(): ServiceDiscoveryServiceException {
  return new ServiceDiscoveryServiceException({
    name: 'InternalFailure', $fault: 'server', message: 'We encountered an internal error.', $metadata: { httpStatusCode: 500 },
  });
}

const target: DiscoveryTarget = {
  virtualNodeName: 'serviceB-v1',
  ports: [50051],
  cloudMap: { namespaceName: 'mesh.local', serviceName: 'serviceb', attributes: { ECS_TASK_DEFINITION_FAMILY: 'serviceb-v1' } },
};

function makeDiscovery(scheduler: FakeScheduler, t: DiscoveryTarget = target) {
  const discovery = new CloudMapDiscovery({
    client: new ServiceDiscoveryClient({ region: 'us-east-1' }),
    scheduler,
    timing: { intervalMs: 5000, jitter: 0.2, backoffBaseMs: 1000, backoffMaxMs: 8000 },
  });
  const changes: DiscoveredEndpoints[] = [];
  const errors: DiscoveryError[] = [];
  discovery.onChange((e) => changes.push(e));
  discovery.onError((e) => errors.push(e));
  discovery.setTargets([t]);
  return { discovery, changes, errors };
}

beforeEach(() => cloudMap.reset());

describe('CloudMapDiscovery', () => {
  test('asks DiscoverInstances for healthy instances matching every attribute and maps the answer', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolves(answer([
      instance('i-2', { AWS_INSTANCE_IPV4: '127.0.0.12', AWS_INSTANCE_PORT: '50052', AVAILABILITY_ZONE: 'us-east-1b' }),
      instance('i-1', { AWS_INSTANCE_IPV4: '127.0.0.11', AWS_INSTANCE_PORT: '50051' }),
    ]));
    const { discovery, changes } = makeDiscovery(new FakeScheduler());
    await discovery.start();

    const input = cloudMap.commandCalls(DiscoverInstancesCommand)[0].args[0].input;
    expect(input).toEqual({
      NamespaceName: 'mesh.local',
      ServiceName: 'serviceb',
      QueryParameters: { ECS_TASK_DEFINITION_FAMILY: 'serviceb-v1' },
      HealthStatus: 'HEALTHY',
      MaxResults: 1000,
    });
    expect(discovery.current()).toEqual({
      'serviceB-v1': [
        { address: '127.0.0.11', port: 50051, zone: 'us-east-1a', healthy: true },
        { address: '127.0.0.12', port: 50052, zone: 'us-east-1b', healthy: true },
      ],
    });
    expect(changes).toHaveLength(1);
    expect(discovery.ready()).toBe(true);
    await discovery.stop();
  });

  test('omits QueryParameters without attributes and uses the listener port when AWS_INSTANCE_PORT is absent', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolves(answer([instance('i-1', { AWS_INSTANCE_IPV4: '127.0.0.11' })]));
    const { discovery } = makeDiscovery(new FakeScheduler(), { ...target, cloudMap: { ...target.cloudMap!, attributes: {} } });
    await discovery.start();
    expect(cloudMap.commandCalls(DiscoverInstancesCommand)[0].args[0].input.QueryParameters).toBeUndefined();
    expect(discovery.current()['serviceB-v1']).toEqual([{ address: '127.0.0.11', port: 50051, zone: 'us-east-1a', healthy: true }]);
    await discovery.stop();
  });

  test.each([
    ['IPv4_PREFERRED', ['127.0.0.11', '127.0.0.12', '::1']],
    ['IPv6_PREFERRED', ['127.0.0.11', '::1', '::2']],
    ['IPv4_ONLY', ['127.0.0.11', '127.0.0.12']],
    ['IPv6_ONLY', ['::1', '::2']],
    [undefined, ['127.0.0.11', '127.0.0.12', '::1']],
  ] as const)('ipPreference %s picks the address family per instance', async (preference, expected) => {
    cloudMap.on(DiscoverInstancesCommand).resolves(answer([
      instance('dual', { AWS_INSTANCE_IPV4: '127.0.0.12', AWS_INSTANCE_IPV6: '::2', AWS_INSTANCE_PORT: '8080' }),
      instance('v4', { AWS_INSTANCE_IPV4: '127.0.0.11', AWS_INSTANCE_PORT: '8080' }),
      instance('v6', { AWS_INSTANCE_IPV6: '::1', AWS_INSTANCE_PORT: '8080' }),
    ]));
    const { discovery } = makeDiscovery(new FakeScheduler(), { ...target, ipPreference: preference });
    await discovery.start();
    expect(discovery.current()['serviceB-v1'].map((e) => e.address).sort()).toEqual([...expected].sort());
    await discovery.stop();
  });

  test('HEALTHY_OR_ELSE_ALL is passed through and unhealthy instances are marked', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolves(answer([instance('i-1', { AWS_INSTANCE_IPV4: '127.0.0.11' }, 'UNHEALTHY')]));
    const discovery = new CloudMapDiscovery({ client: new ServiceDiscoveryClient({ region: 'us-east-1' }), scheduler: new FakeScheduler(), healthStatus: 'HEALTHY_OR_ELSE_ALL' });
    discovery.setTargets([target]);
    await discovery.start();
    expect(cloudMap.commandCalls(DiscoverInstancesCommand)[0].args[0].input.HealthStatus).toBe('HEALTHY_OR_ELSE_ALL');
    expect(discovery.current()['serviceB-v1'][0].healthy).toBe(false);
    await discovery.stop();
  });

  test('an unchanged answer produces no change event; a changed one does', async () => {
    const one = instance('i-1', { AWS_INSTANCE_IPV4: '127.0.0.11', AWS_INSTANCE_PORT: '50051' });
    const two = instance('i-2', { AWS_INSTANCE_IPV4: '127.0.0.12', AWS_INSTANCE_PORT: '50051' });
    cloudMap.on(DiscoverInstancesCommand)
      .resolvesOnce(answer([one, two], 1))
      .resolvesOnce(answer([two, one], 1)) // same set, other order
      .resolvesOnce(answer([one], 2));
    const scheduler = new FakeScheduler();
    const { discovery, changes } = makeDiscovery(scheduler);
    await discovery.start();
    expect(changes).toHaveLength(1);
    await scheduler.fireNext();
    expect(changes).toHaveLength(1);
    await scheduler.fireNext();
    expect(changes).toHaveLength(2);
    expect(changes[1]['serviceB-v1'].map((e) => e.address)).toEqual(['127.0.0.11']);
    expect(cloudMap.commandCalls(DiscoverInstancesCommand)).toHaveLength(3);
    await discovery.stop();
  });

  test('successful polls are spaced by the interval with jitter', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolves(answer([]));
    const scheduler = new FakeScheduler();
    const { discovery } = makeDiscovery(scheduler);
    scheduler.randomValue = 0;
    await discovery.start();
    scheduler.randomValue = 1;
    await scheduler.fireNext();
    scheduler.randomValue = 0.5;
    await scheduler.fireNext();
    expect(scheduler.delays).toEqual([4000, 6000, 5000]);
    await discovery.stop();
  });

  test('throttling backs off exponentially up to the cap, keeps the last endpoints, then recovers', async () => {
    const known = answer([instance('i-1', { AWS_INSTANCE_IPV4: '127.0.0.11', AWS_INSTANCE_PORT: '50051' })]);
    cloudMap.on(DiscoverInstancesCommand)
      .resolvesOnce(known)
      .rejectsOnce(throttlingException())
      .rejectsOnce(requestLimitExceeded())
      .rejectsOnce(throttlingException())
      .rejectsOnce(throttlingException())
      .rejectsOnce(throttlingException())
      .resolves(known);
    const scheduler = new FakeScheduler();
    scheduler.randomValue = 1; // top of each jitter range, so delays are exact
    const { discovery, changes, errors } = makeDiscovery(scheduler);
    await discovery.start();
    for (let i = 0; i < 6; i++) await scheduler.fireNext();

    // interval after the first success, then 1 s, 2 s, 4 s, 8 s, 8 s (cap), then the interval again.
    expect(scheduler.delays).toEqual([6000, 1000, 2000, 4000, 8000, 8000, 6000]);
    expect(errors.map((e) => e.kind)).toEqual(['throttled', 'throttled', 'throttled', 'throttled', 'throttled']);
    expect(errors[0]).toMatchObject({ source: 'cloudmap', virtualNodeName: 'serviceB-v1' });
    expect(discovery.current()['serviceB-v1']).toEqual([{ address: '127.0.0.11', port: 50051, zone: 'us-east-1a', healthy: true }]);
    expect(changes).toHaveLength(1); // the recovered answer equals the kept one: no push
    await discovery.stop();
  });

  test('an outage (server errors, network errors, missing namespace) keeps the last endpoints and counts errors', async () => {
    cloudMap.on(DiscoverInstancesCommand)
      .resolvesOnce(answer([instance('i-1', { AWS_INSTANCE_IPV4: '127.0.0.11', AWS_INSTANCE_PORT: '50051' })]))
      .rejectsOnce(serverError())
      .rejectsOnce(Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError', code: 'ETIMEDOUT' }))
      .rejectsOnce(new NamespaceNotFound({ message: 'Namespace not found', $metadata: { httpStatusCode: 400 } }))
      .resolves(answer([instance('i-2', { AWS_INSTANCE_IPV4: '127.0.0.12', AWS_INSTANCE_PORT: '50051' })]));
    const scheduler = new FakeScheduler();
    scheduler.randomValue = 0; // bottom of each range: backoff halves
    const { discovery, changes, errors } = makeDiscovery(scheduler);
    await discovery.start();
    for (let i = 0; i < 3; i++) {
      await scheduler.fireNext();
      expect(discovery.current()['serviceB-v1'].map((e) => e.address)).toEqual(['127.0.0.11']);
    }
    expect(errors.map((e) => e.kind)).toEqual(['error', 'error', 'error']);
    expect(scheduler.delays).toEqual([4000, 500, 1000, 2000]);
    await scheduler.fireNext();
    expect(discovery.current()['serviceB-v1'].map((e) => e.address)).toEqual(['127.0.0.12']);
    expect(changes).toHaveLength(2);
    await discovery.stop();
  });

  test('an API that fails from the start leaves the node without endpoints, but the source reports ready', async () => {
    cloudMap.on(DiscoverInstancesCommand).rejects(serverError());
    const { discovery, changes } = makeDiscovery(new FakeScheduler());
    await discovery.start();
    expect(discovery.current()).toEqual({});
    expect(changes).toHaveLength(0);
    expect(discovery.ready()).toBe(true);
    await discovery.stop();
  });

  test('dropping a target stops its polling and removes its endpoints', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolves(answer([instance('i-1', { AWS_INSTANCE_IPV4: '127.0.0.11' })]));
    const scheduler = new FakeScheduler();
    const { discovery, changes } = makeDiscovery(scheduler);
    await discovery.start();
    expect(scheduler.pending).toBe(1);
    discovery.setTargets([]);
    expect(scheduler.pending).toBe(0);
    expect(discovery.current()).toEqual({});
    expect(changes[changes.length - 1]).toEqual({});
    await discovery.stop();
  });

  test('an instance with a malformed address or port is dropped with the reason logged once; the others are served', async () => {
    // Issue #11 defect 6: one bad registration must not take the valid instances down with it.
    cloudMap.on(DiscoverInstancesCommand).resolves(answer([
      instance('i-good', { AWS_INSTANCE_IPV4: '127.0.0.11', AWS_INSTANCE_PORT: '50051' }),
      instance('i-bad-ip', { AWS_INSTANCE_IPV4: 'not an ip', AWS_INSTANCE_PORT: '50051' }),
      instance('i-v6-in-v4', { AWS_INSTANCE_IPV4: '::1', AWS_INSTANCE_PORT: '50051' }),
      instance('i-bad-v6', { AWS_INSTANCE_IPV6: '127.0.0.1', AWS_INSTANCE_PORT: '50051' }),
      instance('i-port-name', { AWS_INSTANCE_IPV4: '127.0.0.12', AWS_INSTANCE_PORT: 'http' }),
      instance('i-port-zero', { AWS_INSTANCE_IPV4: '127.0.0.13', AWS_INSTANCE_PORT: '0' }),
      instance('i-port-empty', { AWS_INSTANCE_IPV4: '127.0.0.14', AWS_INSTANCE_PORT: '' }),
      instance('i-port-big', { AWS_INSTANCE_IPV4: '127.0.0.15', AWS_INSTANCE_PORT: '65536' }),
      instance('i-cname', { AWS_INSTANCE_CNAME: 'b.example.com', AWS_INSTANCE_PORT: '50051' }),
    ]));
    const lines: string[] = [];
    const scheduler = new FakeScheduler();
    const discovery = new CloudMapDiscovery({
      client: new ServiceDiscoveryClient({ region: 'us-east-1' }), scheduler, log: new Logger('info', {}, (l) => lines.push(l)),
    });
    discovery.setTargets([target]);
    await discovery.start();
    await scheduler.fireNext(); // the same answer again: no second log line
    expect(discovery.current()['serviceB-v1']).toEqual([{ address: '127.0.0.11', port: 50051, zone: 'us-east-1a', healthy: true }]);
    const dropped = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'endpoints left out of the answer');
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ virtualNode: 'serviceB-v1', count: 8 });
    expect(dropped[0].reasons).toEqual([
      'instance "i-bad-ip": AWS_INSTANCE_IPV4 "not an ip" is not an IPv4 address',
      'instance "i-v6-in-v4": AWS_INSTANCE_IPV4 "::1" is not an IPv4 address',
      'instance "i-bad-v6": AWS_INSTANCE_IPV6 "127.0.0.1" is not an IPv6 address',
      'instance "i-port-name": AWS_INSTANCE_PORT "http" is not a port 1-65535',
      'instance "i-port-zero": AWS_INSTANCE_PORT "0" is not a port 1-65535',
      'instance "i-port-empty": AWS_INSTANCE_PORT "" is not a port 1-65535',
      'instance "i-port-big": AWS_INSTANCE_PORT "65536" is not a port 1-65535',
      'instance "i-cname": neither AWS_INSTANCE_IPV4 nor AWS_INSTANCE_IPV6 is set',
    ]);
    await discovery.stop();
  });

  test('an outage is logged as a warning once when it starts and once when it ends, while every failure is counted', async () => {
    cloudMap.on(DiscoverInstancesCommand)
      .resolvesOnce(answer([instance('i-1', { AWS_INSTANCE_IPV4: '127.0.0.11', AWS_INSTANCE_PORT: '50051' })]))
      .rejectsOnce(serverError()).rejectsOnce(serverError()).rejectsOnce(serverError()).rejectsOnce(serverError())
      .resolves(answer([instance('i-1', { AWS_INSTANCE_IPV4: '127.0.0.11', AWS_INSTANCE_PORT: '50051' })]));
    const lines: string[] = [];
    const scheduler = new FakeScheduler();
    const discovery = new CloudMapDiscovery({
      client: new ServiceDiscoveryClient({ region: 'us-east-1' }), scheduler, log: new Logger('info', {}, (l) => lines.push(l)),
    });
    const errors: DiscoveryError[] = [];
    discovery.onError((e) => errors.push(e));
    discovery.setTargets([target]);
    await discovery.start();
    for (let i = 0; i < 5; i++) await scheduler.fireNext();
    expect(errors).toHaveLength(4);
    const messages = lines.map((l) => JSON.parse(l).msg).filter((m: string) => m.startsWith('endpoint lookup'));
    expect(messages).toEqual(['endpoint lookup failed; keeping the last known endpoints', 'endpoint lookup works again']);
    await discovery.stop();
  });

  test('a virtual node named constructor is a node like any other', async () => {
    cloudMap.on(DiscoverInstancesCommand).resolves(answer([instance('i-1', { AWS_INSTANCE_IPV4: '127.0.0.11', AWS_INSTANCE_PORT: '50051' })]));
    const { discovery } = makeDiscovery(new FakeScheduler(), { ...target, virtualNodeName: 'constructor' });
    await discovery.start();
    const current = discovery.current();
    expect(Object.keys(current)).toEqual(['constructor']);
    expect(current.constructor).toHaveLength(1);
    await discovery.stop();
  });

  test('isThrottling recognises the SDK throttling shapes only', () => {
    expect(isThrottling(throttlingException())).toBe(true);
    expect(isThrottling(requestLimitExceeded())).toBe(true);
    expect(isThrottling({ name: 'Whatever', $retryable: { throttling: true } })).toBe(true);
    expect(isThrottling(serverError())).toBe(false);
    expect(isThrottling(new Error('boom'))).toBe(false);
  });
});
