import { configSnapshot } from './config-snapshot';
import type { EnvoyConfig } from '../../src/translate';
import { XdsServer } from '../../src/xds/xds-server';

/**
 * The version an xDS server gives `typeUrl` in a group holding `config`: what a node's served
 * version is when it holds exactly that render (a scratch server, so nothing else is counted).
 */
export function snapshotVersion(config: EnvoyConfig, typeUrl: string): string | undefined {
  const scratch = new XdsServer();
  scratch.setSnapshot('g', configSnapshot(config));
  return scratch.version('g', typeUrl);
}
