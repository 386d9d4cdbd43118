import * as fs from 'node:fs';
import * as path from 'node:path';
import { LISTENER_TYPE_URL } from '../../../src/xds/type-urls';
import { AdsTestClient, sotwRequest, TestStream } from '../../xds/ads-test-client';

/** The demo's mesh: examples/canary as synthesized (serviceA → serviceb.apps.local → serviceB 75 % / serviceBv2 25 %). */
export const DEMO_SPEC_FILE = path.join(__dirname, '..', '..', 'translate', 'fixtures', 'example-canary.json');

/** The demo's spec with serviceB's route split `serviceB`/`100 - serviceB`. */
export function demoSpec(serviceB: number): string {
  const spec = JSON.parse(fs.readFileSync(DEMO_SPEC_FILE, 'utf8'));
  const [v1, v2] = spec.routes.find((r: { routeName: string }) => r.routeName === 'serviceB-route').spec.httpRoute.action.weightedTargets;
  v1.weight = serviceB;
  v2.weight = 100 - serviceB;
  return JSON.stringify(spec, null, 2);
}

/**
 * A raw ADS stream (the protocol tests' client) that takes the first Listener response for
 * `nodeId` and rejects it with `message` in error_detail, as a proxy that cannot use it would.
 */
export async function nackFirstListeners(
  xdsPort: number, nodeId: string, message: string,
): Promise<{ client: AdsTestClient; stream: TestStream; version: string }> {
  const client = new AdsTestClient(xdsPort);
  const stream = client.sotw();
  stream.send(sotwRequest(LISTENER_TYPE_URL, [], { node: { id: nodeId, user_agent_name: 'dashboard-test-raw-ads' } }));
  const response = await stream.next(10_000);
  stream.send(sotwRequest(LISTENER_TYPE_URL, [], { nonce: response.nonce, error: message }));
  return { client, stream, version: response.version_info };
}
