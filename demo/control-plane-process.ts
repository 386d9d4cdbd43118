import { ProgramProcess } from './program-process';

/** `open-app-mesh control-plane` as a child process of the demo, with the ports it bound. */
export class ControlPlaneProcess extends ProgramProcess {
  xdsPort = 0;
  adminPort = 0;
  /** The certificate exchange's port; 0 with --insecure-plaintext. */
  exchangePort = 0;

  constructor(cliArgs: readonly string[], logFile?: string) {
    super('the control plane', ['control-plane', ...cliArgs], logFile);
  }

  /** Starts the program and resolves once it logs `control plane started`. */
  async listen(timeoutMs: number): Promise<void> {
    const port = (address: unknown) => Number(String(address).split(':').pop());
    const started = await this.start((l) => l.msg === 'control plane started', timeoutMs);
    this.xdsPort = port(started.xdsAddress);
    this.adminPort = port(started.admin);
    const exchange = this.logs.find((l) => l.msg === 'certificate exchange listening');
    if (exchange) this.exchangePort = port(exchange.address);
  }
}
