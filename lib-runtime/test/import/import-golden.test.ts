import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseMeshSpec } from '../../../src/spec/canonical';
import { runImportCommand } from '../../src/import/import-command';

/**
 * Every fixture through the whole command (read, assemble, validate, generate, write), compared
 * with its golden spec and report. Regenerate with `UPDATE_GOLDEN=1` and review the diff.
 * The golden files live in `expected/`, not `golden/`: the code generator's round-trip test
 * (test/import/codegen) reads every spec outside `golden/` directories, so each imported spec is
 * also proven to come back unchanged from the CDK app generated for it.
 */

const FIXTURES = 'lib-runtime/test/import/fixtures';
const GOLDEN = path.join(__dirname, 'expected');

interface GoldenCase {
  readonly name: string;
  readonly args: string[];
  readonly mesh: string;
}

const CASES: GoldenCase[] = [
  { name: 'cfn-routing', mesh: 'store', args: [`${FIXTURES}/cfn/routing.yaml`] },
  {
    name: 'cfn-features',
    mesh: 'payments',
    args: [`${FIXTURES}/cfn/features.yaml`, '--param', 'Environment=prod', '--import-value', 'shared-fraud-service-name=fraud.payments.internal'],
  },
  {
    name: 'cfn-features-staging',
    mesh: 'payments',
    args: [`${FIXTURES}/cfn/features.yaml`, '--param', 'AWS::Region=eu-west-1', '--param', 'AWS::AccountId=444455556666',
      '--import-value', 'shared-fraud-service-name=fraud.payments.internal'],
  },
  { name: 'cfn-orders-gateway-json', mesh: 'orders', args: ['--format', 'cfn', `${FIXTURES}/cfn/orders-gateway.json`] },
  { name: 'cli-describe', mesh: 'bookinfo', args: [`${FIXTURES}/cli/describe`] },
  {
    name: 'cli-requests',
    mesh: 'shop-prod',
    args: [`${FIXTURES}/cli/requests`, '--mesh', 'shop-prod', '--var', 'ENV=prod', '--var', 'DOMAIN=shop.internal',
      '--var', 'REGION=eu-west-1', '--var', 'ACCOUNT=111122223333'],
  },
  {
    name: 'k8s-colorapp',
    mesh: 'color-prod',
    args: [`${FIXTURES}/k8s/colorapp.yaml`, '--var', 'ENVIRONMENT=prod', '--var', 'AWS_REGION=eu-west-1', '--var', 'ACCOUNT_ID=111122223333',
      '--var', 'BLUE_WEIGHT=90', '--var', 'GREEN_WEIGHT=10'],
  },
];

function compareGolden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  expect(actual).toBe(fs.readFileSync(file, 'utf8'));
}

describe.each(CASES)('import $name', ({ name, args, mesh }) => {
  let out: string;
  let stdout: string;
  let code: number;

  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), `import-${name}-`));
    stdout = '';
    let stderr = '';
    code = await runImportCommand([...args, '--out', out], { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
    if (code !== 0) throw new Error(`import failed (${code}): ${stderr}`);
  });

  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('writes the golden mesh spec, which the control plane accepts', () => {
    const spec = fs.readFileSync(path.join(out, `${mesh}.mesh.json`), 'utf8');
    expect(parseMeshSpec(spec).mesh.meshName).toBe(mesh);
    compareGolden(path.join(GOLDEN, name, `${mesh}.mesh.json`), spec);
  });

  test('writes the golden report and prints its summary', () => {
    const report = fs.readFileSync(path.join(out, 'import-report.md'), 'utf8');
    compareGolden(path.join(GOLDEN, name, 'import-report.md'), report);
    // The terminal summary is the report's opening paragraph.
    expect(report).toContain(stdout.trimEnd());
  });

  test('writes the CDK app next to the spec', () => {
    expect(fs.existsSync(path.join(out, 'bin', 'app.ts'))).toBe(true);
    const stack = fs.readdirSync(path.join(out, 'lib'));
    expect(stack).toHaveLength(1);
    expect(fs.readFileSync(path.join(out, 'lib', stack[0]), 'utf8')).toContain(`'${mesh}'`);
  });
});

test('the CloudFormation port of examples/routing imports to the spec the CDK example synthesizes', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'import-routing-'));
  try {
    expect(await runImportCommand([`${FIXTURES}/cfn/routing.yaml`, '--out', out], { stdout: () => {}, stderr: () => {} })).toBe(0);
    const imported = parseMeshSpec(fs.readFileSync(path.join(out, 'store.mesh.json'), 'utf8'));
    const synthesized = parseMeshSpec(fs.readFileSync(path.join(__dirname, '..', 'translate', 'fixtures', 'example-routing.json'), 'utf8'));
    expect(imported).toEqual(synthesized);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
