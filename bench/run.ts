/**
 * open-app-mesh benchmarks: how fast the control plane configures a fleet, and what it costs.
 *
 *   npm run bench                 full mode (the numbers in BENCHMARKS.md)
 *   npm run bench -- --quick      small sizes, < 60 s, for CI: checks the measurement, asserts no times
 *   options: --json <file>  write all results as JSON; --only fleet,translate,synth,cold-start
 *            --nodes <n> --streams <n,n,...> --rounds <n> [--grpc]   override the fleet sizes (--grpc: half gRPC clients)
 *            --cold-start-nodes <n>   mesh size of the cold-start scenario (default 5000)
 *            --report <file>  print the tables of a saved --json file
 *
 * See BENCHMARKS.md for the method.
 */
import * as fs from 'node:fs';
import { measurementProblems } from './lib/checks';
import { loadAverageNow, machineInfo } from './lib/machine';
import { BenchResults, floorFor, formatFleetDetails, formatTable, rows } from './lib/report';
import {
  coldStartScenario, FleetMix, FleetResult, fleetScenario, FloorResult, floorScenario, synthScenario, translateScenario, writeMesh,
} from './lib/scenarios';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Plan {
  fleets: Array<{ virtualNodes: number; streams: number[]; mix?: FleetMix }>;
  rounds: number;
  translateNodes: number;
  translateReps: number;
  synthNodes: number;
  synthReps: number;
  coldStartNodes: number;
  coldStartReps: number;
}

const QUICK: Plan = {
  fleets: [{ virtualNodes: 20, streams: [36, 72], mix: 'half-grpc' }],
  rounds: 2,
  translateNodes: 50,
  translateReps: 2,
  synthNodes: 20,
  synthReps: 1,
  coldStartNodes: 50,
  coldStartReps: 1,
};
const FULL: Plan = {
  fleets: [
    { virtualNodes: 200, streams: [100, 1000, 5000] },
    { virtualNodes: 1000, streams: [100, 1000, 5000] },
    { virtualNodes: 200, streams: [1000], mix: 'half-grpc' },
  ],
  rounds: 5,
  translateNodes: 1000,
  translateReps: 5,
  synthNodes: 200,
  synthReps: 5,
  coldStartNodes: 5000,
  coldStartReps: 3,
};

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Print the tables of a saved --json file again (for BENCHMARKS.md). */
function reprint(file: string): number {
  const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResults;
  const m = saved.machine;
  process.stdout.write(`open-app-mesh bench (${saved.mode}, ${saved.startedAt}) — ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; `
    + `load average ${saved.loadBefore} → ${saved.loadAfter}\n\n${formatTable(rows(saved))}\n`);
  if (saved.fleet.length > 0) process.stdout.write(`\nFleet runs (medians over the pushes):\n\n${formatFleetDetails(saved)}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const savedFile = option(argv, 'report');
  if (savedFile) return reprint(savedFile);
  const quick = argv.includes('--quick');
  const plan: Plan = { ...(quick ? QUICK : FULL) };
  const nodes = option(argv, 'nodes');
  const streams = option(argv, 'streams');
  if (nodes || streams) {
    plan.fleets = [{
      virtualNodes: Number(nodes ?? plan.fleets[0].virtualNodes),
      streams: (streams ?? '1000').split(',').map(Number),
      mix: argv.includes('--grpc') ? 'half-grpc' : 'envoy',
    }];
  }
  if (option(argv, 'rounds')) plan.rounds = Number(option(argv, 'rounds'));
  if (option(argv, 'cold-start-nodes')) plan.coldStartNodes = Number(option(argv, 'cold-start-nodes'));
  const only = option(argv, 'only')?.split(',');
  const wants = (section: string): boolean => !only || only.includes(section);
  const log = (line: string): void => { process.stderr.write(`${line}\n`); };

  const loadBefore = loadAverageNow();
  log(`open-app-mesh bench, ${quick ? 'quick' : 'full'} mode; load average ${loadBefore}`);
  const fleet: FleetResult[] = [];
  const floors: FloorResult[] = [];
  const results: Mutable<BenchResults> = {
    mode: quick ? 'quick' : 'full',
    startedAt: new Date().toISOString(),
    machine: { ...machineInfo() },
    loadBefore,
    loadAfter: '',
    fleet,
    floors,
  };

  if (wants('fleet')) {
    for (const shape of plan.fleets) {
      const files = writeMesh(shape.virtualNodes);
      try {
        for (const n of shape.streams) {
          log(`  fleet: ${n} ${shape.mix === 'half-grpc' ? 'Envoy and gRPC ' : ''}streams on ${shape.virtualNodes} nodes (load ${loadAverageNow()})`);
          fleet.push(await fleetScenario(files, n, plan.rounds, log, shape.mix));
        }
      } finally {
        fs.rmSync(files.dir, { recursive: true, force: true });
      }
    }
    // The floor for each stream count and push size the control plane sent (sizes within 10 % share one).
    for (const f of fleet) {
      const n = f.streams;
      if (floorFor({ ...results, floors }, f)) continue;
      log(`  floor: ${n} streams × ${f.rounds[0].responseBytes} B (load ${loadAverageNow()})`);
      floors.push(await floorScenario(n, f.rounds[0].responseBytes, f.syncBytesPerStream, plan.rounds));
      const fl = floors[floors.length - 1];
      log(`    p50 ${fl.push.p50.toFixed(1)} p99 ${fl.push.p99.toFixed(1)} ms; ${(fl.rssPerStream / 1024).toFixed(1)} KiB/stream; connect+greet ${fl.connectMs.toFixed(0)} ms`);
    }
  }
  // Partial results survive a later failure.
  const jsonFile = option(argv, 'json');
  const save = (): void => { if (jsonFile) fs.writeFileSync(jsonFile, JSON.stringify(results, null, 2)); };
  save();
  if (wants('translate')) {
    log(`  translate: ${plan.translateNodes} nodes (load ${loadAverageNow()})`);
    results.translate = await translateScenario(plan.translateNodes, plan.translateReps);
    save();
  }
  if (wants('synth')) {
    log(`  synth: ${plan.synthNodes} nodes, both libraries (load ${loadAverageNow()})`);
    results.synth = await synthScenario(plan.synthNodes, plan.synthReps);
    save();
  }
  if (wants('cold-start')) {
    log(`  cold start: ${plan.coldStartNodes} nodes (load ${loadAverageNow()})`);
    const files = writeMesh(plan.coldStartNodes);
    try {
      results.coldStart = await coldStartScenario(files, plan.coldStartReps);
    } finally {
      fs.rmSync(files.dir, { recursive: true, force: true });
    }
  }
  results.loadAfter = loadAverageNow();

  const m = results.machine;
  process.stdout.write(`\nopen-app-mesh bench (${results.mode}) — ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}; `
    + `load average ${loadBefore} → ${results.loadAfter}\n\n${formatTable(rows(results))}\n`);
  if (fleet.length > 0) process.stdout.write(`\nFleet runs (medians over the pushes):\n\n${formatFleetDetails(results)}\n`);
  const problems = measurementProblems(results);
  if (jsonFile) fs.writeFileSync(jsonFile, JSON.stringify({ ...results, problems }, null, 2));
  if (problems.length > 0) {
    process.stdout.write(`\nMEASUREMENT INVALID:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
