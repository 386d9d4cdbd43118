/**
 * The program loads the certificate library (@peculiar/x509, through the CA and the exchange) only
 * when xDS is served with TLS: --insecure-plaintext starts without it.
 */
import { Logger } from '../../src/log';

type MainModule = typeof import('../../src/main');

/** Requires main.ts in a fresh module registry and records whether the certificate library gets loaded. */
function freshMain(): { main: MainModule; loaded: string[] } {
  const loaded: string[] = [];
  let main: MainModule | undefined;
  jest.isolateModules(() => {
    jest.doMock('@peculiar/x509', () => {
      loaded.push('@peculiar/x509');
      return jest.requireActual('@peculiar/x509');
    });
    main = jest.requireActual('../../src/main');
  });
  return { main: main!, loaded };
}

afterEach(() => {
  jest.dontMock('@peculiar/x509');
});

test('a plaintext start (flags, spec source, discovery) never loads the certificate library', () => {
  const { main, loaded } = freshMain();
  const options = main.parseArgs(['--spec', 'mesh.json', '--endpoints', 'static:endpoints.json', '--insecure-plaintext']);
  if (options === 'help') throw new Error('unexpected help');
  expect(options.trust).toBeUndefined();
  const log = new Logger('error');
  main.buildSpecSource(options, log);
  main.buildDiscovery(options, log);
  expect(loaded).toEqual([]);
});

test('the flags of a TLS start are still checked without the certificate library', () => {
  const { main, loaded } = freshMain();
  expect(() => main.parseArgs(['--spec', 'mesh.json', '--trust-domain', 'not a domain'])).toThrow(/--trust-domain/);
  expect(() => main.parseArgs(['--spec', 'mesh.json', '--ca-k8s-secret', 'Bad_Name'])).toThrow(/--ca-k8s-secret/);
  expect(loaded).toEqual([]);
});
