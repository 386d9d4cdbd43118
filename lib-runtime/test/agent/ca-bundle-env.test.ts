/** --ca-bundle-env: the control plane's roots from an environment variable (ECS injects secrets so). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAgentArgs, writeCaBundleFile } from '../../src/agent/agent-command';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const ARGS = ['--node-id', 'mesh/shop/virtualNode/cart', '--identity', 'kubernetes', '--token-file', '/t',
  '--control-plane', 'https://cp:18002', '--sds-socket', '/run/sds.sock'];

const usageError = (argv: string[], env: NodeJS.ProcessEnv): string => {
  try {
    parseAgentArgs(argv, env);
    return 'accepted';
  } catch (err) {
    return (err as Error).message;
  }
};

test('the roots come from the named variable', () => {
  const options = parseAgentArgs([...ARGS, '--ca-bundle-env', 'MESH_CA'], { MESH_CA: PEM });
  expect(options).toMatchObject({ caBundlePem: PEM });
  expect(options).not.toHaveProperty('caBundleFile');
});

test('refusals name the flag and the variable', () => {
  expect(usageError([...ARGS, '--ca-bundle-env', 'MESH_CA'], {})).toBe('--ca-bundle-env MESH_CA: the variable is not set');
  expect(usageError([...ARGS, '--ca-bundle-env', 'MESH_CA'], { MESH_CA: 'x7#Qp!vL2m' })).toBe('--ca-bundle-env MESH_CA: holds no PEM certificate');
  expect(usageError([...ARGS, '--ca-bundle-env', 'MESH_CA', '--ca-bundle', '/etc/ca.pem'], { MESH_CA: PEM }))
    .toBe('give --ca-bundle or --ca-bundle-env, not both');
});

test('the roots are written to a new private directory, where --ca-bundle would point', async () => {
  const file = await writeCaBundleFile(PEM);
  const second = await writeCaBundleFile(PEM);
  try {
    expect(path.dirname(path.dirname(file))).toBe(os.tmpdir());
    expect(fs.readFileSync(file, 'utf8')).toBe(PEM);
    const permissions = (p: string) => (fs.statSync(p).mode % 0o1000).toString(8);
    expect(permissions(path.dirname(file))).toBe('700');
    expect(permissions(file)).toBe('600');
    // Each start gets its own directory: a file planted by someone else is never read.
    expect(path.dirname(second)).not.toBe(path.dirname(file));
  } finally {
    for (const f of [file, second]) fs.rmSync(path.dirname(f), { recursive: true, force: true });
  }
});
