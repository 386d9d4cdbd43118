import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { C_CORE, ClientWorker } from './client-worker';
import { LoopbackXdsServer, startLoopbackXdsServer } from '../support/loopback-xds-server';
import { writeXdsBootstrap } from '../support/xds-bootstrap';

/**
 * The project's XdsServer on loopback, with its ACK and NACK records (C-core's NACKs land there,
 * as in the /clients records), serving one gRPC C-core worker.
 */
export interface CCoreFixture extends LoopbackXdsServer {
  readonly worker: ClientWorker;
  /** Stops the worker and the server and removes the bootstrap's temp dir. */
  stop(): Promise<void>;
}

/**
 * Starts the server and a C-core worker presenting `nodeId`, whose bootstrap (in a temp dir named
 * after `tmpPrefix`) points at it. Nothing is served until the test sets a snapshot for `nodeId`.
 */
export async function startCCoreFixture(nodeId: string, tmpPrefix: string): Promise<CCoreFixture> {
  const server = await startLoopbackXdsServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  let worker: ClientWorker | undefined;
  const stop = async (): Promise<void> => {
    await worker?.stop();
    await server.xds.shutdown(200);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    worker = new ClientWorker(C_CORE, writeXdsBootstrap(dir, server.port, nodeId));
    await worker.start();
  } catch (e) {
    await stop();
    throw e;
  }
  return { ...server, worker, stop };
}
