import { meshDoc, named, routedMesh } from './spec-builder';
import { ClientPolicy, ListenerTls, VirtualNodeSpec } from '../../../src/spec/appmesh-types';
import { CERTIFICATE_SECRET, TRUST_BUNDLE_SECRET } from '../../src/agent/sds-server';
import { translateNode } from '../../src/translate';
import { MESH_CERTIFICATE_SECRET, MESH_TRUST_SECRET } from '../../src/translate/tls';
import { ProtoJson } from '../../src/translate/types';

const fileCert = { file: { certificateChain: '/c/chain.pem', privateKey: '/c/key.pem' } };
const fileTrust = { file: { certificateChain: '/c/ca.pem' } };
const acmTrust = { acm: { certificateAuthorityArns: ['arn:aws:acm-pca:eu-west-1:1:certificate-authority/a', 'arn:aws:acm-pca:eu-west-1:1:certificate-authority/b'] } };
const SDS_SOURCE = {
  api_config_source: {
    api_type: 'GRPC',
    transport_api_version: 'V3',
    grpc_services: [{ envoy_grpc: { cluster_name: 'static_cluster_sds_unix_socket' } }],
  },
  resource_api_version: 'V3',
};
const CURVES = { ecdh_curves: ['X25519', 'P-256', 'P-521', 'P-384'] };

function serverChains(tls: ListenerTls): ProtoJson[] {
  const spec = meshDoc({ nodes: { n: { listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls }] } } });
  const envoy = translateNode({ spec, nodeId: 'mesh/m/virtualNode/n' }).envoy;
  return named(envoy.listeners, 'lds_ingress_0.0.0.0_15000').filter_chains as ProtoJson[];
}

const context = (chain: ProtoJson) => ((chain.transport_socket as ProtoJson).typed_config as ProtoJson);

