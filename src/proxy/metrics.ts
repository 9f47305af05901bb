/**
 * Counters and latency histograms in Prometheus' text format. Written by hand: a dozen series, no
 * labels beyond route and status, and a client library (prom-client) would add a registry and
 * default process collectors the proxy does not need on its request path.
 */
const BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  private readonly counters = new Map<string, number>();
  private readonly histograms = new Map<string, { buckets: number[]; sum: number; count: number }>();
  private readonly gauges = new Map<string, () => number>();
  private readonly help = new Map<string, string>();

  count(name: string, labels: Record<string, string> = {}, by = 1): void {
    const key = series(name, labels);
    this.counters.set(key, (this.counters.get(key) ?? 0) + by);
  }

  observe(name: string, labels: Record<string, string>, seconds: number): void {
    const key = series(name, labels);
    let histogram = this.histograms.get(key);
    if (!histogram) {
      histogram = { buckets: BUCKETS_S.map(() => 0), sum: 0, count: 0 };
      this.histograms.set(key, histogram);
    }
    for (const [index, bound] of BUCKETS_S.entries()) {
      if (seconds <= bound) histogram.buckets[index] = (histogram.buckets[index] ?? 0) + 1;
    }
    histogram.sum += seconds;
    histogram.count++;
  }

  gauge(name: string, read: () => number, help?: string): void {
    this.gauges.set(name, read);
    if (help) this.help.set(name, help);
  }

  describe(name: string, help: string): void {
    this.help.set(name, help);
  }

  render(): string {
    const lines: string[] = [];
    const described = new Set<string>();
    const header = (name: string, type: string) => {
      if (described.has(name)) return;
      described.add(name);
      const help = this.help.get(name);
      if (help) lines.push(`# HELP ${name} ${help}`);
      lines.push(`# TYPE ${name} ${type}`);
    };
    for (const [key, value] of [...this.counters].sort()) {
      header(key.split('{')[0] ?? key, 'counter');
      lines.push(`${key} ${value}`);
    }
    for (const [key, histogram] of [...this.histograms].sort()) {
      const name = key.split('{')[0] ?? key;
      const labels = key.slice(name.length);
      header(name, 'histogram');
      const inner = labels ? `${labels.slice(1, -1)},` : '';
      for (const [index, bound] of BUCKETS_S.entries())
        lines.push(`${name}_bucket{${inner}le="${bound}"} ${histogram.buckets[index]}`);
      lines.push(`${name}_bucket{${inner}le="+Inf"} ${histogram.count}`);
      lines.push(`${name}_sum${labels} ${histogram.sum}`);
      lines.push(`${name}_count${labels} ${histogram.count}`);
    }
    for (const [name, read] of [...this.gauges].sort(([a], [b]) => (a < b ? -1 : 1))) {
      header(name, 'gauge');
      lines.push(`${name} ${read()}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function series(name: string, labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return name;
  return `${name}{${entries.map(([key, value]) => `${key}="${value.replace(/["\\\n]/g, '_')}"`).join(',')}}`;
}
