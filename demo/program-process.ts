import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Repository root (demo/ sits directly under it). */
export const REPO_ROOT = path.resolve(__dirname, '..');

const DIST_CLI = path.join(REPO_ROOT, 'lib-runtime', 'dist', 'lib-runtime', 'src', 'cli.js');
const SRC_CLI = path.join(REPO_ROOT, 'lib-runtime', 'src', 'cli.ts');

/** One line of the program's JSON log. */
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
 * Node arguments that start the `open-app-mesh` program: the compiled build when it is at least
 * as new as every source it is made from, else the TypeScript sources via ts-node (a fresh clone
 * has no build, and the demo must not need one).
 */
export function programCommand(): { args: string[]; compiled: boolean } {
  if (fs.existsSync(DIST_CLI)) {
    const sources = Math.max(newestTsMtime(path.join(REPO_ROOT, 'lib-runtime', 'src')), newestTsMtime(path.join(REPO_ROOT, 'src', 'spec')));
    if (fs.statSync(DIST_CLI).mtimeMs >= sources) return { args: [DIST_CLI], compiled: true };
  }
  return { args: ['-r', 'ts-node/register/transpile-only', SRC_CLI], compiled: false };
}

/**
 * One command of the bundled `open-app-mesh` program (`control-plane`, `agent`) as a child
 * process of the demo. Its JSON log is parsed line by line so the demo can wait for what it
 * reports instead of sleeping.
 */
export class ProgramProcess {
  readonly logs: LogRecord[] = [];
  private child: ChildProcess | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stderr = '';
  private readonly waiters = new Set<() => void>();

  /** `logFile`: where the program's raw log goes as well (for a look afterwards). */
  constructor(readonly name: string, private readonly cliArgs: readonly string[], private readonly logFile?: string) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  /** Starts the program and resolves with the first log record `ready` accepts. */
  async start(ready: (record: LogRecord) => boolean, timeoutMs: number): Promise<LogRecord> {
    const command = programCommand();
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
    return this.waitForLog(ready, timeoutMs);
  }

  /** The first log record from index `from` on that matches, waiting up to `timeoutMs`. */
  async waitForLog(predicate: (record: LogRecord) => boolean, timeoutMs: number, from = 0): Promise<LogRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.logs.slice(from).find(predicate);
      if (found) return found;
      if (this.exit) {
        throw new Error(`${this.name} exited (code ${this.exit.code}, signal ${this.exit.signal})\n${this.stderr}${this.errorLines()}`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${this.name}\n${this.stderr}${this.errorLines()}`);
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

  /** SIGTERM (the program drains or stops cleanly), SIGKILL if it has not exited after `graceMs`. */
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
    return this.logs.filter((l) => l.level === 'error' || l.level === 'warn').map((l) => `${JSON.stringify(l)}\n`).join('');
  }

  private notify(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
