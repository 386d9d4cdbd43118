/**
 * The table `npm run bench` prints: every figure, its floor (what bare grpc-js does for the same
 * streams and bytes), the ratio to that floor, and the targets: issue 7's absolute ones, and issue
 * 11's ratios to the floor measured in the same run (envoy-only fleets of 200 and 1,000 nodes at
 * N = 1,000 and 5,000).
 */
import type { ColdStartResult, FleetResult, FloorResult, SynthResult, TranslateResult } from './scenarios';
import { median } from './stats';

export interface BenchResults {
  readonly mode: 'quick' | 'full';
  readonly startedAt: string;
  readonly machine: Record<string, unknown>;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly fleet: FleetResult[];
  readonly floors: FloorResult[];
  readonly translate?: TranslateResult;
  readonly synth?: SynthResult;
  readonly coldStart?: ColdStartResult;
}

export interface Row {
  readonly figure: string;
  readonly value: string;
  readonly floor: string;
  readonly ratio: string;
  readonly target: string;
  readonly met: '' | 'yes' | 'NO';
}

const ms = (v: number): string => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ms` : 'n/a');
const kib = (v: number): string => `${(v / 1024).toFixed(1)} KiB`;
const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '—');
const check = (ok: boolean | undefined): Row['met'] => (ok === undefined ? '' : ok ? 'yes' : 'NO');

/** The floor run that matches a fleet run: same stream count, push size within 10 %. */
export function floorFor(results: BenchResults, fleet: FleetResult): FloorResult | undefined {
  const bytes = fleet.rounds[0]?.responseBytes ?? 0;
  return results.floors.find((f) => f.streams === fleet.streams && Math.abs(f.payloadBytes - bytes) <= 0.1 * bytes);
}

function describeFleet(f: FleetResult): string {
  return `N=${f.streams}${f.grpcStreams > 0 ? ` (${f.grpcStreams} gRPC)` : ''}, ${f.virtualNodes} nodes`;
}

/** Issue 11's ratio targets apply to envoy-only fleets of 200 or 1,000 nodes at N = 1,000 or 5,000. */
function hasRatioTargets(f: FleetResult): boolean {
  return !f.grpcStreams && (f.virtualNodes === 200 || f.virtualNodes === 1000) && (f.streams === 1000 || f.streams === 5000);
}

/** Cold start to ready: ≤ 1 s with 1,000 nodes (issue 7), ≤ 2 s with 5,000 (issue 11). */
function coldStartLimitMs(virtualNodes: number): number | undefined {
  return virtualNodes === 1000 ? 1000 : virtualNodes === 5000 ? 2000 : undefined;
}

export function rows(results: BenchResults): Row[] {
  const out: Row[] = [];
  for (const f of results.fleet) {
    const floor = floorFor(results, f);
    const where = describeFleet(f);
    const envoyOnly = !f.grpcStreams;
    const onTargetMesh = envoyOnly && f.virtualNodes === 200;
    const p99Limit = onTargetMesh && f.streams === 1000 ? 250 : onTargetMesh && f.streams === 5000 ? 1000 : undefined;
    const ratioTarget = hasRatioTargets(f);
    out.push({
      figure: `1. push → all ACKed p50 (${where})`,
      value: ms(f.push.p50),
      floor: floor ? ms(floor.push.p50) : '—',
      ratio: floor ? ratio(f.push.p50, floor.push.p50) : '—',
      target: ratioTarget ? '≤ 1.5× floor' : '',
      met: ratioTarget && floor ? check(f.push.p50 <= 1.5 * floor.push.p50) : '',
    });
    out.push({
      figure: `1. push → all ACKed p99 / max (${where})`,
      value: `${ms(f.push.p99)} / ${ms(f.push.max)}`,
      floor: floor ? `${ms(floor.push.p99)} / ${ms(floor.push.max)}` : '—',
      ratio: floor ? ratio(f.push.p99, floor.push.p99) : '—',
      target: [ratioTarget ? '≤ 1.5× floor' : '', p99Limit ? `≤ ${ms(p99Limit)}` : ''].filter(Boolean).join(', '),
      met: ratioTarget && floor
        ? check(f.push.p99 <= 1.5 * floor.push.p99 && (p99Limit === undefined || f.push.p99 <= p99Limit))
        : p99Limit ? check(f.push.p99 <= p99Limit) : '',
    });
    // Saved runs from before this figure have none.
    if (f.fanout) {
      out.push({
        figure: `1. of which fan-out, first write → ACKed p50 / p99 (${where})`,
        value: `${ms(f.fanout.p50)} / ${ms(f.fanout.p99)}`,
        floor: floor ? `${ms(floor.push.p50)} / ${ms(floor.push.p99)}` : '—',
        ratio: floor ? `${ratio(f.fanout.p50, floor.push.p50)} / ${ratio(f.fanout.p99, floor.push.p99)}` : '—',
        target: '',
        met: '',
      });
    }
  }
  for (const f of results.fleet) {
    const floor = floorFor(results, f);
    out.push({
      figure: `2. RSS per connected proxy (${describeFleet(f)})`,
      value: kib(f.rssPerStream),
      floor: floor ? kib(floor.rssPerStream) : '—',
      ratio: floor ? ratio(f.rssPerStream, floor.rssPerStream) : '—',
      target: hasRatioTargets(f) ? '≤ 1.2× floor' : '',
      met: hasRatioTargets(f) && floor ? check(f.rssPerStream <= 1.2 * floor.rssPerStream) : '',
    });
  }
  const t = results.translate;
  if (t) {
    out.push({
      figure: `3. full translation, ${t.virtualNodes} nodes (compile + render all)`,
      value: ms(t.full.totalMs),
      floor: '—',
      ratio: '—',
      target: t.virtualNodes === 1000 ? '≤ 200 ms' : '',
      met: t.virtualNodes === 1000 ? check(t.full.totalMs <= 200) : '',
    });
    out.push({
      figure: `3. incremental: one route weight, ${t.virtualNodes} nodes (re-renders ${t.oneService.affected})`,
      value: ms(t.oneService.totalMs),
      floor: '—',
      ratio: '—',
      target: t.virtualNodes === 1000 ? '≤ 5 ms' : '',
      met: t.virtualNodes === 1000 ? check(t.oneService.totalMs <= 5) : '',
    });
    out.push({
      figure: `3. incremental: shared route weight, ${t.virtualNodes} nodes (re-renders ${t.sharedService.affected})`,
      value: ms(t.sharedService.totalMs),
      floor: '—',
      ratio: '—',
      target: '',
      met: '',
    });
  }
  for (const f of results.fleet) {
    const r = f.rounds[0];
    out.push({
      figure: `3. bytes encoded per push (${describeFleet(f)}, ${f.distinctNodes} distinct nodes)`,
      value: `${kib(r.encodedBytes)} (${r.encodedResources} res.; new Any ${kib(r.anyBytes)})`,
      floor: '0',
      ratio: '—',
      target: 'constant in N',
      met: '',
    });
  }
  const s = results.synth;
  if (s) {
    out.push({
      figure: `4. synth ${s.virtualNodes}-node app: open-app-mesh / aws-cdk-lib`,
      value: `${ms(s.openAppMesh.medianMs)} / ${ms(s.awsCdkLib.medianMs)}`,
      floor: '—',
      ratio: `${s.ratio.toFixed(2)}×`,
      target: 'ratio ≤ 1.0',
      met: check(s.ratio <= 1.0),
    });
  }
  for (const f of results.fleet) {
    const floor = floorFor(results, f);
    const target = hasRatioTargets(f);
    out.push({
      figure: `5. reconnect storm converged (${describeFleet(f)})`,
      value: ms(f.reconnectMs),
      floor: floor ? ms(floor.connectMs) : '—',
      ratio: floor ? ratio(f.reconnectMs, floor.connectMs) : '—',
      target: target ? '≤ 1.3× floor' : '',
      met: target && floor ? check(f.reconnectMs <= 1.3 * floor.connectMs) : '',
    });
  }
  // Saved runs from before these figures have none.
  for (const f of results.fleet.filter((x) => x.reconnectCpuMs !== undefined)) {
    const floor = floorFor(results, f);
    const pushCpu = median(f.rounds.map((r) => r.cpuMs));
    out.push({
      figure: `7. server CPU time per push (median) / reconnect storm (${describeFleet(f)})`,
      value: `${ms(pushCpu)} / ${ms(f.reconnectCpuMs)}`,
      floor: floor?.pushCpuMs !== undefined ? `${ms(floor.pushCpuMs)} / ${ms(floor.connectCpuMs)}` : '—',
      ratio: floor?.pushCpuMs !== undefined ? `${ratio(pushCpu, floor.pushCpuMs)} / ${ratio(f.reconnectCpuMs, floor.connectCpuMs)}` : '—',
      target: '',
      met: '',
    });
  }
  const c = results.coldStart;
  if (c) {
    out.push({
      figure: `6. cold start to /readyz, ${c.virtualNodes} nodes${c.fromSource ? ' (from source)' : ''}`,
      value: ms(c.medianMs),
      floor: '—',
      ratio: '—',
      target: coldStartLimitMs(c.virtualNodes) ? `≤ ${ms(coldStartLimitMs(c.virtualNodes)!)}` : '',
      met: coldStartLimitMs(c.virtualNodes) ? check(c.medianMs <= coldStartLimitMs(c.virtualNodes)!) : '',
    });
  }
  return out;
}

/** A Markdown table (also readable in a terminal). */
export function formatTable(list: readonly Row[]): string {
  const header: Row = { figure: 'Figure', value: 'Value', floor: 'Floor', ratio: 'Ratio', target: 'Target', met: '' };
  const all = [header, ...list];
  const keys = ['figure', 'value', 'floor', 'ratio', 'target', 'met'] as const;
  const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length), k === 'met' ? 3 : 0));
  const line = (r: Row): string => `| ${keys.map((k, i) => (k === 'met' && r === header ? 'Met' : r[k]).padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...list.map(line)].join('\n');
}

