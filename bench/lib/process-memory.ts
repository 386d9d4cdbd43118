/** Resident memory of a process as the kernel reports it, and a forced GC before reading. */
import * as fs from 'node:fs';

/** VmRSS of a process in bytes (Linux /proc). */
export function rssOf(pid: number | 'self' = 'self'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** Full GC (the process runs with --expose-gc), a pause for the allocator to return memory, then VmRSS. */
export async function settledRss(): Promise<{ rss: number; heapUsed: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { rss: rssOf('self'), heapUsed: process.memoryUsage().heapUsed };
}

/**
 * Use the whole young generation once. V8 commits its semi-spaces lazily, up to their maximum as
 * garbage flows, and keeps them afterwards: without this step the idle reading is taken with an
 * unused young generation and the connected one with a full one, which charges a fixed cost of
 * the process (tens of MiB with larger semi-spaces) to the connections. Call it before the idle reading.
 */
export function fillYoungGeneration(): void {
  let keep: object[] = [];
  for (let i = 0; i < 4_000_000; i++) {
    keep.push({ i });
    if (keep.length > 1000) keep = [];
  }
}
