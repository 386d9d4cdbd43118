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

  test('diff compares two spec files: exit 0 without a change, 1 with the traffic effect in words', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-cli-'));
    const spec = path.join(__dirname, 'graph', 'fixtures', 'canary.json');
    expect(await run(['diff', spec, spec])).toMatchObject({ code: 0, stderr: '' });

    const changed = JSON.parse(fs.readFileSync(spec, 'utf8'));
    for (const route of changed.routes) {
      for (const target of route.spec.httpRoute?.action.weightedTargets ?? []) target.weight = target.virtualNode === 'serviceBv2' ? 100 : 0;
    }
    fs.writeFileSync(path.join(dir, 'changed.json'), JSON.stringify(changed));
    const result = await run(['diff', spec, path.join(dir, 'changed.json')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('serviceb.apps.local');
    expect(result.stdout).toContain('→');
  });

  test('import turns a CloudFormation template into a spec and a CDK app', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-cli-import-'));
    const template = path.join(__dirname, 'import', 'fixtures', 'cfn', 'routing.yaml');
    const result = await run(['import', template, '--out', out]);
    expect(result.code).toBe(0);
    const written = fs.readdirSync(out, { recursive: true }).map(String);
    expect(written).toEqual(expect.arrayContaining(['import-report.md', path.join('bin', 'app.ts')]));
    expect(written.some(f => f.endsWith('.json') && fs.readFileSync(path.join(out, f), 'utf8').includes('"virtualNodes"'))).toBe(true);
  });
});
