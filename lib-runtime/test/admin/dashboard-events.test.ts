/**
 * The dashboard's event stream is bounded: at most maxClients streams, a heartbeat, changes
 * coalesced into one snapshot, listeners removed when the last stream closes, and a client that
 * reads nothing dropped once its buffer is full (so it cannot grow the server's memory).
 */
import * as net from 'node:net';
import { EventStreamReader, request } from './support/dashboard-http';
import { dashboardOnlyState, FakeDashboardSource } from './support/fake-dashboard-source';
import { AdminServer } from '../../src/admin/admin-server';
import type { EventStreamLimits } from '../../src/admin/dashboard/event-stream';
import { waitFor } from '../support/wait';

jest.setTimeout(30_000);

const LIMITS: EventStreamLimits = { maxClients: 2, heartbeatMs: 150, maxBufferedBytes: 64 * 1024, coalesceMs: 20 };

describe('the dashboard event stream', () => {
  let source: FakeDashboardSource;
  let server: AdminServer;
  let port: number;
  const readers: EventStreamReader[] = [];

  const open = async (): Promise<EventStreamReader> => {
    const reader = new EventStreamReader();
    readers.push(reader);
    await reader.open(port);
    return reader;
  };

  beforeEach(async () => {
    source = new FakeDashboardSource();
    server = new AdminServer(dashboardOnlyState(source), undefined, undefined, LIMITS);
    port = await server.listen(0, '127.0.0.1');
  });

  afterEach(async () => {
    for (const r of readers.splice(0)) r.close();
    await server.close();
  });

  test('refuses streams past maxClients, and takes one again once a stream closes', async () => {
    const [a, b] = [await open(), await open()];
    expect([a.status, b.status]).toEqual([200, 200]);
    const refused = await request(port, '/dashboard/events');
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('10');
    expect(refused.body).toContain('at most 2');
    expect(server.dashboard!.eventClients).toBe(2);

    a.close();
    await waitFor(() => server.dashboard!.eventClients === 1, 'the closed stream to be forgotten');
    expect((await open()).status).toBe(200);
  });

  test('sends the state at once, heartbeats, and coalesces a burst of changes into few snapshots', async () => {
    const reader = await open();
    await waitFor(() => reader.events.length === 1, 'the first state');
    await waitFor(() => reader.comments >= 2, 'two heartbeats', 2000);

    const built = source.snapshots;
    for (let i = 0; i < 100; i++) source.change();
    await waitFor(() => reader.latestState()?.history.length === 50, 'the burst on the stream (the history keeps 50)');
    // 100 changes within one coalescing window or two: a handful of snapshots, not 100.
    expect(source.snapshots - built).toBeLessThanOrEqual(3);
    expect(reader.events.length - 1).toBe(source.snapshots - built);
  });

  test('listens for changes only while a stream is open', async () => {
    expect(source.listenerCount).toBe(0);
    const [a, b] = [await open(), await open()];
    expect(source.listenerCount).toBe(1);
    a.close();
    b.close();
    await waitFor(() => source.listenerCount === 0, 'the listener to be removed');
    expect(server.dashboard!.eventClients).toBe(0);
  });

  test('drops a client that reads nothing once its buffer is full, and closes its connection', async () => {
    const stalled = net.connect(port, '127.0.0.1');
    let closed = false;
    stalled.on('close', () => { closed = true; });
    stalled.on('error', () => undefined);
    await new Promise((resolve) => stalled.once('connect', resolve));
    stalled.write(`GET /dashboard/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    stalled.pause();
    await waitFor(() => server.dashboard!.eventClients === 1, 'the stalled stream to be accepted');

    // Snapshots of about 1 MB each: the kernel's socket buffers fill, then the server's.
    const big = Array.from({ length: 20 }, (_, i) => `error ${i}: ${'x'.repeat(990)}`);
    const deadline = Date.now() + 20_000;
    while (server.dashboard!.eventClients > 0 && Date.now() < deadline) {
      source.change(big);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(server.dashboard!.eventClients).toBe(0);
    expect(source.listenerCount).toBe(0);
    // What was buffered can still be read; then the connection is found closed by the server.
    stalled.resume();
    await waitFor(() => closed, 'the server to close the stalled connection');
  });

  test('the stream ends when the admin server closes', async () => {
    const reader = await open();
    await waitFor(() => reader.events.length === 1, 'the first state');
    await server.close();
    expect(server.dashboard!.eventClients).toBe(0);
    expect(source.listenerCount).toBe(0);
  });
});
