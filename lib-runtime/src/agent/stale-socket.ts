import { promises as fs } from 'fs';

/**
 * Removes a Unix socket an earlier run left at `socketPath` (it would block the bind); anything
 * else at that path is not the agent's to remove. `flag` names the option in the error.
 */
export async function removeStaleSocket(socketPath: string, flag: string): Promise<void> {
  const stat = await fs.lstat(socketPath).catch(() => undefined);
  if (stat === undefined) return;
  if (!stat.isSocket()) throw new Error(`${flag} ${socketPath} exists and is not a socket`);
  await fs.rm(socketPath, { force: true });
}
