import { SimulateInputError } from './input-error';
import type { EnvoyConfig } from '../translate';

/**
 * What a running control plane serves one node now: its admin server's `/config_dump?node=…`,
 * both views with the endpoints it discovered, and the spec version they were rendered from.
 */
export interface ServedConfig {
  readonly specVersion: string;
  readonly envoy: EnvoyConfig;
  readonly proxyless: EnvoyConfig;
}

export async function fetchServedConfig(adminUrl: string, nodeId: string, token: string | undefined): Promise<ServedConfig> {
  const url = new URL('config_dump', adminUrl.endsWith('/') ? adminUrl : `${adminUrl}/`);
  url.searchParams.set('node', nodeId);
  let response: Response;
  try {
    response = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new SimulateInputError(`${url.toString()}: cannot reach the control plane's admin server: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = await response.text();
  if (!response.ok) throw new SimulateInputError(`${url.toString()}: the admin server answered ${response.status}: ${body.trim().slice(0, 500)}`);
  const dump = JSON.parse(body) as Partial<ServedConfig>;
  if (!dump.envoy || !dump.proxyless || typeof dump.specVersion !== 'string') {
    throw new SimulateInputError(`${url.toString()}: not a configuration dump with both views`);
  }
  return { specVersion: dump.specVersion, envoy: dump.envoy, proxyless: dump.proxyless };
}
