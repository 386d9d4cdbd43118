import * as path from 'node:path';

export const DEMO_USAGE = `Usage: npm run demo -- [options]

Synthesizes examples/canary (serviceA → serviceb.apps.local → serviceB 75 % / serviceBv2 25 %),
serves it from the bundled control plane over mutual TLS, gives each workload its mesh
certificate through the agent, sends real mTLS gRPC calls from a proxyless xDS client (printing
both ends' SPIFFE IDs), then changes the weights in the CDK app, re-synthesizes and shows the
traffic move.

Options:
  --to <a/b>            weights after the change (default 0/100)
  --requests <n>        replies measured per phase (default 1000)
  --concurrency <n>     RPCs in flight (default 8)
  --work-dir <dir>      where the assembly, spec, picture and logs go (default .demo)
  --insecure            no TLS and no identities anywhere (the control plane's --insecure-plaintext):
                        any local process can read any node's configuration
  --keep-running        stay up after the run for exploration (the live dashboard and admin URLs
                        are printed); Ctrl-C ends
  --xds-port <port>     control plane xDS port (default: any free port)
  --admin-port <port>   control plane admin port (default: any free port)
  -h, --help            this text
`;

export interface DemoOptions {
  readonly to: string;
  readonly requests: number;
  readonly concurrency: number;
  readonly workDir: string;
  readonly keepRunning: boolean;
  /** Plaintext everywhere, no CA, no agents. */
  readonly insecure: boolean;
  readonly xdsPort: number;
  readonly adminPort: number;
}

export class DemoUsageError extends Error {}

/** Parses the demo's arguments (after the script name). */
export function parseDemoArgs(argv: readonly string[], cwd: string): DemoOptions | 'help' {
  const options = { to: '0/100', requests: 1000, concurrency: 8, workDir: path.resolve(cwd, '.demo'), keepRunning: false, insecure: false, xdsPort: 0, adminPort: 0 };
  const integer = (flag: string, raw: string | undefined, min: number, max: number): number => {
    const n = Number(raw);
    if (raw === undefined || !Number.isInteger(n) || n < min || n > max) throw new DemoUsageError(`${flag} needs a whole number from ${min} to ${max}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '-h':
      case '--help':
        return 'help';
      case '--keep-running':
        options.keepRunning = true;
        break;
      case '--insecure':
        options.insecure = true;
        break;
      case '--to': {
        const v = value();
        if (v === undefined || !/^\d+\/\d+$/.test(v)) throw new DemoUsageError('--to needs weights like 0/100');
        options.to = v;
        break;
      }
      case '--requests':
        options.requests = integer(flag, value(), 10, 1_000_000);
        break;
      case '--concurrency':
        options.concurrency = integer(flag, value(), 1, 256);
        break;
      case '--work-dir': {
        const v = value();
        if (!v) throw new DemoUsageError('--work-dir needs a directory');
        options.workDir = path.resolve(cwd, v);
        break;
      }
      case '--xds-port':
        options.xdsPort = integer(flag, value(), 0, 65535);
        break;
      case '--admin-port':
        options.adminPort = integer(flag, value(), 0, 65535);
        break;
      default:
        throw new DemoUsageError(`unknown argument ${argv[i]}`);
    }
  }
  return options;
}
