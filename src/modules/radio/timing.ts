/**
 * When schedules air, as plain data and pure functions (no clock, no database): a schedule airs on
 * the days of its date range that fall on its weekdays, from its start for as long as its programme
 * lasts. Items are played whole, so the programme's length is the slot's length — and two slots that
 * do not overlap can never cut an item at a boundary. Times are Vietnam's (UTC+07:00, no summer time).
 */
export interface Airing {
  /** YYYY-MM-DD. */
  from: string;
  /** YYYY-MM-DD, or null: no end. */
  to: string | null;
  /** ISO weekdays, 1 = Monday … 7 = Sunday. */
  weekdays: readonly number[];
  /** Seconds after local midnight. */
  startS: number;
  durationMs: number;
}

export const DAY_S = 86_400;
const FAR = '9999-12-31';

const dayNumber = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
/** ISO weekday of a local date. */
export const isoWeekday = (date: string) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
const dateOf = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

/** The slot's end, in seconds after midnight (the last item ends then). */
export const endS = (a: Airing) => a.startS + Math.ceil(a.durationMs / 1000);

/** The first date both air on, or undefined when they never share a day (range and weekdays). */
export function firstCommonDay(a: Airing, b: Airing): string | undefined {
  const from = Math.max(dayNumber(a.from), dayNumber(b.from));
  const to = Math.min(dayNumber(a.to ?? FAR), dayNumber(b.to ?? FAR));
  // A week holds every weekday: looking further finds nothing new.
  for (let d = from; d <= Math.min(to, from + 6); d++) {
    const wd = isoWeekday(dateOf(d));
    if (a.weekdays.includes(wd) && b.weekdays.includes(wd)) return dateOf(d);
  }
  return undefined;
}

/** Do they air at the same time on some day? Returns that first day, or undefined. */
export function overlap(a: Airing, b: Airing): string | undefined {
  if (!(a.startS < endS(b) && b.startS < endS(a))) return undefined;
  return firstCommonDay(a, b);
}

/** "06:00" → 21600; undefined when not a time of day. */
export function parseClock(value: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value.trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 : undefined;
}

export const formatClock = (s: number) => `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}`;
/** An end time: "06:25", or "06:00:24" when it falls within a minute. */
export const formatEnd = (s: number) => (s % 60 ? `${formatClock(s)}:${String(s % 60).padStart(2, '0')}` : formatClock(s));

/** Seconds since this airing's start if it is on the air at that local date and time, else undefined. */
export function airingFor(a: Airing, date: string, seconds: number): number | undefined {
  if (date < a.from || (a.to && date > a.to) || !a.weekdays.includes(isoWeekday(date))) return undefined;
  return seconds >= a.startS && seconds < endS(a) ? seconds - a.startS : undefined;
}

/** Vietnam's local date and seconds after midnight at an instant. */
export function localClock(now: Date): { date: string; seconds: number } {
  const t = new Date(now.getTime() + 7 * 3600_000);
  return { date: t.toISOString().slice(0, 10), seconds: t.getUTCHours() * 3600 + t.getUTCMinutes() * 60 + t.getUTCSeconds() };
}
