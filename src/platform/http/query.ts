import { localToday } from '../i18n/index.ts';

/**
 * Numbers read from a query string (`?trang=2`, `?nam=2026`): a whole number within [min, max], or
 * `fallback` for anything else — absent, text, a fraction, out of range. A link anyone may edit never
 * reaches the database as a page number of 1e20 or 1.5.
 */
export function wholeNumberIn(value: unknown, min: number, max: number, fallback: number): number {
  const n = typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : fallback;
}

/** A list's page number (`?trang=`), 1 by default. */
export const pageNumberOf = (value: unknown, max = 1000): number => wholeNumberIn(value, 1, max, 1);

/** The years the registers and calendars cover. */
export const YEARS = { min: 2000, max: 2100 } as const;

/** A year asked for (`?nam=`) within {@link YEARS}, else the current one (Vietnam's). */
export const yearOf = (value: unknown): number => wholeNumberIn(value, YEARS.min, YEARS.max, Number(localToday().slice(0, 4)));
