/** The openssl CLI as an independent check of what the CA makes; tests skip with a message without it. */
import { execFileSync } from 'child_process';

export const HAS_OPENSSL = ((): boolean => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

if (!HAS_OPENSSL) console.warn('openssl is not installed: the identity tests that check with it are skipped');

/** Runs openssl in `cwd`; returns stdout and stderr together (openssl verify writes errors to stderr). */
export function openssl(cwd: string, ...args: string[]): { ok: boolean; output: string } {
  try {
    const out = execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, output: out.toString() };
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    return { ok: false, output: `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}` };
  }
}
