/**
 * A @grpc/grpc-js-xds client driven by a test over stdin/stdout: the same JSON-lines protocol
 * as ccore-worker.py (see there), so one table of scenarios runs through both clients.
 * The bootstrap comes from the file GRPC_XDS_BOOTSTRAP names, as for C-core.
 *
 * A separate process, like an application beside its control plane; killing it also ends the
 * xDS channel, which grpc-js keeps reconnecting after its clients are closed.
 */
import * as readline from 'node:readline';
import * as grpc from '@grpc/grpc-js';
import * as grpcXds from '@grpc/grpc-js-xds';

interface Command {
  readonly id?: number;
  readonly op?: string;
  readonly target?: string;
  readonly method?: string;
  readonly request?: object;
  readonly metadata?: Record<string, string>;
  readonly timeoutMs?: number;
  readonly times?: number;
}

type Outcome = { reply: unknown } | { error: { code: number; details: string } };

const serialize = (value: object): Buffer => Buffer.from(JSON.stringify(value));
const deserialize = (bytes: Buffer): unknown => JSON.parse(bytes.toString() || '{}');

const clients = new Map<string, grpc.Client>();

function clientOf(target: string): grpc.Client {
  let client = clients.get(target);
  if (!client) {
    client = new grpc.Client(`xds:///${target}`, grpc.credentials.createInsecure());
    clients.set(target, client);
  }
  return client;
}

function unary(client: grpc.Client, method: string, request: object, metadata: grpc.Metadata, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(method, serialize, deserialize, request, metadata, { deadline: Date.now() + timeoutMs },
      (error: grpc.ServiceError | null, reply?: unknown) => resolve(error ? { error: { code: error.code, details: error.details } } : { reply }));
  });
}

async function call(cmd: Command): Promise<Outcome[]> {
  if (!cmd.target || !cmd.method) throw new Error('call needs target and method');
  const client = clientOf(cmd.target);
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(cmd.metadata ?? {})) metadata.set(key, value);
  const outcomes: Outcome[] = [];
  // Sequential on purpose: each RPC picks its route and cluster on its own.
  for (let i = 0; i < (cmd.times ?? 1); i++) {
    outcomes.push(await unary(client, cmd.method, cmd.request ?? {}, metadata, cmd.timeoutMs ?? 5000));
  }
  return outcomes;
}

async function handle(cmd: Command): Promise<unknown> {
  switch (cmd.op) {
    case 'call': return call(cmd);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    case 'version': return (require('@grpc/grpc-js-xds/package.json') as { version: string }).version;
    default: throw new Error(`unknown op ${JSON.stringify(cmd.op)}`);
  }
}

function answer(message: object): void {
  process.stdout.write(`${JSON.stringify(message)}\n`);
}

if (require.main === module) {
  grpcXds.register();
  // A client-library crash is reported on stderr (the test shows it) instead of ending the worker.
  process.on('uncaughtException', (error) => process.stderr.write(`uncaught: ${String(error?.stack ?? error)}\n`));
  // Commands run one at a time, in order, as the C-core worker runs them.
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    queue = queue.then(async () => {
      let cmd: Command = {};
      try {
        cmd = JSON.parse(line) as Command;
        answer({ id: cmd.id, ok: true, result: await handle(cmd) });
      } catch (error) {
        answer({ id: cmd?.id, ok: false, error: String(error) });
      }
    });
  });
  lines.on('close', () => { void queue.then(() => process.exit(0)); });
}
