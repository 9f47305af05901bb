/**
 * Durations as people and pixi write them: `48h`, `7d`, `1h30m`, `2w`, `90s` (humantime units:
 * s, m = minutes, h, d, w, M = months of 30.44 d, y = 365.25 d). Used for `max-db-age` and cooldowns.
 */
/** A Map, not an object: a unit is outside text, and `1constructor` must not find Object.prototype. */
const UNIT_MS = new Map<string, number>(
  Object.entries({
    nsec: 1e-6,
    ns: 1e-6,
    usec: 1e-3,
    us: 1e-3,
    µs: 1e-3,
    msec: 1,
    ms: 1,
    seconds: 1_000,
    second: 1_000,
    sec: 1_000,
    s: 1_000,
    minutes: 60_000,
    minute: 60_000,
    min: 60_000,
    m: 60_000,
    hours: 3_600_000,
    hour: 3_600_000,
    hr: 3_600_000,
    h: 3_600_000,
    days: 86_400_000,
    day: 86_400_000,
    d: 86_400_000,
    weeks: 604_800_000,
    week: 604_800_000,
    w: 604_800_000,
    months: 2_630_016_000,
    month: 2_630_016_000,
    M: 2_630_016_000,
    years: 31_557_600_000,
    year: 31_557_600_000,
    y: 31_557_600_000,
  }),
);

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?\s*[a-zA-Zµ]+\s*)+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)\s*([a-zA-Zµ]+)/g)) {
    if (unit === undefined) return undefined;
    // Single letters are case-sensitive (`m` minutes, `M` months); words are not (`Days`).
    const factor = UNIT_MS.get(unit) ?? (unit.length > 1 ? UNIT_MS.get(unit.toLowerCase()) : undefined);
    if (factor === undefined) return undefined;
    total += Number(amount) * factor;
  }
  return Number.isFinite(total) ? total : undefined;
}

export function formatAge(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours < 1) return `${Math.max(0, Math.round(ms / 60_000))} min`;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} d`;
}
