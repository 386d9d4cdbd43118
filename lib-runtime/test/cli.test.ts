import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../src/cli';

/** Captures what the command writes to stdout and stderr. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => { stdout += String(chunk); return true; });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => { stderr += String(chunk); return true; });
  try {
    return { code: await runCli(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('open-app-mesh command', () => {
  test('without a command it prints usage and exits 2', async () => {
    const result = await run([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('control-plane');
    expect(result.stdout).toContain('graph');
  });

  test('an unknown command is refused by name', async () => {
    const result = await run(['deploy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "deploy"');
  });

  test('graph draws a spec file', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oam-cli-')), 'mesh.svg');
    const spec = path.join(__dirname, 'graph', 'fixtures', 'canary.json');
    const result = await run(['graph', spec, '--out', out]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(fs.readFileSync(out, 'utf8')).toContain('serviceb.apps.local');
  });

  test('control-plane reaches the control plane\'s own argument parsing', async () => {
    const result = await run(['control-plane', '--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown option --no-such-flag');
  });
});
