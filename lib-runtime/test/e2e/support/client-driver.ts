/**
 * Runs @grpc/grpc-js-xds clients in a child process, driven over IPC by the test.
 *
 * Why a separate process: a grpc-js-xds client whose bootstrap comes from the channel option
 * keeps its own xDS channel, and after the control plane went away that channel keeps
 * reconnecting even once the client is closed, which would keep the test process alive.
 * Killing this process ends everything. It is also closer to reality: the clients live in
 * another process than the test, like an application next to its control plane.
 *
 * Protocol: the parent sends { id, op, ... }; the child answers { id, ok, result | error }.
 */
import * as grpc from '@grpc/grpc-js';
import { EchoAdminClient, EchoClient, unary } from '../echo-backend';
import { xdsClient } from './xds-client';

type Request =
  | { id: number; op: 'open'; name: string; service: 'Echo' | 'EchoAdmin'; target: string; xdsPort: number; nodeId: string }
  | { id: number; op: 'call'; name: string; method: string; request: object; metadata: Record<string, string>; timeoutMs: number; times: number }
  | { id: number; op: 'close'; name: string };

export interface CallOutcome {
  readonly reply?: Record<string, unknown>;
  readonly error?: { code: number; details: string };
}

const clients = new Map<string, grpc.Client>();

function metadataOf(entries: Record<string, string>): grpc.Metadata {
  const md = new grpc.Metadata();
  for (const [k, v] of Object.entries(entries)) md.set(k, v);
  return md;
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case 'open': {
      const ctor = (req.service === 'Echo' ? EchoClient : EchoAdminClient) as unknown as new (...a: any[]) => grpc.Client;
      clients.set(req.name, xdsClient(ctor, req.target, req.xdsPort, req.nodeId));
      return null;
    }
    case 'call': {
      const client = clients.get(req.name);
      if (!client) throw new Error(`no client ${req.name}`);
      const outcomes: CallOutcome[] = [];
      // Sequential on purpose: each RPC picks its route and cluster independently.
      for (let i = 0; i < req.times; i++) {
        try {
          outcomes.push({ reply: await unary<Record<string, unknown>>(client, req.method, req.request, metadataOf(req.metadata), req.timeoutMs) });
        } catch (e) {
          const err = e as grpc.ServiceError;
          outcomes.push({ error: { code: err.code, details: err.details } });
        }
      }
      return outcomes;
    }
    case 'close':
      clients.get(req.name)?.close();
      clients.delete(req.name);
      return null;
  }
}

if (require.main === module) {
  // A client library bug must show in the test's output, not silently kill the driver.
  process.on('uncaughtException', (error) => process.send?.({ event: 'uncaughtException', message: String(error?.stack ?? error) }));
  process.on('message', (req: Request) => {
    handle(req).then(
      (result) => process.send?.({ id: req.id, ok: true, result }),
      (error: Error) => process.send?.({ id: req.id, ok: false, error: error.message }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ event: 'ready' });
}
