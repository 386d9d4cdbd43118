import { ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';
import type { CallOutcome } from './client-driver';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');

/** An RPC error as the driver reports it. */
export class RemoteCallError extends Error {
  constructor(readonly code: number, readonly details: string) {
    super(`${code} ${details}`);
  }
}

/** The test's side of client-driver.ts: grpc-js-xds clients in a child process. */
export class RemoteClients {
  /** Uncaught exceptions the client library raised in the driver. */
  readonly uncaught: string[] = [];
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  async start(): Promise<void> {
    const child = fork(path.join(__dirname, 'client-driver.ts'), [], {
      cwd: REPO,
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      env: { ...process.env, NODE_NO_WARNINGS: '1', TS_NODE_PROJECT: path.join(REPO, 'lib-runtime', 'tsconfig.json') },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('client driver did not start within 30 s')), 30_000);
      child.on('message', (msg: { event?: string; message?: string; id?: number; ok?: boolean; result?: unknown; error?: string }) => {
        if (msg.event === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (msg.event === 'uncaughtException') {
          this.uncaught.push(msg.message ?? '');
        } else if (msg.id !== undefined) {
          const waiter = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.ok) waiter?.resolve(msg.result);
          else waiter?.reject(new Error(msg.error));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        for (const waiter of this.pending.values()) waiter.reject(new Error(`client driver exited (${code})`));
        this.pending.clear();
        reject(new Error(`client driver exited (${code})`));
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async open(name: string, service: 'Echo' | 'EchoAdmin', target: string, xdsPort: number, nodeId: string): Promise<RemoteClient> {
    await this.send({ op: 'open', name, service, target, xdsPort, nodeId });
    return new RemoteClient(this, name);
  }

  send(message: Record<string, unknown>): Promise<unknown> {
    const child = this.child;
    if (!child) return Promise.reject(new Error('client driver not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      child.send({ id, ...message });
    });
  }
}

export class RemoteClient {
  constructor(private readonly driver: RemoteClients, readonly name: string) {}

  /** `times` sequential RPCs; each outcome is a reply or an error. */
  async calls(method: string, request: object = {}, metadata: Record<string, string> = {}, times = 1, timeoutMs = 5000): Promise<CallOutcome[]> {
    return await this.driver.send({ op: 'call', name: this.name, method, request, metadata, timeoutMs, times }) as CallOutcome[];
  }

  /** One RPC; rejects with RemoteCallError on a gRPC error. */
  async call<T = Record<string, unknown>>(method: string, request: object = {}, metadata: Record<string, string> = {}, timeoutMs = 5000): Promise<T> {
    const [outcome] = await this.calls(method, request, metadata, 1, timeoutMs);
    if (outcome.error) throw new RemoteCallError(outcome.error.code, outcome.error.details);
    return outcome.reply as T;
  }

  async close(): Promise<void> {
    await this.driver.send({ op: 'close', name: this.name });
  }
}
