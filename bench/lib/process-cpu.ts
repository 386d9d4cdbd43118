/**
 * CPU time a process has used (user + system), in ms. Unlike wall-clock latency it hardly depends on
 * what else runs on the machine, so it compares two builds on a loaded machine where times cannot.
 */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
