/**
 * The split checks of the real-client tests: a count observed over n independent calls, each
 * taking a branch with probability p, lies within 4σ of n·p (σ = √(n·p·(1−p))). A correct client
 * fails it about once in 16 000 runs; p = 0 or 1 demands the exact count. The failure shows the
 * observed and expected counts.
 */
export function expectBinomial(observed: number, n: number, p: number): void {
  const sigma = Math.sqrt(n * p * (1 - p));
  const within4Sigma = Math.abs(observed - n * p) <= 4 * sigma;
  expect({ observed, expected: n * p, within4Sigma }).toEqual({ observed, expected: n * p, within4Sigma: true });
}
