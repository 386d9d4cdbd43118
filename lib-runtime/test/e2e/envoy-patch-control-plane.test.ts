/**
 * Envoy patches in the real control plane (docs/envoy-patches.md): a patched node is served its
 * patched resources over ADS; a spec whose patch no longer applies is refused as a whole and the
 * last good spec keeps being served.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ControlPlane } from '../../src/control-plane';
import { Logger } from '../../src/log';
import { CLUSTER_TYPE_URL } from '../../src/xds/type-urls';
import { replaceSpec, startFileControlPlane } from '../support/file-control-plane';
import { waitFor } from '../support/wait';
import { AdsTestClient, sotwRequest } from '../xds/ads-test-client';

const FIXTURE = path.join(__dirname, 'fixtures', 'canary-spec.json');
const NODE = 'mesh/apps/virtualNode/serviceB-v1';
const LOCAL_CLUSTER = 'cds_ingress_apps_serviceB-v1_grpc_50051';

function withPatches(patches: object[]): any {
  const doc = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
  doc.specVersion = 'open-app-mesh/v2';
  doc.virtualNodes.find((n: any) => n.virtualNodeName === 'serviceB-v1').extensions = { envoyPatches: patches };
  return doc;
}

describe('the control plane with Envoy patches', () => {
  let dir: string;
  let cp: ControlPlane | undefined;
  let client: AdsTestClient | undefined;
  const logLines: Record<string, unknown>[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-envoy-patch-'));
  });
  afterEach(async () => {
    client?.close();
    await cp?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const writeSpec = (doc: object): void => replaceSpec(dir, JSON.stringify(doc));

  test('serves the patched cluster over ADS, and refuses a later spec whose patch targets nothing', async () => {
    cp = await startFileControlPlane(dir, {
      spec: JSON.stringify(withPatches([{ target: 'cluster', operation: 'merge', name: LOCAL_CLUSTER, value: { per_connection_buffer_limit_bytes: { value: 65536 } } }])),
      log: new Logger('debug', {}, (line) => logLines.push(JSON.parse(line))),
    });

    client = new AdsTestClient(cp.ports.xds);
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: NODE, user_agent_name: 'envoy' } }));
    const response = await stream.next();
    // Decoded from the bytes on the wire: the patch went through the server's encoder.
    const clusters = response.resources as Array<Record<string, unknown>>;
    expect(clusters.every(c => c['@type'] === CLUSTER_TYPE_URL)).toBe(true);
    expect(clusters.find(c => c.name === LOCAL_CLUSTER)?.per_connection_buffer_limit_bytes).toEqual({ value: 65536 });
    const served = cp.configOf(NODE);

    writeSpec(withPatches([{ target: 'cluster', operation: 'merge', name: 'cds_ingress_apps_serviceB-v1_grpc_9999', value: {} }]));
    await waitFor(async () => (await cp!.metrics.specRejections.get()) === 1, 'the rejection');
    const error = logLines.find(l => l.level === 'error') as { msg: string; error: { message: string } };
    expect(error.msg).toBe('spec cannot be applied; still serving the last good spec');
    expect(JSON.stringify(error)).toContain('envoyPatches[0]: merge cluster: this node has no cluster named \\"cds_ingress_apps_serviceB-v1_grpc_9999\\"');
    expect(cp.configOf(NODE)).toEqual(served);
  });
});
