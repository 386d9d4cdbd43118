/**
 * Request/response over the IPC channel of a forked bench process. The orchestrator calls a
 * command and awaits its result; the worker registers one handler per command.
 */
import { ChildProcess, fork } from 'node:child_process';
import * as path from 'node:path';

interface RequestMessage { readonly id: number; readonly command: string; readonly args: unknown }
interface ReplyMessage { readonly id: number; readonly result?: unknown; readonly error?: string }

export type Handlers = Record<string, (args: any) => unknown>;

/** In a worker: answer the orchestrator's commands until it disconnects. */
export function serveCommands(handlers: Handlers): void {
  process.on('message', (message: RequestMessage) => {
    const handler = handlers[message.command];
    const reply = (body: Omit<ReplyMessage, 'id'>): void => { process.send?.({ id: message.id, ...body }); };
    if (!handler) {
      reply({ error: `unknown command ${message.command}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (result) => reply({ result: result ?? null }),
        (error: unknown) => reply({ error: error instanceof Error ? error.stack ?? error.message : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}

/**
 * The require hook that runs TypeScript sources (transpile only, like ts-node's), caching what it
 * transpiled: the bench starts many processes on the same sources.
 */
export const REGISTER_TS = path.join(__dirname, '..', '..', 'build-tools', 'register-ts.js');

/** Whether this code runs from TypeScript sources rather than compiled JavaScript. */
export function runningFromSource(): boolean {
  return __filename.endsWith('.ts');
}

/** node arguments that load a bench script the same way this process was loaded. */
export function scriptArgs(script: string): { file: string; execArgv: string[] } {
  const fromSource = runningFromSource();
  const file = path.join(__dirname, '..', 'processes', `${script}${fromSource ? '.ts' : '.js'}`);
  return { file, execArgv: fromSource ? ['-r', REGISTER_TS] : [] };
}

export function benchEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_NO_WARNINGS: '1', TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.json') };
}

/** A forked bench process with typed calls. */
export class Worker {
  private readonly child: ChildProcess;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;
  readonly stderr: string[] = [];

  constructor(script: string, args: string[] = [], nodeOptions: string[] = []) {
    const { file, execArgv } = scriptArgs(script);
    this.child = fork(file, args, {
      execArgv: [...execArgv, ...nodeOptions],
      env: benchEnv(),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child.stderr!.on('data', (d: Buffer) => {
      this.stderr.push(d.toString());
      if (this.stderr.length > 200) this.stderr.shift();
    });
    this.child.on('message', (message: ReplyMessage) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(`${script}: ${message.error}`));
      else waiter.resolve(message.result);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      for (const waiter of this.pending.values()) {
        waiter.reject(new Error(`${script} exited (${code ?? signal}) while a command was pending\n${this.stderr.join('')}`));
      }
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  call<T>(command: string, args: unknown = {}): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`worker exited\n${this.stderr.join('')}`));
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, command, args });
    });
  }

  /** Ends the worker (disconnect makes it exit; SIGKILL after a grace period). */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await done;
    clearTimeout(timer);
  }
}
