/**
 * Timing helpers for benchmarks. A candidate and its baseline are run interleaved (A, B, A, B …)
 * after a warm-up, so drift in machine load affects both alike; the median of each is reported.
 * Garbage collection is left to V8 (forcing a full GC before each run shrinks the heap and
 * distorts both sides); the spread it causes is absorbed by many runs and the median.
 */

export interface Comparison {
  baselineMs: number;
  candidateMs: number;
  runs: number;
}

export function compare(baseline: () => unknown, candidate: () => unknown, { warmup = 5, runs = 41 } = {}): Comparison {
  for (let i = 0; i < warmup; i++) {
    baseline();
    candidate();
  }
  const baselineTimes: number[] = [];
  const candidateTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    baselineTimes.push(time(baseline));
    candidateTimes.push(time(candidate));
  }
  return { baselineMs: median(baselineTimes), candidateMs: median(candidateTimes), runs };
}

function time(fn: () => unknown): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}×`;
}

/** `compare` for asynchronous work: each run (the baseline's too, when it is asynchronous) is awaited before the clock stops. */
export async function compareAsync(
  baseline: () => unknown,
  candidate: () => Promise<unknown>,
  { warmup = 3, runs = 21 } = {},
): Promise<Comparison> {
  for (let i = 0; i < warmup; i++) {
    await baseline();
    await candidate();
  }
  const baselineTimes: number[] = [];
  const candidateTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const baselineStart = performance.now();
    await baseline();
    baselineTimes.push(performance.now() - baselineStart);
    const start = performance.now();
    await candidate();
    candidateTimes.push(performance.now() - start);
  }
  return { baselineMs: median(baselineTimes), candidateMs: median(candidateTimes), runs };
}
