import * as vnLunar from '@dqcai/vn-lunar';

// The package's declaration files use extension-less relative imports that the linter's resolver
// cannot follow; its one function we use is typed here.
const { getSolarDate } = vnLunar as unknown as {
  getSolarDate: (day: number, month: number, lunarYear: number, leap?: boolean) => { day: number; month: number; year: number };
};
import { COMPENSATE_WEEKEND_HOLIDAYS, HOLIDAY_RULES, OFFICE_HOURS, REST_WEEKDAYS, SAME_DAY_CUTOFF_MINUTES } from './data/holidays.ts';

/** A local calendar date, `YYYY-MM-DD`. */
export type LocalDate = string;

/** An entry of the editable calendar table: an extra day off, or a make-up working day. */
export interface CalendarOverride {
  date: LocalDate;
  kind: 'off' | 'work';
  name: string;
}

export interface CalendarDay {
  date: LocalDate;
  name: string;
  kind: 'holiday' | 'compensation' | 'off' | 'work';
}

const VN_OFFSET_MS = 7 * 3600_000;
const pad = (n: number) => String(n).padStart(2, '0');
const iso = (y: number, m: number, d: number) => `${y}-${pad(m)}-${pad(d)}`;
const toUtcDate = (date: LocalDate) => new Date(`${date}T00:00:00Z`);
const fromUtcDate = (d: Date) => d.toISOString().slice(0, 10);
export const addDays = (date: LocalDate, n: number) => {
  const d = toUtcDate(date);
  d.setUTCDate(d.getUTCDate() + n);
  return fromUtcDate(d);
};
const weekday = (date: LocalDate) => toUtcDate(date).getUTCDay();

/** The local (Asia/Ho_Chi_Minh, UTC+7 all year) date and minute of the day of an instant. */
export function localTime(at: Date): { date: LocalDate; minutes: number } {
  const shifted = new Date(at.getTime() + VN_OFFSET_MS);
  return { date: fromUtcDate(shifted), minutes: shifted.getUTCHours() * 60 + shifted.getUTCMinutes() };
}

const holidayCache = new Map<number, readonly CalendarDay[]>();

/** Public holidays of a solar year from the rules, with compensation days for those on a rest day (memoised: the rules are constants). */
export function holidaysOf(year: number): CalendarDay[] {
  let days = holidayCache.get(year);
  if (!days) {
    days = computeHolidays(year);
    holidayCache.set(year, days);
  }
  return days.map((d) => ({ ...d }));
}

function computeHolidays(year: number): CalendarDay[] {
  const days: CalendarDay[] = [];
  for (const rule of HOLIDAY_RULES) {
    if (!rule.lunar) {
      days.push({ date: iso(year, rule.month, rule.day), name: rule.name, kind: 'holiday' });
      continue;
    }
    // A lunar date may fall in this solar year from the lunar year before (late December) or this one.
    for (const lunarYear of [year - 1, year]) {
      const date =
        rule.day < 0
          ? addDays(solarOf(1, rule.month, lunarYear + 1), rule.day) // days before the next lunar new year
          : solarOf(rule.day, rule.month, lunarYear);
      if (date.startsWith(`${year}-`)) days.push({ date, name: rule.name, kind: 'holiday' });
    }
  }
  days.sort((a, b) => a.date.localeCompare(b.date));
  if (COMPENSATE_WEEKEND_HOLIDAYS) {
    const taken = new Set(days.map((d) => d.date));
    for (const h of [...days]) {
      if (!REST_WEEKDAYS.includes(weekday(h.date))) continue;
      let d = addDays(h.date, 1);
      while (REST_WEEKDAYS.includes(weekday(d)) || taken.has(d)) d = addDays(d, 1);
      taken.add(d);
      days.push({ date: d, name: `Nghỉ bù ${h.name}`, kind: 'compensation' });
    }
    days.sort((a, b) => a.date.localeCompare(b.date));
  }
  return days;
}

function solarOf(day: number, month: number, lunarYear: number): LocalDate {
  const s = getSolarDate(day, month, lunarYear);
  return iso(s.year, s.month, s.day);
}

/**
 * Working days of state offices: weekdays that are not holidays, adjusted by the editable table
 * (extra days off, make-up working days). Deadlines are counted on it.
 */
export class WorkCalendar {
  private readonly years = new Map<number, Map<LocalDate, CalendarDay>>();
  private readonly overrides: Map<LocalDate, CalendarOverride>;

  constructor(overrides: readonly CalendarOverride[] = []) {
    this.overrides = new Map(overrides.map((o) => [o.date, o]));
  }

  private holidayMap(year: number) {
    let map = this.years.get(year);
    if (!map) {
      map = new Map(holidaysOf(year).map((h) => [h.date, h]));
      this.years.set(year, map);
    }
    return map;
  }

  /** Every special day of a year: holidays, compensation days and the table's entries. */
  daysOf(year: number): CalendarDay[] {
    const days = new Map(this.holidayMap(year));
    for (const o of this.overrides.values()) if (o.date.startsWith(`${year}-`)) days.set(o.date, { date: o.date, name: o.name, kind: o.kind });
    return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
  }

  isWorkingDay(date: LocalDate): boolean {
    const o = this.overrides.get(date);
    if (o) return o.kind === 'work';
    if (REST_WEEKDAYS.includes(weekday(date))) return false;
    return !this.holidayMap(Number(date.slice(0, 4))).has(date);
  }

  nextWorkingDay(date: LocalDate): LocalDate {
    let d = addDays(date, 1);
    while (!this.isWorkingDay(d)) d = addDays(d, 1);
    return d;
  }

  /** The working day `n` working days after `date` (n = 0 gives `date`). */
  addWorkingDays(date: LocalDate, n: number): LocalDate {
    let d = date;
    for (let i = 0; i < n; i++) d = this.nextWorkingDay(d);
    return d;
  }

  /** Working days d with from < d <= to. */
  workingDaysBetween(from: LocalDate, to: LocalDate): number {
    let n = 0;
    for (let d = addDays(from, 1); d <= to; d = addDays(d, 1)) if (this.isWorkingDay(d)) n++;
    return n;
  }

  /**
   * The working day a dossier received at `at` starts counting from: the same day when received on a
   * working day within office hours (before 15:00 for procedures under that rule), else the next one.
   */
  countingDay(at: Date, cutoff1500: boolean): LocalDate {
    const { date, minutes } = localTime(at);
    const closes = cutoff1500 ? SAME_DAY_CUTOFF_MINUTES : OFFICE_HOURS.afternoon.end;
    if (this.isWorkingDay(date) && minutes < closes) return date;
    return this.nextWorkingDay(date);
  }

  /** The due date of a dossier received at `at` with a time limit of `days` working days (0 = same day). */
  dueDate(at: Date, days: number, cutoff1500: boolean): LocalDate {
    return this.addWorkingDays(this.countingDay(at, cutoff1500), days);
  }

  /** A due date moved by the working days a supplement request kept the clock paused. */
  extendForPause(due: LocalDate, pausedAt: Date, resumedAt: Date): LocalDate {
    return this.addWorkingDays(due, this.workingDaysBetween(localTime(pausedAt).date, localTime(resumedAt).date));
  }
}

/** Today's local date in Vietnam (the platform's, re-exported for the module's own callers). */
export { localToday } from '../../platform/i18n/index.ts';
