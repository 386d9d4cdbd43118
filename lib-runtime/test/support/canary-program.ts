import { CANARY_SPEC_FILE } from './file-control-plane';
import { ControlPlaneProcess } from '../e2e/support/control-plane-process';

/**
 * The real program serving the canary spec with no endpoint discovery, xDS, admin and exchange
 * on ports the OS picks, then `args`; `env` is added to its environment. It joins `processes`,
 * for the teardown to kill.
 */
export function canaryProgram(args: string[], env: Record<string, string>, processes: ControlPlaneProcess[]): ControlPlaneProcess {
  const p = new ControlPlaneProcess([
    '--spec', CANARY_SPEC_FILE, '--endpoints', 'none', '--xds-port', '0', '--admin-port', '0', '--exchange-port', '0', ...args,
  ], env);
  processes.push(p);
  return p;
}
