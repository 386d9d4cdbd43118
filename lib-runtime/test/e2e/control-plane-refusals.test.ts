/**
 * Streams the xDS server refuses on its own (a limit, before authorization) are counted by the
 * control plane under that limit's reason and logged with the node id cut short.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { ControlPlane } from '../../src/control-plane';
import { StaticFileDiscovery } from '../../src/discovery/static-file';
import { Logger } from '../../src/log';
import { FileSpecSource } from '../../src/sources/file-spec-source';
import { CLUSTER_TYPE_URL } from '../../src/xds/type-urls';
import { AdsTestClient, sotwRequest } from '../xds/ads-test-client';

test('a stream over an xDS limit is counted with the limit as its reason and logged with the node id abbreviated', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-refusals-'));
  fs.writeFileSync(path.join(dir, 'endpoints.json'), '{}');
  const lines: Array<Record<string, unknown>> = [];
  const cp = new ControlPlane({
    spec: new FileSpecSource(path.join(__dirname, 'fixtures', 'canary-spec.json')),
    discovery: new StaticFileDiscovery(path.join(dir, 'endpoints.json')),
    xdsAddress: '127.0.0.1:0',
    adminHost: '127.0.0.1',
    adminPort: 0,
    drainMs: 100,
    xdsLimits: { maxNodeIdLength: 200 },
    log: new Logger('warn', {}, (line) => lines.push(JSON.parse(line))),
  });
  await cp.start();
  const client = new AdsTestClient(cp.ports.xds);
  try {
    const stream = client.sotw();
    stream.send(sotwRequest(CLUSTER_TYPE_URL, [], { node: { id: `mesh/apps/virtualNode/${'x'.repeat(1000)}` } }));
    expect((await stream.status()).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await cp.metrics.refusedStreams.get({ reason: 'maxNodeIdLength' })).toBe(1);
    const logged = lines.find((l) => l.msg === 'xds stream refused');
    expect(logged).toMatchObject({ reason: 'maxNodeIdLength', node: expect.stringContaining('… (1022 characters)') });
  } finally {
    client.close();
    await cp.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
