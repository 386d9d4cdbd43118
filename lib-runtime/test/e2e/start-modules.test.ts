/**
 * What a start costs in modules: the xDS protos come from the generated descriptor (no .proto file
 * is parsed), and the metrics use prom-client's classes without its index (which also loads the
 * push gateway, summaries, default process metrics and cluster aggregation).
 */
import type * as Protobuf from 'protobufjs';

type ControlPlaneModule = typeof import('../../src/control-plane');
type ProtosModule = typeof import('../../src/xds/protos');

const CLUSTER = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';

afterEach(() => {
  jest.dontMock('prom-client');
  jest.restoreAllMocks();
});

test('serving xDS parses no .proto file', () => {
  jest.isolateModules(() => {
    const protobuf = jest.requireActual<typeof Protobuf>('protobufjs');
    const parse = jest.spyOn(protobuf, 'parse');
    const loadSync = jest.spyOn(protobuf.Root.prototype, 'loadSync');
    const protos = jest.requireActual<ProtosModule>('../../src/xds/protos');
    protos.adsServiceDefinition();
    const cluster = { name: 'c', type: 'EDS', eds_cluster_config: { eds_config: { ads: {} } } };
    expect(protos.decodeResource(CLUSTER, protos.encodeResource(CLUSTER, cluster))).toMatchObject(cluster);
    expect(loadSync).not.toHaveBeenCalled();
    expect(parse).not.toHaveBeenCalled();
  });
});

test('the control plane and its metrics load prom-client\'s classes, not its index', async () => {
  const loaded: string[] = [];
  let metricsText: Promise<string> | undefined;
  jest.isolateModules(() => {
    jest.doMock('prom-client', () => {
      loaded.push('prom-client');
      return jest.requireActual('prom-client');
    });
    const { ControlPlane } = jest.requireActual<ControlPlaneModule>('../../src/control-plane');
    expect(ControlPlane).toBeDefined();
    const { ControlPlaneMetrics } = jest.requireActual<typeof import('../../src/admin/metrics')>('../../src/admin/metrics');
    const metrics = new ControlPlaneMetrics();
    metrics.specLoads.inc();
    metricsText = metrics.render();
  });
  expect(await metricsText).toContain('oam_spec_loads_total 1');
  expect(loaded).toEqual([]);
});
