import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Repository root (demo/ sits directly under it). */
export const REPO_ROOT = path.resolve(__dirname, '..');

const DIST_MAIN = path.join(REPO_ROOT, 'lib-runtime', 'dist', 'lib-runtime', 'src', 'main.js');
const SRC_MAIN = path.join(REPO_ROOT, 'lib-runtime', 'src', 'main.ts');

/** One line of the control plane's JSON log. */
export type LogRecord = Record<string, unknown> & { readonly msg: string; readonly level: string };

function newestTsMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestTsMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Node arguments that start the control-plane program: the compiled build when it is at
 * least as new as every source it is made from, else the TypeScript sources via ts-node
 * (a fresh clone has no build, and the demo must not need one).
 */
export function controlPlaneCommand(): { args: string[]; compiled: boolean } {
  if (fs.existsSync(DIST_MAIN)) {
    const sources = Math.max(newestTsMtime(path.join(REPO_ROOT, 'lib-runtime', 'src')), newestTsMtime(path.join(REPO_ROOT, 'src', 'spec')));
    if (fs.statSync(DIST_MAIN).mtimeMs >= sources) return { args: [DIST_MAIN], compiled: true };
  }
  return { args: ['-r', 'ts-node/register/transpile-only', SRC_MAIN], compiled: false };
}

/**
 * The bundled control plane (lib-runtime/src/main.ts) as a child process of the demo. Its
 * JSON log is parsed line by line so the demo can wait for what it reports (started, spec
 * applied, streams) instead of sleeping.
 */
export class ControlPlaneProcess {
  readonly logs: LogRecord[] = [];
  xdsPort = 0;
  adminPort = 0;
  private child: ChildProcess | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stderr = '';
  private readonly waiters = new Set<() => void>();

  /** `logFile`: where the program's raw log goes as well (for a look afterwards). */
  constructor(private readonly cliArgs: readonly string[], private readonly logFile?: string) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  /** Starts the program and resolves once it logs `control plane started`. */
  async start(timeoutMs: number): Promise<void> {
    const command = controlPlaneCommand();
    const child = spawn(process.execPath, [...command.args, ...this.cliArgs], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1', TS_NODE_PROJECT: path.join(REPO_ROOT, 'lib-runtime', 'tsconfig.json') },
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.exit = { code, signal };
      this.notify();
      resolve();
    }));
    const logStream = this.logFile ? fs.createWriteStream(this.logFile) : undefined;
    child.once('exit', () => logStream?.end());
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      logStream?.write(chunk);
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          this.logs.push(JSON.parse(line) as LogRecord);
        } catch {
          this.stderr += `${line}\n`;
        }
      }
      this.notify();
    });
    child.stderr!.on('data', (chunk: Buffer) => { this.stderr += chunk.toString(); });
    const started = await this.waitForLog((l) => l.msg === 'control plane started', timeoutMs);
    this.xdsPort = Number(String(started.xdsAddress).split(':').pop());
    this.adminPort = Number(String(started.admin).split(':').pop());
  }

  /** The first log record from index `from` on that matches, waiting up to `timeoutMs`. */
  async waitForLog(predicate: (record: LogRecord) => boolean, timeoutMs: number, from = 0): Promise<LogRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.slice(from).find(predicate);
      if (found) return found;
      if (this.exit) {
        throw new Error(`the control plane exited (code ${this.exit.code}, signal ${this.exit.signal})\n${this.stderr}${this.errorLines()}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for the control plane\n${this.stderr}${this.errorLines()}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 250));
        this.waiters.add(wake);
      });
    }
  }

  /** SIGTERM (the program drains its streams), SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
    if (!this.child) return undefined;
    if (this.running) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    return this.exit;
  }

  /** Synchronous last resort for process exit paths. */
  killNow(): void {
    if (this.running) this.child!.kill('SIGKILL');
  }

  private errorLines(): string {
    return this.logs.filter((l) => l.level === 'error').map((l) => `${JSON.stringify(l)}\n`).join('');
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
