/**
 * Dates and times as cvebuild accepts them from people: ISO 8601 / RFC 3339 text naming a real
 * calendar day. JavaScript's `Date` rolls an impossible day over (`2026-02-31` becomes 3 March) and
 * reads many other shapes (`1` is the year 2001), so outside text is never handed to it unchecked.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?([Zz]|[+-]\d{2}:\d{2})?$/;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/** Whether year-month-day (month 1–12) is a day that exists: no 31 April, no 29 February 2026. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `YYYY-MM-DD` naming a real day, else undefined. */
export function parseCalendarDate(text: string): CalendarDate | undefined {
  const match = DATE.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day] = match.slice(1, 4).map(Number) as [number, number, number];
  return isCalendarDate(year, month, day) ? { year, month, day } : undefined;
}

/**
 * An instant, in ms since the epoch: `YYYY-MM-DD` (midnight UTC) or a date and time with optional
 * seconds, fraction and offset (`Z`, `+02:00`; none means UTC, as pixi reads TOML local times).
 */
export function parseInstant(text: string): number | undefined {
  const trimmed = text.trim();
  const day = parseCalendarDate(trimmed);
  if (day) return Date.UTC(day.year, day.month - 1, day.day);
  const match = DATE_TIME.exec(trimmed);
  if (!match) return undefined;
  const [year, month, date, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offset = offsetMs(match[8]);
  if (!isCalendarDate(year, month, date) || hour > 23 || minute > 59 || second > 59 || offset === undefined) {
    return undefined;
  }
  const millis = Math.floor(Number(`0.${match[7] ?? '0'}`) * 1000);
  return Date.UTC(year, month - 1, date, hour, minute, second) + millis - offset;
}

function offsetMs(offset: string | undefined): number | undefined {
  if (!offset || offset === 'Z' || offset === 'z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const [hours, minutes] = offset.slice(1).split(':').map(Number) as [number, number];
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}
