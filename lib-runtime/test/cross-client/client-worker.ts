import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';

const REPO = path.resolve(__dirname, '..', '..', '..');

/** The Python whose gRPC is Debian's python3-grpcio (C-core 1.51 on Debian 12), not one from PATH. */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/** One RPC's outcome as a worker reports it. */
export type CallOutcome =
  | { readonly reply: Record<string, unknown>; readonly error?: undefined }
  | { readonly error: { readonly code: number; readonly details: string }; readonly reply?: undefined };

export interface CallOptions {
  /** The JSON request message. */
  readonly request?: object;
  readonly metadata?: Record<string, string>;
  /** How many calls, one after another (default 1). */
  readonly times?: number;
  /** Each call's deadline (default 5000). */
  readonly timeoutMs?: number;
}

/** How to start a worker: the xDS client library it runs and the command that runs it. */
export interface WorkerKind {
  /** The library, as test names show it. */
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Recognizes this library's streams in the control plane's /clients view (node.user_agent_name). */
  readonly userAgent: RegExp;
}

export const GRPC_JS: WorkerKind = {
  name: 'grpc-js-xds',
  command: process.execPath,
  args: ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'grpc-js-worker.ts')],
  userAgent: /grpc node/i,
};

export const C_CORE: WorkerKind = {
  name: 'gRPC C-core (python3-grpcio)',
  command: SYSTEM_PYTHON,
  args: [path.join(__dirname, 'ccore-worker.py')],
  userAgent: /c-core/i,
};

/** Whether the system Python lacks gRPC, so the C-core worker cannot run. */
export const C_CORE_MISSING = spawnSync(SYSTEM_PYTHON, ['-c', 'import grpc'], { stdio: 'ignore' }).status !== 0;

/**
 * `describe` for the tests of the C-core client. Without python3-grpcio they are skipped, saying
 * why; under CI (CI=true: .ci/run sets it and installs the package) a missing C-core fails the
 * run instead, so CI never passes with one of its two real clients absent.
 */
export function describeCCore(title: string, body: () => void): void {
  const why = `${SYSTEM_PYTHON} cannot import grpc (install Debian's python3-grpcio; .ci/run does)`;
  if (!C_CORE_MISSING) {
    describe(title, body);
  } else if (process.env.CI) {
    describe(title, () => test('gRPC C-core is installed (required in CI)', () => { throw new Error(why); }));
  } else {
    describe.skip(`${title}: skipped, ${why}`, body);
  }
}

/** Slack a command gets on top of its RPC deadlines before the worker counts as hung. */
const COMMAND_SLACK_MS = 15_000;

/**
 * The test's side of a worker process (grpc-js-worker.ts, ccore-worker.py): JSON lines on
 * stdin and stdout. Every command has a deadline, so a hung client fails its test instead of
 * hanging jest; the worker's stderr is kept for the failure message.
 */
export class ClientWorker {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private stderrText = '';

  constructor(readonly kind: WorkerKind, private readonly bootstrapFile: string) {}

  async start(): Promise<void> {
    const child = spawn(this.kind.command, [...this.kind.args], {
      cwd: REPO,
      env: {
        ...process.env,
        GRPC_XDS_BOOTSTRAP: this.bootstrapFile,
        // Both libraries log only errors, to stderr, which is kept for failure messages.
        GRPC_VERBOSITY: 'error',
        NODE_NO_WARNINGS: '1',
        TS_NODE_PROJECT: path.join(REPO, 'lib-runtime', 'tsconfig.json'),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stderr!.on('data', (chunk: Buffer) => { this.stderrText = (this.stderrText + chunk.toString()).slice(-4000); });
    readline.createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    child.once('exit', (code, signal) => this.failAll(`${this.kind.name} worker exited (${code ?? signal})`));
    child.stdin!.on('error', () => { /* the exit handler reports it */ });
    // The first answer proves the library loaded (ts-node compiles the grpc-js worker first).
    await this.send({ op: 'version' }, 60_000);
  }

  /** `times` sequential unary RPCs to `xds:///<target>`; each outcome is a reply or an error. */
  async calls(target: string, method: string, options: CallOptions = {}): Promise<CallOutcome[]> {
    const times = options.times ?? 1;
    const timeoutMs = options.timeoutMs ?? 5000;
    return await this.send({ op: 'call', target, method, request: options.request ?? {}, metadata: options.metadata ?? {}, times, timeoutMs },
      times * timeoutMs + COMMAND_SLACK_MS) as CallOutcome[];
  }

  /** The last lines the worker wrote to stderr. */
  stderr(): string {
    return this.stderrText;
  }

  /** Closes the worker's stdin (it exits at end of input); kills it if it has not gone within 3 s. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // 'close', not 'exit': the pipes are closed too, so nothing of the worker keeps jest waiting.
    const closed = new Promise((resolve) => child.once('close', resolve));
    child.stdin!.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await closed;
    clearTimeout(killer);
  }

  private send(command: Record<string, unknown>, timeoutMs = 30_000): Promise<unknown> {
    const child = this.child;
    if (!child) return Promise.reject(new Error(`${this.kind.name} worker not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.kind.name} worker did not answer ${command.op} within ${timeoutMs} ms; stderr:\n${this.stderrText}`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.stdin!.write(`${JSON.stringify({ id, ...command })}\n`);
    });
  }

  private onLine(line: string): void {
    let message: { id?: number; ok?: boolean; result?: unknown; error?: string };
    try {
      message = JSON.parse(line);
    } catch {
      this.stderrText += `\n(not a protocol line on stdout) ${line}`;
      return;
    }
    const waiter = message.id === undefined ? undefined : this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id!);
    clearTimeout(waiter.timer);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(`${this.kind.name} worker: ${message.error}`));
  }

  private failAll(reason: string): void {
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`${reason}; stderr:\n${this.stderrText}`));
    }
    this.pending.clear();
  }
}
