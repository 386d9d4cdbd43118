/**
 * The program loads the AWS SDK only for the options that use it (--spec s3://…, --endpoints
 * cloudmap): a deployment with a spec file and static or DNS endpoints starts without it.
 */
import { Logger } from '../../src/log';

type MainModule = typeof import('../../src/main');

/** Requires main.ts in a fresh module registry and records which SDK packages get loaded. */
function freshMain(): { main: MainModule; loaded: string[] } {
  const loaded: string[] = [];
  let main: MainModule | undefined;
  jest.isolateModules(() => {
    for (const name of ['@aws-sdk/client-s3', '@aws-sdk/client-servicediscovery']) {
      jest.doMock(name, () => {
        loaded.push(name);
        return jest.requireActual(name);
      });
    }
    main = jest.requireActual('../../src/main');
  });
  return { main: main!, loaded };
}

const log = new Logger('error');

afterEach(() => {
  jest.dontMock('@aws-sdk/client-s3');
  jest.dontMock('@aws-sdk/client-servicediscovery');
});

test('a spec file with static, DNS or no discovery never loads the AWS SDK', () => {
  const { main, loaded } = freshMain();
  const options = main.parseArgs(['--spec', 'mesh.json', '--endpoints', 'static:endpoints.json', '--endpoints', 'dns', '--endpoints', 'none']);
  if (options === 'help') throw new Error('unexpected help');
  expect(main.buildSpecSource(options, log).constructor.name).toBe('FileSpecSource');
  main.buildDiscovery(options, log);
  expect(loaded).toEqual([]);
});

test('--spec s3://… and --endpoints cloudmap load the SDK clients they use', () => {
  const { main, loaded } = freshMain();
  const options = main.parseArgs(['--spec', 's3://bucket/apps.mesh.json', '--endpoints', 'cloudmap', '--region', 'eu-west-1']);
  if (options === 'help') throw new Error('unexpected help');
  expect(main.buildSpecSource(options, log).constructor.name).toBe('S3SpecSource');
  expect(loaded).toEqual(['@aws-sdk/client-s3']);
  main.buildDiscovery(options, log);
  expect(loaded).toEqual(['@aws-sdk/client-s3', '@aws-sdk/client-servicediscovery']);
});
