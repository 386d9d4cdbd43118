/** The limit options: defaults, and values that are refused when the server is made. */
import { DEFAULT_XDS_LIMITS, resolveXdsLimits } from '../../src/xds/limits';
import { XdsServer } from '../../src/xds/xds-server';

test('the defaults', () => {
  expect(DEFAULT_XDS_LIMITS).toEqual({
    maxNodeBytes: 262144,
    maxNodeIdLength: 1024,
    maxMetadataDepth: 16,
    maxResourceNamesPerRequest: 20000,
    maxStreamsPerConnection: 16,
    maxStreams: 20000,
  });
  expect(resolveXdsLimits({ maxStreams: 5 })).toEqual({ ...DEFAULT_XDS_LIMITS, maxStreams: 5 });
});

test('a value that is not a positive integer names the option and its flag', () => {
  expect(() => resolveXdsLimits({ maxNodeBytes: 0 })).toThrow('limits.maxNodeBytes (--max-node-bytes) must be a positive integer, got 0');
  expect(() => resolveXdsLimits({ maxStreams: 1.5 })).toThrow('limits.maxStreams (--max-streams) must be a positive integer, got 1.5');
  expect(() => new XdsServer({ limits: { maxMetadataDepth: Number.NaN } }))
    .toThrow('limits.maxMetadataDepth (--max-metadata-depth) must be a positive integer, got NaN');
});
