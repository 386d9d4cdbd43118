import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LoopbackOidcIssuer } from './oidc-issuer';
import { ProgramProcess } from './program-process';
import { CERTIFICATE_FILE, PRIVATE_KEY_FILE, TRUST_BUNDLE_FILE } from '../lib-runtime/src/agent/certificate-files';

/** Lifetime of the demo's service-account tokens; rewritten at 80 %, as the kubelet refreshes projected tokens. */
const TOKEN_TTL_SECONDS = 3600;

export interface WorkloadAgentOptions {
  /** mesh/<mesh>/virtualNode/<name>. */
  readonly nodeId: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The certificate exchange, https://127.0.0.1:<port>. */
  readonly controlPlaneUrl: string;
  /** The mesh CA's roots (--ca-bundle). */
  readonly caBundleFile: string;
  /** The audience the control plane accepts (--k8s-audience). */
  readonly audience: string;
  readonly issuer: LoopbackOidcIssuer;
  /** This workload's private directory: token, certificate files, socket. */
  readonly dir: string;
  /** The control plane's xDS address: also run the agent's xDS proxy, on a Unix socket in `dir`. */
  readonly xdsAddress?: string;
  readonly logFile?: string;
}

/**
 * `open-app-mesh agent --identity kubernetes` for one workload, as a child process, exactly as it
 * runs in a pod: it reads the service-account token from a file, exchanges it at the control
 * plane for the node's certificate and writes cert.pem, key.pem and ca.pem to its --out-dir.
 */
export class WorkloadAgent {
  readonly outDir: string;
  readonly tokenFile: string;
  /** The xDS proxy's gRPC target (`unix:///…`), with `xdsAddress`. */
  readonly xdsProxyUri?: string;
  readonly process: ProgramProcess;
  private tokenRefresh: NodeJS.Timeout | undefined;

  constructor(private readonly options: WorkloadAgentOptions) {
    this.outDir = path.join(options.dir, 'certs');
    this.tokenFile = path.join(options.dir, 'token');
    const socket = path.join(options.dir, 'xds.sock');
    if (options.xdsAddress) this.xdsProxyUri = `unix://${socket}`;
    this.process = new ProgramProcess(`the agent of ${options.nodeId}`, [
      'agent', '--node-id', options.nodeId, '--identity', 'kubernetes', '--token-file', this.tokenFile,
      '--control-plane', options.controlPlaneUrl, '--ca-bundle', options.caBundleFile, '--out-dir', this.outDir,
      ...(options.xdsAddress ? ['--xds-address', options.xdsAddress, '--xds-proxy-listen', `unix:${socket}`] : []),
    ], options.logFile);
  }

  /** Writes the token, starts the agent and resolves once its certificate files are written. */
  async start(timeoutMs: number): Promise<void> {
    fs.mkdirSync(this.options.dir, { recursive: true, mode: 0o700 });
    this.writeToken();
    this.tokenRefresh = setInterval(() => this.writeToken(), TOKEN_TTL_SECONDS * 800);
    this.tokenRefresh.unref();
    // A failed first exchange is retried by the agent itself (after 1 s, then longer); a timeout
    // here reports the failures it logged.
    await this.process.start((l) => l.msg === 'certificate obtained', timeoutMs);
    // The agent logs the certificate, then writes its outputs.
    const files = [CERTIFICATE_FILE, PRIVATE_KEY_FILE, TRUST_BUNDLE_FILE].map((f) => path.join(this.outDir, f));
    const deadline = Date.now() + timeoutMs;
    while (!files.every((f) => fs.existsSync(f))) {
      if (Date.now() > deadline) throw new Error(`${this.process.name} obtained a certificate but wrote no files to ${this.outDir}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.tokenRefresh);
    await this.process.stop(3000);
  }

  private writeToken(): void {
    const { issuer, namespace, serviceAccount, audience } = this.options;
    const temporary = `${this.tokenFile}.tmp`;
    fs.writeFileSync(temporary, issuer.token(namespace, serviceAccount, audience, TOKEN_TTL_SECONDS), { mode: 0o600 });
    fs.renameSync(temporary, this.tokenFile);
  }
}
