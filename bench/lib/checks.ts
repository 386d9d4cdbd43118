/**
 * What makes a run's numbers trustworthy (checked in both modes; the CI smoke test asserts
 * these, never the times): every stream ended up on the server's new version in every push, with
 * exactly one response per stream, and the bytes encoded per push depend on the nodes connected,
 * not on how many streams each node has.
 */
import type { BenchResults } from './report';

export function measurementProblems(results: BenchResults): string[] {
  const problems: string[] = [];
  for (const f of results.fleet) {
    const where = `N=${f.streams} on ${f.virtualNodes} nodes`;
    f.rounds.forEach((r, i) => {
      if (r.latency.count !== f.streams) problems.push(`${where}, push ${i + 1}: ${r.latency.count} of ${f.streams} streams timed`);
      if (r.streamsOnNewVersion !== f.streams) problems.push(`${where}, push ${i + 1}: only ${r.streamsOnNewVersion} streams ACKed the server's current route version`);
      if (r.streamsChanged !== f.streams) problems.push(`${where}, push ${i + 1}: only ${r.streamsChanged} streams moved to a new route version`);
      if (r.responsesPerStream !== 1) problems.push(`${where}, push ${i + 1}: ${r.responsesPerStream} responses per stream (expected one: RDS, or LDS for gRPC)`);
    });
    if (f.reconnectStreamsSynced !== f.streams) problems.push(`${where}: ${f.reconnectStreamsSynced} streams open after the reconnect storm`);
  }
  // Same mesh, same set of connected nodes ⇒ the same encoding work, whatever the stream count.
  const byGroups = new Map<string, number>();
  for (const f of results.fleet) {
    const key = `${f.virtualNodes}/${f.distinctNodes}/${f.mix}`;
    const bytes = f.rounds[0]?.encodedBytes;
    if (bytes === undefined) continue;
    const seen = byGroups.get(key);
    if (seen === undefined) byGroups.set(key, bytes);
    else if (seen !== bytes) problems.push(`bytes encoded per push differ with N on ${f.virtualNodes} nodes (${f.distinctNodes} connected): ${seen} vs ${bytes}`);
  }
  return problems;
}
