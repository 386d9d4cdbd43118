import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fillVars } from '../../src/import/placeholder-vars';

/**
 * The fixtures are inputs the real tools accept: cfn-lint finds no error in the CloudFormation
 * templates, and botocore (the AWS CLI's parameter validation, from the App Mesh service model)
 * accepts every create/update input and every spec of the describe outputs.
 */

const FIXTURES = path.join(__dirname, 'fixtures');

function available(command: string, args: string[]): boolean {
  return spawnSync(command, args, { encoding: 'utf8' }).status === 0;
}

const HAS_CFN_LINT = available('cfn-lint', ['--version']);
const HAS_BOTOCORE = available('python3', ['-c', 'import botocore']);

(HAS_CFN_LINT ? describe : describe.skip)('cfn-lint', () => {
  test('finds no error in the CloudFormation fixtures and examples/import-cfn', () => {
    const files = ['routing.yaml', 'features.yaml', 'orders-gateway.json'].map((f) => path.join(FIXTURES, 'cfn', f))
      .concat(path.join(__dirname, '..', '..', '..', 'examples', 'import-cfn', 'mesh.yaml'));
    const run = spawnSync('cfn-lint', ['--format', 'json', ...files], { encoding: 'utf8' });
    const findings = JSON.parse(run.stdout) as { Level: string; Rule: { Id: string }; Filename: string; Message: string }[];
    expect(findings.filter((f) => f.Level === 'Error').map((f) => `${f.Filename}: ${f.Rule.Id} ${f.Message}`)).toEqual([]);
  }, 60_000);

  test('agrees that a reference to a resource defined nowhere is an error', () => {
    const run = spawnSync('cfn-lint', ['--format', 'json', path.join(FIXTURES, 'cfn', 'bad', 'ref-nowhere.yaml')], { encoding: 'utf8' });
    const findings = JSON.parse(run.stdout) as { Level: string; Message: string }[];
    expect(findings.filter((f) => f.Level === 'Error').map((f) => f.Message)).toEqual([expect.stringContaining("'CartNode'")]);
  }, 60_000);
});

const OPERATIONS: Record<string, string> = {
  mesh: 'Mesh',
  virtualNode: 'VirtualNode',
  virtualService: 'VirtualService',
  virtualRouter: 'VirtualRouter',
  route: 'Route',
  virtualGateway: 'VirtualGateway',
  gatewayRoute: 'GatewayRoute',
};

(HAS_BOTOCORE ? describe : describe.skip)('botocore (the AWS CLI\'s validation)', () => {
  function validate(items: { operation: string; params: unknown }[]): string[] {
    const run = spawnSync('python3', [path.join(__dirname, 'peers', 'validate_cli_json.py')], { input: JSON.stringify(items), encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    return JSON.parse(run.stdout) as string[];
  }

  test('accepts the create/update inputs, once --mesh and --var are applied', () => {
    const vars = { ENV: 'prod', DOMAIN: 'shop.internal', REGION: 'eu-west-1', ACCOUNT: '111122223333' };
    const dir = path.join(FIXTURES, 'cli', 'requests');
    const items = fs.readdirSync(dir).sort().map((file) => {
      const params = JSON.parse(fillVars(fs.readFileSync(path.join(dir, file), 'utf8'), vars, true, () => { throw new Error(file); }));
      const verb = file.includes('update-') ? 'Update' : 'Create';
      const kind = file.includes('virtual-node') ? 'VirtualNode' : file.includes('virtual-service') ? 'VirtualService' : 'Mesh';
      return { operation: `${verb}${kind}`, params: kind === 'Mesh' ? params : { meshName: 'shop-prod', ...params } };
    });
    expect(items).toHaveLength(5);
    expect(validate(items)).toEqual(items.map(() => ''));
  }, 60_000);

  test('accepts each describe output\'s resource as an update input', () => {
    const dir = path.join(FIXTURES, 'cli', 'describe');
    const items = fs.readdirSync(dir).sort().flatMap((file) => {
      const parsed = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      return (Array.isArray(parsed) ? parsed : [parsed]).flatMap((entry: Record<string, Record<string, unknown>>) => {
        const [kind] = Object.keys(entry);
        if (OPERATIONS[kind] === undefined) return [];
        const { metadata: _m, status: _s, ...params } = entry[kind];
        return [{ operation: `Update${OPERATIONS[kind]}`, params }];
      });
    });
    expect(items.length).toBeGreaterThanOrEqual(8);
    expect(validate(items)).toEqual(items.map(() => ''));
  }, 60_000);

  test('refuses what App Mesh refused (a port given as a string), so the check can fail', () => {
    expect(validate([{ operation: 'CreateVirtualNode', params: { meshName: 'm', virtualNodeName: 'n', spec: { listeners: [{ portMapping: { port: '80', protocol: 'http' } }] } } }])[0])
      .toContain('Invalid type for parameter spec.listeners[0].portMapping.port');
  }, 60_000);
});
