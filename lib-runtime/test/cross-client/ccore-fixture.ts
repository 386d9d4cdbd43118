import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { C_CORE, ClientWorker } from './client-worker';
import type { XdsNackRecord, XdsServerHooks } from '../../src/xds/events';
import { XdsServer } from '../../src/xds/xds-server';
import { writeXdsBootstrap } from '../support/xds-bootstrap';

/** The project's XdsServer on loopback, serving one gRPC C-core worker that presents `nodeId`. */
export interface CCoreFixture {
  readonly xds: XdsServer;
  readonly worker: ClientWorker;
  /** Every NACK the server received, in order (C-core's NACKs land here, as in the /clients records). */
  readonly nacks: XdsNackRecord[];
  /** Stops the worker and the server and removes the bootstrap's temp dir. */
  stop(): Promise<void>;
}

/**
 * Starts an XdsServer on 127.0.0.1:0 (1 ms push debounce, so a snapshot goes out at once) and a
 * C-core worker whose bootstrap, in a temp dir named after `tmpPrefix`, points at it. `onAck`
 * sees the server's ACKs. The server serves nothing until the test sets a snapshot for `nodeId`.
 */
export async function startCCoreFixture(nodeId: string, tmpPrefix: string, onAck?: XdsServerHooks['onAck']): Promise<CCoreFixture> {
  const nacks: XdsNackRecord[] = [];
  const xds = new XdsServer({ pushDebounceMs: 1, hooks: { onAck, onNack: (_stream, nack) => { nacks.push(nack); } } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  let worker: ClientWorker | undefined;
  const stop = async (): Promise<void> => {
    await worker?.stop();
    await xds.shutdown(200);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await xds.listen('127.0.0.1:0');
    worker = new ClientWorker(C_CORE, writeXdsBootstrap(dir, port, nodeId));
    await worker.start();
  } catch (e) {
    await stop();
    throw e;
  }
  return { xds, worker, nacks, stop };
}
