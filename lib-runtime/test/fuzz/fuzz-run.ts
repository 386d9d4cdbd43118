import * as path from 'path';
import * as fc from 'fast-check';

/**
 * How the fuzz suites run. CI runs a few thousand cases per property with a fresh seed each time;
 * longer campaigns and replays are set from the environment:
 *
 *   FUZZ_RUNS=100000 npx jest lib-runtime/test/fuzz        # more cases (the CI time budget is lifted)
 *   FUZZ_SEED=<seed> FUZZ_PATH=<path> npx jest <file> -t <test>     # replay a failure (the report prints this line)
 *
 * A failure report names the seed and path to replay it, and the shrunk counterexample.
 */

const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : undefined;
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;
const PATH = process.env.FUZZ_PATH || undefined;

/** The jest timeout of a fuzz test: its CI budget plus room for shrinking a failure; none for a long campaign. */
export function jestTimeout(budgetMs: number): number {
  return RUNS !== undefined ? 2 ** 31 - 1 : budgetMs * 3;
}

export interface FuzzOptions {
  /** Cases in CI (FUZZ_RUNS overrides). */
  readonly runs: number;
  /**
   * CI only: stop drawing new cases after this long (a slow, busy machine then runs fewer), so the
   * suite stays within its time whatever the machine. The count actually run is printed.
   */
  readonly budgetMs: number;
  /** Most time one case may take; a case that takes longer fails (the property must be async, see `settle`). */
  readonly perCaseMs?: number;
}

/** Checks an async property; throws fast-check's report with the line that replays it. */
export async function fuzz<T>(name: string, property: fc.IAsyncProperty<T>, options: FuzzOptions): Promise<void> {
  const seed = SEED ?? Math.floor(Math.random() * 2 ** 31);
  const plugins: fc.UniversalPlugin[] = [];
  if (options.perCaseMs !== undefined) plugins.push(fc.timeout(options.perCaseMs));
  if (RUNS === undefined) plugins.push(fc.interruptAfterTimeLimit(options.budgetMs));
  const details = await fc.check(property, { numRuns: RUNS ?? options.runs, seed, path: PATH, plugins, endOnFailure: PATH !== undefined });
  if (details.failed) {
    const report = await fc.asyncDefaultReportMessage(details);
    const error = details.errorInstance instanceof Error ? details.errorInstance.stack : String(details.errorInstance);
    const test = expect.getState().currentTestName ?? '';
    throw new Error(`${name}: ${report}\n${error}\nreplay: FUZZ_SEED=${details.seed} FUZZ_PATH=${details.counterexamplePath ?? ''} `
      + `npx jest ${path.relative(process.cwd(), expect.getState().testPath ?? 'lib-runtime/test/fuzz')} -t ${JSON.stringify(test)}`);
  }
  // eslint-disable-next-line no-console
  console.log(`${name}: ${details.numRuns} cases passed (seed ${details.seed}${details.interrupted ? ', stopped at the time budget' : ''})`);
}

/**
 * Ends a case after the timers that are due: a case that ran past its per-case limit (even in
 * one synchronous stretch) is then reported by fc.timeout instead of passing, since the limit's
 * timer was due first.
 */
export function settle(): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, 0));
}
