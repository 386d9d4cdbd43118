/** The agent's flags: what is required, and errors that name the flag. */
import { parseAgentArgs } from '../../src/agent/agent-command';

const BASE = ['--node-id', 'mesh/shop/virtualNode/cart', '--control-plane', 'https://cp:18443', '--ca-bundle', '/etc/mesh/ca.pem'];
const K8S = [...BASE, '--identity', 'kubernetes', '--token-file', '/var/run/token'];

const usageError = (argv: string[], env: NodeJS.ProcessEnv = {}): string => {
  try {
    parseAgentArgs(argv, env);
    return 'accepted';
  } catch (err) {
    return (err as Error).message;
  }
};

test('a Kubernetes agent with SDS and the xDS proxy on its default loopback address', () => {
  expect(parseAgentArgs([...K8S, '--sds-socket', '/run/sds.sock', '--xds-address', 'cp:18000'], {})).toEqual({
    nodeId: 'mesh/shop/virtualNode/cart',
    identity: { type: 'kubernetes', tokenFile: '/var/run/token' },
    controlPlaneUrl: 'https://cp:18443',
    caBundleFile: '/etc/mesh/ca.pem',
    sdsSocket: '/run/sds.sock',
    xdsProxy: { listen: '127.0.0.1:15010', upstream: 'cp:18000' },
    logLevel: 'info',
  });
});

test('an AWS IAM agent takes its region from AWS_REGION and needs --server-id', () => {
  const options = parseAgentArgs([...BASE, '--identity', 'aws-iam', '--server-id', 'cp', '--out-dir', '/certs'], { AWS_REGION: 'eu-west-1' });
  expect(options).toMatchObject({ identity: { type: 'aws-iam', serverId: 'cp', region: 'eu-west-1' }, outDir: '/certs' });
  expect(usageError([...BASE, '--identity', 'aws-iam', '--out-dir', '/certs'], { AWS_REGION: 'eu-west-1' })).toBe('--server-id is required with --identity aws-iam');
  expect(usageError([...BASE, '--identity', 'aws-iam', '--server-id', 'cp', '--out-dir', '/c'])).toBe('--region is required with --identity aws-iam when AWS_REGION is not set');
});

test('refusals name the flag', () => {
  expect(usageError([...K8S.filter((a) => a !== '--ca-bundle' && a !== '/etc/mesh/ca.pem'), '--out-dir', '/c']))
    .toBe('--ca-bundle is required (the roots that sign the control plane\'s certificate)');
  expect(usageError(K8S)).toBe('give at least one output: --out-dir, --sds-socket or --xds-address');
  expect(usageError([...K8S, '--xds-address', 'cp:18000', '--xds-proxy-listen', '0.0.0.0:15010']))
    .toBe('--xds-proxy-listen must be unix:<path> or a loopback host:port (127.0.0.1, [::1], localhost), got "0.0.0.0:15010"');
  expect(usageError([...K8S, '--xds-address', 'cp:18000', '--xds-proxy-listen', 'unix:/run/xds.sock'])).toBe('accepted');
  expect(usageError([...K8S, '--xds-address', 'cp:18000', '--xds-proxy-listen', '[::1]:15010'])).toBe('accepted');
  expect(usageError([...K8S.map((a) => a.replace('https://', 'http://')), '--out-dir', '/c']))
    .toBe('--control-plane must be an https:// URL, got "http://cp:18443"');
  expect(usageError([...K8S.map((a) => (a === 'mesh/shop/virtualNode/cart' ? 'cart' : a)), '--out-dir', '/c']))
    .toBe('--node-id must be mesh/<mesh>/virtualNode/<name> or mesh/<mesh>/virtualGateway/<name>, got "cart"');
  expect(usageError([...BASE, '--identity', 'spiffe', '--out-dir', '/c'])).toBe('--identity must be aws-iam or kubernetes, got "spiffe"');
});