describe('listener TLS', () => {
  test('STRICT with file certificate: one chain with a downstream TLS context', () => {
    const chains = serverChains({ mode: 'STRICT', certificate: fileCert });
    expect(chains).toHaveLength(1);
    expect((chains[0].transport_socket as ProtoJson).name).toBe('envoy.transport_sockets.tls');
    expect(context(chains[0])).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
      'common_tls_context': {
        tls_params: CURVES,
        tls_certificates: [{ certificate_chain: { filename: '/c/chain.pem' }, private_key: { filename: '/c/key.pem' } }],
      },
    });
  });

  test('PERMISSIVE: a TLS chain (transport_protocol tls) and a plaintext chain; TLS inspector on', () => {
    const spec = meshDoc({ nodes: { n: { listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'PERMISSIVE', certificate: fileCert } }] } } });
    const listener = named(translateNode({ spec, nodeId: 'mesh/m/virtualNode/n' }).envoy.listeners, 'lds_ingress_0.0.0.0_15000');
    const chains = listener.filter_chains as ProtoJson[];
    expect(chains.map(c => [c.name, c.filter_chain_match, c.transport_socket !== undefined])).toEqual([
      ['ingress_http_8080_tls', { destination_port: { value: 8080 }, transport_protocol: 'tls' }, true],
      ['ingress_http_8080_plaintext', { destination_port: { value: 8080 } }, false],
    ]);
    expect((listener.listener_filters as ProtoJson[]).map(f => f.name)).toContain('envoy.filters.listener.tls_inspector');
  });

  test('DISABLED: plaintext only', () => {
    const chains = serverChains({ mode: 'DISABLED', certificate: fileCert });
    expect(chains).toHaveLength(1);
    expect(chains[0].transport_socket).toBeUndefined();
  });

  test('SDS certificate from the bootstrap SDS cluster', () => {
    const common = context(serverChains({ mode: 'STRICT', certificate: { sds: { secretName: 'spiffe://td/web' } } })[0]).common_tls_context as ProtoJson;
    expect(common.tls_certificate_sds_secret_configs).toEqual([{ name: 'spiffe://td/web', sds_config: SDS_SOURCE }]);
  });

  test('validation (mTLS): client certificate required, file trust, SAN matchers typed URI/DNS', () => {
    const ctx = context(serverChains({
      mode: 'STRICT',
      certificate: fileCert,
      validation: { trust: fileTrust, subjectAlternativeNames: { match: { exact: ['spiffe://td/client', 'client.local'] } } },
    })[0]);
    expect(ctx.require_client_certificate).toEqual({ value: true });
    expect((ctx.common_tls_context as ProtoJson).validation_context).toEqual({
      trusted_ca: { filename: '/c/ca.pem' },
      match_typed_subject_alt_names: [
        { san_type: 'URI', matcher: { exact: 'spiffe://td/client' } },
        { san_type: 'DNS', matcher: { exact: 'client.local' } },
      ],
    });
  });

  test('SDS trust: validation context secret; with SANs a combined context', () => {
    const plain = context(serverChains({ mode: 'STRICT', certificate: fileCert, validation: { trust: { sds: { secretName: 'spiffe://td' } } } })[0]);
    expect((plain.common_tls_context as ProtoJson).validation_context_sds_secret_config).toEqual({ name: 'spiffe://td', sds_config: SDS_SOURCE });
    const combined = context(serverChains({
      mode: 'STRICT',
      certificate: fileCert,
      validation: { trust: { sds: { secretName: 'spiffe://td' } }, subjectAlternativeNames: { match: { exact: ['a.local'] } } },
    })[0]);
    expect((combined.common_tls_context as ProtoJson).combined_validation_context).toEqual({
      default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'a.local' } }] },
      validation_context_sds_secret_config: { name: 'spiffe://td', sds_config: SDS_SOURCE },
    });
  });

  test('ACM certificate: the node\'s mesh certificate, SDS secret `default` from the agent\'s socket, never the ARN', () => {
    const common = context(serverChains({ mode: 'STRICT', certificate: { acm: { certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/x' } } })[0]).common_tls_context as ProtoJson;
    expect(common.tls_certificate_sds_secret_configs).toEqual([{ name: 'default', sds_config: SDS_SOURCE }]);
  });

  test('the mesh secret names are the ones the agent serves', () => {
    expect(MESH_CERTIFICATE_SECRET).toBe(CERTIFICATE_SECRET);
    expect(MESH_TRUST_SECRET).toBe(TRUST_BUNDLE_SECRET);
  });
});

describe('client TLS (clientPolicy) on cds_egress clusters', () => {
  function clusterSocket(policy: { defaults?: ClientPolicy; backend?: ClientPolicy }, target: Partial<VirtualNodeSpec> = {}): ProtoJson | undefined {
    const spec = meshDoc({
      nodes: {
        client: {
          backendDefaults: policy.defaults ? { clientPolicy: policy.defaults } : undefined,
          backends: [{ virtualService: { virtualServiceName: 'svc', clientPolicy: policy.backend } }],
        },
        t: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }], serviceDiscovery: { dns: { hostname: 't.local' } }, ...target },
      },
      services: { svc: { provider: { virtualNode: { virtualNodeName: 't' } } } },
    });
    const cluster = named(translateNode({ spec, nodeId: 'mesh/m/virtualNode/client' }).envoy.clusters, 'cds_egress_m_t_http_8080');
    return cluster.transport_socket as ProtoJson | undefined;
  }
  const upstream = (socket: ProtoJson | undefined) => ((socket!.typed_config as ProtoJson).common_tls_context as ProtoJson);

  test('file trust; SAN defaults to the target DNS hostname; client certificate for mTLS; no SNI', () => {
    const socket = clusterSocket({ defaults: { tls: { certificate: fileCert, validation: { trust: fileTrust } } } });
    expect((socket!.typed_config as ProtoJson)['@type']).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext');
    expect((socket!.typed_config as ProtoJson).sni).toBeUndefined();
    expect(upstream(socket)).toEqual({
      tls_params: CURVES,
      tls_certificates: [{ certificate_chain: { filename: '/c/chain.pem' }, private_key: { filename: '/c/key.pem' } }],
      validation_context: { trusted_ca: { filename: '/c/ca.pem' }, match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 't.local' } }] },
    });
  });

  test('SAN default for Cloud Map is <service>.<namespace>', () => {
    const socket = clusterSocket({ defaults: { tls: { validation: { trust: fileTrust } } } }, { serviceDiscovery: { awsCloudMap: { namespaceName: 'ns', serviceName: 's' } } });
    expect((upstream(socket).validation_context as ProtoJson).match_typed_subject_alt_names).toEqual([{ san_type: 'DNS', matcher: { exact: 's.ns' } }]);
  });

  test('backend policy wins over backendDefaults; SDS certificate and trust with explicit SANs', () => {
    const socket = clusterSocket({
      defaults: { tls: { validation: { trust: fileTrust } } },
      backend: { tls: { certificate: { sds: { secretName: 'spiffe://td/client' } }, validation: { trust: { sds: { secretName: 'spiffe://td' } }, subjectAlternativeNames: { match: { exact: ['spiffe://td/t'] } } } } },
    });
    expect(upstream(socket)).toEqual({
      tls_params: CURVES,
      tls_certificate_sds_secret_configs: [{ name: 'spiffe://td/client', sds_config: SDS_SOURCE }],
      combined_validation_context: {
        default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { exact: 'spiffe://td/t' } }] },
        validation_context_sds_secret_config: { name: 'spiffe://td', sds_config: SDS_SOURCE },
      },
    });
  });

  test('ports limit the policy; enforce false disables it', () => {
    expect(clusterSocket({ defaults: { tls: { ports: [9443], validation: { trust: fileTrust } } } })).toBeUndefined();
    expect(clusterSocket({ defaults: { tls: { ports: [8080], validation: { trust: fileTrust } } } })).toBeDefined();
    expect(clusterSocket({ defaults: { tls: { enforce: false, validation: { trust: fileTrust } } } })).toBeUndefined();
  });

  test('no policy: unverified TLS towards STRICT / PERMISSIVE targets, plaintext otherwise', () => {
    const strict = clusterSocket({}, { listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'STRICT', certificate: fileCert } }] });
    expect(upstream(strict)).toEqual({ tls_params: CURVES });
    const permissive = clusterSocket({}, { listeners: [{ portMapping: { port: 8080, protocol: 'http' }, tls: { mode: 'PERMISSIVE', certificate: fileCert } }] });
    expect(permissive).toBeDefined();
    expect(clusterSocket({})).toBeUndefined();
  });

  test('ACM trust: the mesh trust bundle (SDS `ROOTCA`, every CA ARN), the target node\'s mesh identity by URI suffix, the node\'s own mesh certificate', () => {
    expect(upstream(clusterSocket({ defaults: { tls: { validation: { trust: acmTrust } } } }))).toEqual({
      tls_params: CURVES,
      tls_certificate_sds_secret_configs: [{ name: 'default', sds_config: SDS_SOURCE }],
      combined_validation_context: {
        default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { suffix: '/mesh/m/virtualNode/t' } }] },
        validation_context_sds_secret_config: { name: 'ROOTCA', sds_config: SDS_SOURCE },
      },
    });
  });

  test('ACM trust: explicit SANs keep their meaning; an explicit client certificate wins over the mesh one', () => {
    const common = upstream(clusterSocket({
      backend: { tls: { certificate: fileCert, validation: { trust: acmTrust, subjectAlternativeNames: { match: { exact: ['t.local', 'spiffe://td/x'] } } } } },
    }));
    expect(common.tls_certificates).toEqual([{ certificate_chain: { filename: '/c/chain.pem' }, private_key: { filename: '/c/key.pem' } }]);
    expect(common.tls_certificate_sds_secret_configs).toBeUndefined();
    expect(common.combined_validation_context).toEqual({
      default_validation_context: {
        match_typed_subject_alt_names: [
          { san_type: 'DNS', matcher: { exact: 't.local' } },
          { san_type: 'URI', matcher: { exact: 'spiffe://td/x' } },
        ],
      },
      validation_context_sds_secret_config: { name: 'ROOTCA', sds_config: SDS_SOURCE },
    });
  });

  test('ACM trust on a router-backed service: each route target\'s cluster checks its own node\'s identity', () => {
    const spec = routedMesh(
      { split: { httpRoute: { match: { prefix: '/' }, action: { weightedTargets: [{ virtualNode: 'v1', weight: 1 }, { virtualNode: 'v2', weight: 1 }] } } } },
      { nodes: { client: { backendDefaults: { clientPolicy: { tls: { validation: { trust: acmTrust } } } }, backends: [{ virtualService: { virtualServiceName: 'svc' } }] } } },
    );
    const clusters = translateNode({ spec, nodeId: 'mesh/m/virtualNode/client' }).envoy.clusters;
    const suffixOf = (name: string) => {
      const common = upstream(named(clusters, name).transport_socket as ProtoJson);
      return ((common.combined_validation_context as ProtoJson).default_validation_context as ProtoJson).match_typed_subject_alt_names;
    };
    expect(suffixOf('cds_egress_m_v1_http_8080')).toEqual([{ san_type: 'URI', matcher: { suffix: '/mesh/m/virtualNode/v1' } }]);
    expect(suffixOf('cds_egress_m_v2_http_8080')).toEqual([{ san_type: 'URI', matcher: { suffix: '/mesh/m/virtualNode/v2' } }]);
  });
});

