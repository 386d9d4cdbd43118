/**
 * The load generator: one process holding N simulated proxies, each on its own HTTP/2
 * connection, driven by the orchestrator over IPC. Times are process.hrtime (CLOCK_MONOTONIC),
 * comparable with the other bench processes on the same machine.
 */
import { AdsLoadClient, ClientStyle } from '../lib/ads-load-client';
import { FloorClient } from '../lib/floor-protocol';
import { serveCommands } from '../lib/worker-ipc';

let clients: AdsLoadClient[] = [];
let floorClients: FloorClient[] = [];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what()}`);
    await sleep(5);
  }
}

/** Connect clients (in small batches so the event loop keeps reading) and wait for all to sync. */
async function connectAll(list: AdsLoadClient[], timeoutMs: number): Promise<{ startedAt: string; syncedAt: string; retries: number }> {
  const startedAt = process.hrtime.bigint();
  let synced = 0;
  for (let i = 0; i < list.length; i++) {
    list[i].connect(() => { synced++; });
    if (i % 100 === 99) await sleep(0);
  }
  await waitUntil(() => synced >= list.length, timeoutMs, () => {
    const stuck = list.filter((c) => c.syncedAt === 0n);
    return `${list.length - stuck.length}/${list.length} synced; first stuck ${stuck[0]?.nodeId} ended=${stuck[0]?.ended}`;
  });
  const last = list.reduce((max, c) => (c.syncedAt > max ? c.syncedAt : max), 0n);
  return { startedAt: String(startedAt), syncedAt: String(last), retries: list.reduce((sum, c) => sum + c.retries, 0) };
}

serveCommands({
  async connect(args: { target: string; nodeIds: string[]; styles: ClientStyle[]; services: string[][]; timeoutMs: number }) {
    clients = args.nodeIds.map((id, i) => new AdsLoadClient(i, id, args.target, args.styles[i], args.services[i]));
    return connectAll(clients, args.timeoutMs);
  },

  arm() {
    for (const c of clients) c.arm();
    return null;
  },

  /** Wait until every client ACKed at least one response since arm(), then for `quietMs` of silence. */
  async awaitPush(args: { timeoutMs: number; quietMs: number }) {
    await waitUntil(() => clients.every((c) => c.push.responses > 0), args.timeoutMs,
      () => `${clients.filter((c) => c.push.responses > 0).length}/${clients.length} streams answered; ended: ${clients.filter((c) => c.ended).length}`);
    let total = -1;
    for (;;) {
      const now = clients.reduce((s, c) => s + c.push.responses, 0);
      if (now === total) break;
      total = now;
      await sleep(args.quietMs);
    }
    const records = clients.map((c) => ({ ...c.push, lastAckAt: String(c.push.lastAckAt) }));
    for (const c of clients) c.armed = false;
    return records;
  },

  versions() {
    return clients.map((c) => ({
      nodeId: c.nodeId, style: c.style, acked: c.ackedVersions(), names: c.subscriptions(), ended: c.ended ?? null, syncBytes: c.syncBytes,
    }));
  },

  /** All clients drop their connection, then all reconnect at once presenting what they hold. */
  async reconnect(args: { timeoutMs: number }) {
    for (const c of clients) c.close();
    await sleep(200);
    return connectAll(clients, args.timeoutMs);
  },

  closeAll() {
    for (const c of clients) c.close();
    clients = [];
    return null;
  },

  /** Open N floor streams at once; resolves when each received its greeting (if `greeted`). */
  async floorConnect(args: { target: string; streams: number; greeted: boolean; timeoutMs: number }) {
    const startedAt = process.hrtime.bigint();
    floorClients = [];
    for (let i = 0; i < args.streams; i++) {
      floorClients.push(new FloorClient(i, args.target));
      if (i % 100 === 99) await sleep(0);
    }
    if (!args.greeted) return { startedAt: String(startedAt), doneAt: String(startedAt) };
    await waitUntil(() => floorClients.every((c) => c.received >= 1), args.timeoutMs,
      () => `${floorClients.filter((c) => c.received >= 1).length}/${floorClients.length} floor streams greeted`);
    const doneAt = floorClients.reduce((max, c) => (c.lastReceivedAt > max ? c.lastReceivedAt : max), 0n);
    return { startedAt: String(startedAt), doneAt: String(doneAt) };
  },

  floorReceived() {
    return floorClients.map((c) => ({ received: c.received, lastReceivedAt: String(c.lastReceivedAt) }));
  },

  async floorAwait(args: { count: number; timeoutMs: number }) {
    await waitUntil(() => floorClients.every((c) => c.received >= args.count), args.timeoutMs,
      () => `${floorClients.filter((c) => c.received >= args.count).length}/${floorClients.length} floor streams received`);
    return floorClients.map((c) => String(c.lastReceivedAt));
  },

  floorClose() {
    for (const c of floorClients) c.close();
    floorClients = [];
    return null;
  },
});
