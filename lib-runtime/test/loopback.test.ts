import { isLoopbackHost } from '../src/loopback';

test.each([
  ['localhost', true], ['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['[::1]', true],
  ['10.0.0.1', false], ['0.0.0.0', false], ['::', false], ['127.example.com', false], ['localhost.example.com', false], ['[::2]', false], ['', false],
])('%j is loopback: %s', (host, expected) => {
  expect(isLoopbackHost(host)).toBe(expected);
});
