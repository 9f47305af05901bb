/** Timing helpers for benchmarks: warm up, then take the median of several runs. */

export interface Measurement {
  medianMs: number;
  minMs: number;
  runs: number;
}

export function measure(fn: () => unknown, { warmup = 3, runs = 11 } = {}): Measurement {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)] ?? 0, minMs: times[0] ?? 0, runs };
}

export function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}×`;
}
