import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { waitFor } from '../../support/wait';

const REPO = path.resolve(__dirname, '..', '..', '..', '..');
const DIST_MAIN = path.join(REPO, 'lib-runtime', 'dist', 'lib-runtime', 'src', 'main.js');
const SRC_MAIN = path.join(REPO, 'lib-runtime', 'src', 'main.ts');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * How to start the program: the compiled dist when it is newer than every source file (the
 * build compiles it before tests run), else the TypeScript sources through ts-node.
 */
export function programCommand(): string[] {
  if (fs.existsSync(DIST_MAIN)) {
    const sources = Math.max(newestMtime(path.join(REPO, 'lib-runtime', 'src')), newestMtime(path.join(REPO, 'src', 'spec')));
    if (fs.statSync(DIST_MAIN).mtimeMs >= sources) return [DIST_MAIN];
  }
  return ['-r', 'ts-node/register/transpile-only', SRC_MAIN];
}

export type LogLine = Record<string, unknown> & { msg: string; level: string };

/** The real control-plane program as a child process, with its JSON log parsed line by line. */
export class ControlPlaneProcess {
  readonly logs: LogLine[] = [];
  readonly stderr: string[] = [];
  xdsPort = 0;
  adminPort = 0;
  /** The certificate exchange's port; 0 with --insecure-plaintext. */
  exchangePort = 0;
  exitCode: number | null = null;
  exitSignal: NodeJS.Signals | null = null;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  /** `env`: more environment variables (HOME, to keep the default --ca-dir out of the real home). */
  constructor(private readonly args: string[], private readonly env: Record<string, string> = {}) {}

  async start(timeoutMs = 30_000): Promise<void> {
    this.spawn();
    const started = await this.waitForLog((l) => l.msg === 'control plane started', timeoutMs)
      .catch((error: Error) => { throw new Error(`${error.message}\nstderr: ${this.stderr.join('')}`); });
    this.xdsPort = Number(String(started.xdsAddress).split(':').pop());
    this.adminPort = Number(String(started.admin).split(':').pop());
    // Logged before 'control plane started' when there is an exchange.
    const exchange = this.logs.find((l) => l.msg === 'certificate exchange listening');
    if (exchange) this.exchangePort = Number(String(exchange.address).split(':').pop());
  }

  /** Runs the program to its end without waiting for it to start (for start-up failures). */
  async run(timeoutMs = 30_000): Promise<number | null> {
    this.spawn();
    await waitFor(() => this.exitCode !== null || this.exitSignal !== null, 'the program to exit', timeoutMs);
    return this.exitCode;
  }

  private spawn(): void {
    const child = spawn(process.execPath, [...programCommand(), ...this.args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1', TS_NODE_PROJECT: path.join(REPO, 'lib-runtime', 'tsconfig.json'), ...this.env },
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.exitCode = code;
      this.exitSignal = signal;
      resolve();
    }));
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.stderr.push(`stdout: ${line}`);
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  /** Resolves with the first log line (already seen or future) matching `predicate`. */
  async waitForLog(predicate: (line: LogLine) => boolean, timeoutMs = 10_000, from = 0): Promise<LogLine> {
    let found: LogLine | undefined;
    await waitFor(() => {
      found = this.logs.slice(from).find(predicate);
      return found !== undefined || this.exitCode !== null || this.exitSignal !== null;
    }, 'a matching log line', timeoutMs);
    if (!found) throw new Error(`control plane exited (${this.exitCode}) before the expected log line`);
    return found;
  }

  async signal(signal: NodeJS.Signals): Promise<void> {
    if (!this.child || this.exitCode !== null || this.exitSignal !== null) return;
    this.child.kill(signal);
    await this.exited;
  }

  /** Always safe to call: SIGKILL if still running. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async admin(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: this.adminPort, path: pathAndQuery, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d.toString(); });
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      }).on('error', reject);
    });
  }

  async adminJson<T = Record<string, unknown>>(pathAndQuery: string): Promise<T> {
    return JSON.parse((await this.admin(pathAndQuery)).body) as T;
  }
}
