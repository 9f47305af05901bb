/**
 * pixi's `exclude-newer` values turned into an instant, tried in pixi's order
 * (`parse_exclude_newer_str`): a humantime duration before `now`, a `YYYY-MM-DD` date (the whole
 * day is included, so the cutoff is the start of the following UTC day), or an RFC 3339 time.
 */
import { parseDuration } from '../util/duration.ts';

export type CutoffForm = 'duration' | 'date' | 'timestamp';

export interface ParsedCutoff {
  /** The instant, ms since the epoch: records built / uploaded after it are too new. */
  at: number;
  form: CutoffForm;
  /** For durations: the window length, so a finding can say when a record leaves it. */
  durationMs?: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?$/;

/** The cutoff a value denotes at `now`, or undefined when the text is none of pixi's forms. */
export function parseCutoff(value: string, now: Date): ParsedCutoff | undefined {
  const text = value.trim();
  const durationMs = parseDuration(text);
  if (durationMs !== undefined) return { at: now.getTime() - durationMs, form: 'duration', durationMs };
  const date = DATE.exec(text);
  if (date) {
    const [year, month, day] = date.slice(1).map(Number) as [number, number, number];
    if (!isCalendarDate(year, month, day)) return undefined;
    return { at: Date.UTC(year, month - 1, day + 1), form: 'date' };
  }
  const stamp = DATE_TIME.exec(text);
  if (stamp) {
    const [year, month, day, hour, minute, second] = stamp.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
    const millis = Number(`0.${stamp[7] ?? '0'}`) * 1000;
    // A TOML local datetime (no offset) reaches us as ISO text without one; pixi reads it as UTC.
    const offset = offsetMs(stamp[8]);
    return {
      at: Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(millis) - offset,
      form: 'timestamp',
    };
  }
  return undefined;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function offsetMs(offset: string | undefined): number {
  if (!offset || offset === 'Z' || offset === 'z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const [hours, minutes] = offset.slice(1).split(':').map(Number) as [number, number];
  return sign * (hours * 60 + minutes) * 60_000;
}
