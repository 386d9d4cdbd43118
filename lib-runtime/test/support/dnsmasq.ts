import { ChildProcess, spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import { promises as dns } from 'node:dns';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from './wait';

export const DNSMASQ_PATH = ['/usr/sbin/dnsmasq', '/usr/bin/dnsmasq', '/sbin/dnsmasq'].find((p) => fs.existsSync(p));

/**
 * A real DNS server on 127.0.0.1 for discovery tests: dnsmasq answering only from a hosts
 * file (reloaded on SIGHUP) and fixed SRV records, authoritative for `mesh.local`.
 */
export class Dnsmasq {
  readonly dir: string;
  readonly hostsFile: string;
  port = 0;
  private child: ChildProcess | undefined;

  constructor(private readonly srvRecords: string[] = []) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-dnsmasq-'));
    this.hostsFile = path.join(this.dir, 'hosts');
  }

  get server(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Writes the hosts file (`ip name` lines); call reload() when running. */
  writeHosts(lines: string[]): void {
    fs.writeFileSync(this.hostsFile, lines.join('\n') + '\n');
  }

  async start(): Promise<void> {
    if (!DNSMASQ_PATH) throw new Error('dnsmasq not installed');
    if (!fs.existsSync(this.hostsFile)) this.writeHosts([]);
    this.port = this.port || await freeUdpPort();
    const args = [
      '--no-daemon', '--conf-file=/dev/null', `--port=${this.port}`, '--listen-address=127.0.0.1', '--bind-interfaces',
      '--no-resolv', '--no-hosts', '--local=/mesh.local/', `--addn-hosts=${this.hostsFile}`, '--pid-file=',
      `--user=${os.userInfo().username}`, '--log-facility=/dev/null',
      ...this.srvRecords.map((r) => `--srv-host=${r}`),
    ];
    const child = spawn(DNSMASQ_PATH, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
    resolver.setServers([this.server]);
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${stderr}`);
      try {
        await resolver.resolve4('probe.mesh.local');
        return true;
      } catch (e) {
        // NXDOMAIN means the server answers.
        return (e as { code?: string }).code === 'ENOTFOUND';
      }
    }, 'dnsmasq to answer', 5000, 50);
  }

  /** Re-reads the hosts file. */
  reload(): void {
    this.child?.kill('SIGHUP');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}
