import { z } from 'zod';
import { vi, type MessageKey } from './vi.ts';
import { en } from './en.ts';

export type { MessageKey };
export type Lang = 'vi' | 'en';
export const DEFAULT_LANG: Lang = 'vi';

const catalogues: Record<Lang, Record<MessageKey, string>> = { vi, en };
const zodLocales = { vi: z.locales.vi(), en: z.locales.en() };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** Returns the translator for a language; `{name}` placeholders are filled from params. */
export function translator(lang: Lang): Translate {
  return translators[lang];
}

function makeTranslator(lang: Lang): Translate {
  const cat = catalogues[lang];
  return (key, params) => {
    const text = cat[key] ?? key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
  };
}

const translators: Record<Lang, Translate> = { vi: makeTranslator('vi'), en: makeTranslator('en') };

/** Is this a key of the message catalogue? (A flash cookie may name only such a key.) */
export const isMessageKey = (k: string): k is MessageKey => Object.hasOwn(vi, k);

export const isLang = (v: unknown): v is Lang => v === 'vi' || v === 'en';

/** Zod's own message catalogue for the language (zod ships Vietnamese). */
export const zodErrorMap = (lang: Lang) => zodLocales[lang].localeError;

const TZ = 'Asia/Ho_Chi_Minh';
const dateFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric' });
const timeFmt = new Intl.DateTimeFormat('vi-VN', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hour12: false });

/** Today's date (YYYY-MM-DD) in Vietnam (UTC+7 all year), for dates of business meaning. */
export const localToday = (now = new Date()): string => new Date(now.getTime() + 7 * 3600_000).toISOString().slice(0, 10);

/** `28/11/2026` in Vietnam's time zone. Dates of business meaning (YYYY-MM-DD) are shown as they are. */
export function formatDate(value: string | Date): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, d] = value.split('-');
    return `${d}/${m}/${y}`;
  }
  return dateFmt.format(new Date(value));
}

/** `09:05 28/11/2026` in Vietnam's time zone. */
export function formatDateTime(value: string | Date): string {
  const d = new Date(value);
  return `${timeFmt.format(d)} ${dateFmt.format(d)}`;
}

/** `1.250.000 đ`: money is held in integer đồng. */
export function formatMoney(dong: number): string {
  return `${new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 }).format(dong)} đ`;
}
