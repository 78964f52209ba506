/**
 * Time in the centre's time zone, and the holiday calendar (法定节假日 + 调休 make-up workdays,
 * as published each year by the State Council General Office, 国务院办公厅关于节假日安排的通知).
 */
import type { Calendar } from './flow-schema.js';

/** Wall-clock parts of an instant in a time zone. */
export interface LocalTime {
  /** `YYYY-MM-DD`. */
  readonly date: string;
  /** Minutes since local midnight, 0–1439. */
  readonly minuteOfDay: number;
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  readonly weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };

/** @throws RangeError for an unknown IANA time zone. */
export function localTime(at: Date, timeZone: string): LocalTime {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', weekday: 'short',
    });
    formatters.set(timeZone, fmt);
  }
  const parts = Object.fromEntries(fmt.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    date: `${parts['year']}-${parts['month']}-${parts['day']}`,
    minuteOfDay: Number(parts['hour']) * 60 + Number(parts['minute']),
    weekday: WEEKDAYS[parts['weekday'] ?? ''] ?? 0,
  };
}

/** `HH:MM` → minutes since midnight (`24:00` → 1440). */
export function parseTimeOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** True if `from ≤ t < to`; a range with `from > to` wraps midnight (e.g. 20:00–08:00). */
export function inTimeRange(minuteOfDay: number, from: string, to: string): boolean {
  const a = parseTimeOfDay(from);
  const b = parseTimeOfDay(to);
  return a <= b ? minuteOfDay >= a && minuteOfDay < b : minuteOfDay >= a || minuteOfDay < b;
}

/** True for a real calendar date `YYYY-MM-DD` (rejects 2026-02-30). */
export function isValidDate(date: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * Is the day a holiday (non-working day)? Listed holidays are; listed make-up workdays (调休) are
 * not, even on a weekend; otherwise Saturday and Sunday are.
 */
export function isHoliday(local: LocalTime, calendar: Calendar): boolean {
  if (calendar.workdays?.includes(local.date)) return false;
  if (calendar.holidays.includes(local.date)) return true;
  return local.weekday >= 6;
}
