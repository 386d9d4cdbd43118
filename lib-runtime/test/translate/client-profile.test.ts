import { choicesKey, choicesOfKey, clientProfile, ClientNode, RenderChoices } from '../../src/translate';

/** Nodes as each client sends them (user agent fields copied from the libraries' xDS clients). */
const envoy = (major: number, minor: number, patch = 0): ClientNode => ({
  user_agent_name: 'envoy',
  user_agent_build_version: { version: { major_number: major, minor_number: minor, patch }, metadata: {} },
});
// C-core sends its core library version first (29.0.0 in gRPC 1.51), then the language's release.
const ccore = (version: string): ClientNode => ({ user_agent_name: 'gRPC C-core linux Python', user_agent_version: `C-core 29.0.0 Python ${version}` });
const grpcJs = (version: string): ClientNode => ({ user_agent_name: 'gRPC Node Pure JS', user_agent_version: version });
const grpcJava = (version: string): ClientNode => ({ user_agent_name: 'gRPC Java', user_agent_version: version });
const grpcGo = (version: string): ClientNode => ({ user_agent_name: 'gRPC Go', user_agent_version: version });

const CURRENT = { totalWeight: false, legacyHeaderMatch: false, regexEngine: false, legacySanMatch: false };

describe('client profile', () => {
  test('family and version from the user agent fields', () => {
    expect(clientProfile(envoy(1, 29, 4))).toMatchObject({ family: 'envoy', version: { major: 1, minor: 29, patch: 4 } });
    expect(clientProfile(ccore('1.51.1'))).toMatchObject({ family: 'grpc-c-core', version: { major: 1, minor: 51, patch: 1 } });
    expect(clientProfile(grpcJs('1.14.1'))).toMatchObject({ family: 'grpc-js', version: { major: 1, minor: 14, patch: 1 } });
    expect(clientProfile(grpcJava('1.60.0'))).toMatchObject({ family: 'grpc-java' });
    expect(clientProfile(grpcGo('1.70.0'))).toMatchObject({ family: 'grpc-go' });
    expect(clientProfile({ user_agent_name: 'my-proxy', user_agent_version: '2.0' })).toEqual({ family: 'unknown', choices: { view: 'envoy', ...CURRENT } });
  });

  test('Envoy: total_weight before 1.24, legacy header fields before 1.20, the RE2 engine field before 1.23, untyped SANs before 1.21', () => {
    const all = { view: 'envoy', totalWeight: true, legacyHeaderMatch: true, regexEngine: true, legacySanMatch: true };
    expect(clientProfile(envoy(1, 15)).choices).toEqual(all);
    expect(clientProfile(envoy(1, 19, 9)).choices).toEqual(all);
    expect(clientProfile(envoy(1, 20)).choices).toEqual({ ...all, legacyHeaderMatch: false });
    expect(clientProfile(envoy(1, 21)).choices).toEqual({ ...all, legacyHeaderMatch: false, legacySanMatch: false });
    expect(clientProfile(envoy(1, 23)).choices).toEqual({ view: 'envoy', ...CURRENT, totalWeight: true });
    expect(clientProfile(envoy(1, 24)).choices).toEqual({ view: 'envoy', ...CURRENT });
    expect(clientProfile(envoy(1, 34, 13)).choices).toEqual({ view: 'envoy', ...CURRENT });
  });

  test('gRPC C-core: total_weight before 1.53, legacy header fields before 1.56', () => {
    expect(clientProfile(ccore('1.51.1')).choices).toEqual({ view: 'proxyless', ...CURRENT, totalWeight: true, legacyHeaderMatch: true });
    expect(clientProfile(ccore('1.53.0')).choices).toEqual({ view: 'proxyless', ...CURRENT, legacyHeaderMatch: true });
    expect(clientProfile(ccore('1.56.0')).choices).toEqual({ view: 'proxyless', ...CURRENT });
  });

  test('grpc-js-xds: total_weight before 1.14.1 (it picked from [0, 100) without it), legacy header fields before 1.9', () => {
    expect(clientProfile(grpcJs('1.8.2')).choices).toMatchObject({ totalWeight: true, legacyHeaderMatch: true });
    expect(clientProfile(grpcJs('1.14.0')).choices).toMatchObject({ totalWeight: true, legacyHeaderMatch: false });
    expect(clientProfile(grpcJs('1.14.1')).choices).toEqual({ view: 'proxyless', ...CURRENT });
  });

  test('grpc-java and grpc-go thresholds', () => {
    expect(clientProfile(grpcJava('1.52.1')).choices).toMatchObject({ totalWeight: true, legacyHeaderMatch: true });
    expect(clientProfile(grpcJava('1.53.0')).choices).toMatchObject(CURRENT);
    expect(clientProfile(grpcGo('1.53.0')).choices).toMatchObject({ totalWeight: true, legacyHeaderMatch: true });
    expect(clientProfile(grpcGo('1.55.0')).choices).toMatchObject({ totalWeight: false, legacyHeaderMatch: true });
    expect(clientProfile(grpcGo('1.56.0')).choices).toMatchObject(CURRENT);
  });

  test('C-core with only its core version (the core version is not the release): the older spellings, which every C-core reads', () => {
    expect(clientProfile({ user_agent_name: 'gRPC C-core linux', user_agent_version: 'C-core 40.0.0' }))
      .toEqual({ family: 'grpc-c-core', choices: { view: 'proxyless', ...CURRENT, totalWeight: true, legacyHeaderMatch: true } });
  });

  test('a client that does not say its version, or says it unreadably, gets the current API', () => {
    expect(clientProfile({ user_agent_name: 'envoy' }).choices).toEqual({ view: 'envoy', ...CURRENT });
    expect(clientProfile({ user_agent_name: 'gRPC Go', user_agent_version: 'dev' }).choices).toEqual({ view: 'proxyless', ...CURRENT });
    expect(clientProfile({ user_agent_name: 'envoy', user_agent_build_version: { version: { major_number: -1, minor_number: 'x' } } }).choices)
      .toEqual({ view: 'envoy', ...CURRENT });
    expect(clientProfile({}).choices).toEqual({ view: 'envoy', ...CURRENT });
  });

  test('keys name the choices, not the version: clients that need the same rendering share a key', () => {
    expect(choicesKey(clientProfile(envoy(1, 34)).choices)).toBe('envoy');
    expect(choicesKey(clientProfile(grpcJs('1.14.1')).choices)).toBe('proxyless');
    expect(choicesKey(clientProfile(ccore('1.51.1')).choices)).toBe('proxyless+total-weight+legacy-header-match');
    expect(choicesKey(clientProfile(ccore('1.52.0')).choices)).toBe(choicesKey(clientProfile(grpcGo('1.50.0')).choices));
    expect(choicesKey(clientProfile(envoy(1, 15)).choices)).toBe('envoy+total-weight+legacy-header-match+regex-engine+legacy-san-match');
    for (const node of [envoy(1, 15), envoy(1, 21), envoy(1, 34), ccore('1.51.1'), grpcJs('1.14.0'), {}]) {
      const choices: RenderChoices = clientProfile(node).choices;
      expect(choicesOfKey(choicesKey(choices))).toEqual(choices);
    }
    expect(() => choicesOfKey('sidecar')).toThrow('not a client view key');
  });
});
