import { apiListener, assignment, edsCluster, HCM_TYPE, inlineRouteListener, routeConfig } from './fixtures';
import { checkSnapshotConsistency, describeIssues } from '../../src/xds/consistency';
import { CLUSTER_TYPE_URL, ENDPOINT_TYPE_URL, LISTENER_TYPE_URL, ROUTE_TYPE_URL } from '../../src/xds/type-urls';

function consistent(): Record<string, object[]> {
  return {
    [LISTENER_TYPE_URL]: [apiListener('l1', 'r1'), inlineRouteListener('l2', [{ name: 'c1', weight: 3 }, { name: 'c2', weight: 1 }])],
    [ROUTE_TYPE_URL]: [routeConfig('r1', 'l1', [{ name: 'c1', weight: 1 }])],
    [CLUSTER_TYPE_URL]: [edsCluster('c1'), edsCluster('c2', { eds_cluster_config: { service_name: 'c2-eds', eds_config: { ads: {} } } })],
    [ENDPOINT_TYPE_URL]: [assignment('c1', [1]), assignment('c2-eds', [2])],
  };
}

test('a consistent snapshot has no issues, for Envoy and for gRPC clients', () => {
  expect(checkSnapshotConsistency(consistent())).toEqual([]);
  expect(checkSnapshotConsistency(consistent(), { grpcClients: true })).toEqual([]);
});

test('dangling references: route configuration, clusters (also in inline routes), endpoints', () => {
  const snapshot = consistent();
  snapshot[LISTENER_TYPE_URL] = [apiListener('l1', 'r-missing'), inlineRouteListener('l2', [{ name: 'c9', weight: 1 }])];
  snapshot[ROUTE_TYPE_URL] = [routeConfig('r1', 'l1', [{ name: 'c1', weight: 1 }, { name: 'c8', weight: 1 }])];
  snapshot[ENDPOINT_TYPE_URL] = [assignment('c1', [1])];
  const issues = checkSnapshotConsistency(snapshot);
  expect(describeIssues(issues).split('\n')).toEqual([
    'Listener l1: route configuration r-missing does not exist',
    'Listener l2: virtual host l2-route-vh route 0: cluster c9 does not exist',
    'RouteConfiguration r1: virtual host r1-vh route 0: cluster c8 does not exist',
    'Cluster c2: EDS cluster has no ClusterLoadAssignment c2-eds',
  ]);
});

test('weighted_clusters must sum to more than 0; router filter last', () => {
  const snapshot = consistent();
  const listener = inlineRouteListener('l2', [{ name: 'c1', weight: 0 }, { name: 'c2', weight: 0 }]) as any;
  listener.api_listener.api_listener.http_filters.push({ name: 'fault', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault' } });
  snapshot[LISTENER_TYPE_URL] = [listener];
  expect(checkSnapshotConsistency(snapshot).map((i) => i.message)).toEqual([
    'virtual host l2-route-vh route 0: weighted_clusters weights sum to 0 (must be > 0 and <= 4294967295)',
    'the last HTTP filter must be the router',
  ]);
});

test('gRPC client rules: api_listener, ads config sources, cluster types and LB, domains, locality weights', () => {
  const snapshot = consistent();
  snapshot[LISTENER_TYPE_URL] = [{
    name: 'tcp-style',
    filter_chains: [{ filters: [{ name: 'hcm', typed_config: { '@type': HCM_TYPE, 'stat_prefix': 'x', 'route_config': routeConfig('rc', '*.a.*', [{ name: 'c1', weight: 1 }]) } }] }],
  }];
  snapshot[CLUSTER_TYPE_URL] = [
    edsCluster('c1', { lb_policy: 'MAGLEV' }),
    { name: 'c2', type: 'STATIC', eds_cluster_config: undefined },
  ];
  snapshot[ENDPOINT_TYPE_URL] = [{ cluster_name: 'c1', endpoints: [{ lb_endpoints: [] }] }];
  const messages = checkSnapshotConsistency(snapshot, { grpcClients: true }).map((i) => `${i.name}: ${i.message}`);
  expect(messages).toEqual([
    'tcp-style: gRPC clients need an api_listener',
    'tcp-style: virtual host rc-vh: domain "*.a.*" may hold one * only, as first or last character',
    'c1: gRPC clients reject lb_policy MAGLEV',
    'c2: gRPC clients support EDS, LOGICAL_DNS and aggregate clusters, not STATIC',
    'c1: locality 0 needs load_balancing_weight > 0 (gRPC drops it otherwise)',
  ]);
  // none of these matter to Envoy
  expect(checkSnapshotConsistency(snapshot)).toEqual([]);
});
