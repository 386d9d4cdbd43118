/**
 * `open-app-mesh agent`: the process beside Envoy or a proxyless gRPC application. It proves the
 * workload's identity to the control plane, holds a short-lived certificate for the node and
 * renews it, and hands it on through whichever outputs are configured: files, SDS on a Unix
 * socket, an mTLS xDS proxy; plus a readiness endpoint.
 */
import { describeError, type Logger } from '../log';
import { writeCertificateFiles } from './certificate-files';
import { CertificateRenewer } from './certificate-renewer';
import { ExchangeClient } from './exchange-client';
import type { HeldCertificate } from './held-certificate';
import type { CredentialSource } from './identity-credential';
import { ReadinessServer } from './readiness-server';
import { SdsServer } from './sds-server';
import { XdsProxy } from './xds-proxy';

export interface AgentOptions {
  readonly nodeId: string;
  /** https://host:port of the exchange endpoint. */
  readonly controlPlaneUrl: string;
  readonly caBundleFile: string;
  readonly credential: CredentialSource;
  readonly outDir?: string;
  readonly sdsSocket?: string;
  readonly xdsProxy?: { readonly listen: string; readonly upstream: string };
  /** 0 picks a free port (tests). */
  readonly healthPort?: number;
  readonly log: Logger;
  readonly initialRetryMs?: number;
  readonly maxRetryMs?: number;
}

/** Where the agent's listeners ended up. */
export interface AgentAddresses {
  readonly xdsProxyPort?: number;
  readonly healthPort?: number;
}

export class Agent {
  private readonly renewer: CertificateRenewer;
  private readonly sds?: SdsServer;
  private readonly proxy?: XdsProxy;
  private readonly readiness?: ReadinessServer;

  constructor(private readonly options: AgentOptions) {
    const { log } = options;
    this.sds = options.sdsSocket !== undefined ? new SdsServer(options.sdsSocket) : undefined;
    this.proxy = options.xdsProxy
      ? new XdsProxy({ nodeId: options.nodeId, ...options.xdsProxy, log: log.child({ component: 'xds-proxy' }) })
      : undefined;
    this.readiness = options.healthPort !== undefined ? new ReadinessServer(options.healthPort, () => this.notReadyBecause()) : undefined;
    this.renewer = new CertificateRenewer({
      nodeId: options.nodeId,
      exchange: new ExchangeClient({ url: options.controlPlaneUrl }),
      credential: options.credential,
      caBundleFile: options.caBundleFile,
      onCertificate: (held) => this.deliver(held),
      log: log.child({ component: 'renewer' }),
      ...(options.initialRetryMs !== undefined ? { initialRetryMs: options.initialRetryMs } : {}),
      ...(options.maxRetryMs !== undefined ? { maxRetryMs: options.maxRetryMs } : {}),
    });
  }

  /** The certificate held now, if any. */
  get certificate(): HeldCertificate | undefined {
    return this.renewer.current;
  }

  /** Binds the listeners and starts the first exchange (without waiting for it). */
  async start(): Promise<AgentAddresses> {
    await this.sds?.start();
    const xdsProxyPort = await this.proxy?.start();
    const healthPort = await this.readiness?.start();
    this.renewer.start();
    return { ...(xdsProxyPort !== undefined ? { xdsProxyPort } : {}), ...(healthPort !== undefined ? { healthPort } : {}) };
  }

  async stop(): Promise<void> {
    this.renewer.stop();
    await Promise.all([this.sds?.stop(), this.proxy?.stop(), this.readiness?.stop()]);
  }

  private notReadyBecause(): string | undefined {
    const held = this.renewer.current;
    if (!held) return 'no certificate yet';
    return this.renewer.isValid() ? undefined : `the certificate expired at ${held.notAfter.toISOString()}`;
  }

  /** Each output on its own: one that fails does not keep the certificate from the others. */
  private async deliver(held: HeldCertificate): Promise<void> {
    const { log, outDir } = this.options;
    const outputs: Array<[string, () => void | Promise<void>]> = [
      ['SDS', () => this.sds?.update(held)],
      ['xDS proxy', () => this.proxy?.useCertificate(held)],
      ['files', () => (outDir !== undefined ? writeCertificateFiles(outDir, held) : undefined)],
    ];
    for (const [output, update] of outputs) {
      try {
        await update();
      } catch (error) {
        log.error('a certificate output failed; the others hold the new certificate', { output, error: describeError(error) });
      }
    }
  }
}