/** Per fleet run: where the time of a push goes, and the sizes involved (medians over the pushes). */
export function formatFleetDetails(results: BenchResults): string {
  const med = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const header = '| Nodes | N (gRPC) | initial sync | push p50 / p99 / max | parse+validate | apply | spec→push start | push (flush) | response | encoded per push | RSS idle → N | reconnect (retries) |';
  const lines = [header, `|${header.split('|').slice(1, -1).map(() => '---').join('|')}|`];
  for (const f of results.fleet) {
    const r = f.rounds;
    lines.push(`| ${f.virtualNodes} | ${f.streams}${f.grpcStreams ? ` (${f.grpcStreams})` : ''} | ${ms(f.initialSyncMs)}${f.initialRetries ? ` (${f.initialRetries} retries)` : ''} `
      + `| ${ms(f.push.p50)} / ${ms(f.push.p99)} / ${ms(f.push.max)} | ${ms(med(r.map((x) => x.parseMs)))} | ${ms(med(r.map((x) => x.applyMs)))} `
      + `| ${ms(med(r.map((x) => x.toFlushMs)))} | ${ms(med(r.map((x) => x.flushMs)))} | ${(r[0].responseBytes / 1024).toFixed(1)} KiB `
      + `| ${kib(r[0].encodedBytes)} (${r[0].encodedResources} res.) | ${(f.idleRss / 2 ** 20).toFixed(0)} → ${(f.connectedRss / 2 ** 20).toFixed(0)} MiB `
      + `| ${ms(f.reconnectMs)} (${f.reconnectRetries}) |`);
  }
  return lines.join('\n');
}
