/**
 * `GET /ready` on 127.0.0.1: 200 while the agent holds a certificate within its validity, else
 * 503 with the reason; for container dependencies (ECS `HEALTHY`) that start Envoy after the
 * agent. Loopback only: it says nothing an outsider needs.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

export class ReadinessServer {
  private readonly server: http.Server;

  constructor(private readonly port: number, notReadyBecause: () => string | undefined) {
    this.server = http.createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/ready') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      const reason = notReadyBecause();
      res.writeHead(reason === undefined ? 200 : 503, { 'content-type': 'text/plain' }).end(`${reason ?? 'ready'}\n`);
    });
  }

  /** Resolves with the bound port. */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (err) => reject(new Error(`--health-port ${this.port}: ${err.message}`)));
      this.server.listen(this.port, '127.0.0.1', resolve);
    });
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