describe('client TLS on proxyless clusters (gRFC A29 certificate providers)', () => {
  function proxylessSocket(policy: ClientPolicy): ProtoJson | undefined {
    const spec = meshDoc({
      nodes: {
        client: { backendDefaults: { clientPolicy: policy }, backends: [{ virtualService: { virtualServiceName: 'svc' } }] },
        t: { listeners: [{ portMapping: { port: 8080, protocol: 'grpc' } }] },
      },
      services: { svc: { provider: { virtualNode: { virtualNodeName: 't' } } } },
    });
    return named(translateNode({ spec, nodeId: 'mesh/m/virtualNode/client' }).proxyless.clusters, 'cds_egress_m_t_grpc_8080').transport_socket as ProtoJson | undefined;
  }

  test('ACM trust: provider instance `default` for identity and roots, the target node\'s identity by suffix, no tls_params', () => {
    expect(proxylessSocket({ tls: { validation: { trust: acmTrust } } })).toEqual({
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
        'common_tls_context': {
          tls_certificate_provider_instance: { instance_name: 'default' },
          validation_context: { ca_certificate_provider_instance: { instance_name: 'default' }, match_subject_alt_names: [{ suffix: '/mesh/m/virtualNode/t' }] },
        },
      },
    });
  });

  test('ACM trust with explicit SANs: exact matchers', () => {
    const socket = proxylessSocket({ tls: { validation: { trust: acmTrust, subjectAlternativeNames: { match: { exact: ['spiffe://td/x'] } } } } });
    const common = (socket!.typed_config as ProtoJson).common_tls_context as ProtoJson;
    expect((common.validation_context as ProtoJson).match_subject_alt_names).toEqual([{ exact: 'spiffe://td/x' }]);
  });

  test('what a gRPC client cannot load (files, SDS names), and unenforced policies, get no TLS', () => {
    expect(proxylessSocket({ tls: { validation: { trust: fileTrust } } })).toBeUndefined();
    expect(proxylessSocket({ tls: { validation: { trust: { sds: { secretName: 'ROOTCA' } } } } })).toBeUndefined();
    expect(proxylessSocket({ tls: { certificate: fileCert, validation: { trust: acmTrust } } })).toBeUndefined();
    expect(proxylessSocket({ tls: { enforce: false, validation: { trust: acmTrust } } })).toBeUndefined();
    expect(proxylessSocket({ tls: { ports: [9443], validation: { trust: acmTrust } } })).toBeUndefined();
  });
});
