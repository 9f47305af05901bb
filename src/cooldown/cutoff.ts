/**
 * pixi's `exclude-newer` values turned into an instant, tried in pixi's order
 * (`parse_exclude_newer_str`): a humantime duration before `now`, a `YYYY-MM-DD` date (the whole
 * day is included, so the cutoff is the start of the following UTC day), or an RFC 3339 time.
 */
import { parseCalendarDate, parseInstant } from '../util/dates.ts';
import { parseDuration } from '../util/duration.ts';

export type CutoffForm = 'duration' | 'date' | 'timestamp';

export interface ParsedCutoff {
  /** The instant, ms since the epoch: records built / uploaded after it are too new. */
  at: number;
  form: CutoffForm;
  /** For durations: the window length, so a finding can say when a record leaves it. */
  durationMs?: number;
}

/** The cutoff a value denotes at `now`, or undefined when the text is none of pixi's forms. */
export function parseCutoff(value: string, now: Date): ParsedCutoff | undefined {
  const text = value.trim();
  const durationMs = parseDuration(text);
  if (durationMs !== undefined) return { at: now.getTime() - durationMs, form: 'duration', durationMs };
  const date = parseCalendarDate(text);
  if (date) return { at: Date.UTC(date.year, date.month - 1, date.day + 1), form: 'date' };
  // A TOML local datetime (no offset) reaches us as ISO text without one; pixi reads it as UTC.
  const at = parseInstant(text);
  return at === undefined ? undefined : { at, form: 'timestamp' };
}
