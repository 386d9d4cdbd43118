/** The control plane's flags for the Kubernetes Secret CA store: accepted forms and errors naming the flag. */
import { main, parseArgs, UsageError } from '../../src/main';

const BASE = ['--spec', 'mesh.json'];
const trustOf = (...flags: string[]) => {
  const options = parseArgs([...BASE, ...flags]);
  if (options === 'help') throw new Error('help');
  return options.trust;
};

test('--ca-k8s-secret and --ca-bundle-k8s-configmap: with or without a namespace', () => {
  expect(trustOf('--ca-k8s-secret', 'shop/shop-control-plane-ca', '--ca-bundle-k8s-configmap', 'shop-control-plane-ca-bundle'))
    .toMatchObject({ caK8sSecret: 'shop/shop-control-plane-ca', caBundleK8sConfigMap: 'shop-control-plane-ca-bundle' });
  expect(trustOf('--ca-k8s-secret', 'mesh.ca')?.caBundleK8sConfigMap).toBeUndefined();
});

test.each([
  [['--ca-k8s-secret', 'Shop/ca'], /--ca-k8s-secret must be \[<namespace>\/\]<name> .*got "Shop\/ca"/],
  [['--ca-k8s-secret', 'a/b/c'], /--ca-k8s-secret must be/],
  [['--ca-k8s-secret', ''], /--ca-k8s-secret must not be empty/],
  [['--ca-k8s-secret', 'ca', '--ca-bundle-k8s-configmap', 'x_y'], /--ca-bundle-k8s-configmap must be/],
  [['--ca-bundle-k8s-configmap', 'bundle'], /--ca-bundle-k8s-configmap needs --ca-k8s-secret/],
  [['--ca-k8s-secret', 'ca', '--ca-dir', '/tmp/ca'], /--ca-k8s-secret and --ca-dir name two CA stores/],
  [['--ca-k8s-secret', 'ca', '--ca-secret-arn', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:ca-AbCdEf'], /--ca-k8s-secret and --ca-secret-arn name two CA stores/],
  [['--ca-k8s-secret', 'ca', '--insecure-plaintext'], /--insecure-plaintext serves no TLS and no identity, so --ca-k8s-secret cannot go with it/],
])('%j is refused naming the flag', (flags, message) => {
  expect(() => parseArgs([...BASE, ...flags])).toThrow(UsageError);
  expect(() => parseArgs([...BASE, ...flags])).toThrow(message);
});

test('outside a pod the program stops at start (exit 1), naming the flag', async () => {
  const host = process.env.KUBERNETES_SERVICE_HOST;
  delete process.env.KUBERNETES_SERVICE_HOST;
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => { written.push(String(chunk)); return true; });
  const spyErr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => { written.push(String(chunk)); return true; });
  try {
    await expect(main([...BASE, '--ca-k8s-secret', 'shop/ca'])).resolves.toBe(1);
  } finally {
    spy.mockRestore();
    spyErr.mockRestore();
    if (host !== undefined) process.env.KUBERNETES_SERVICE_HOST = host;
  }
  expect(written.join('')).toContain('--ca-k8s-secret shop/ca: not in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set');
});
