import { describe, expect, it } from 'vitest';
import { vi } from '../src/platform/i18n/vi.ts';
import { en } from '../src/platform/i18n/en.ts';
import { formatDate, formatDateTime, formatMoney, translator } from '../src/platform/i18n/index.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogues', () => {
  it('have the same keys, no empty text, and the same placeholders in both languages', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
    for (const [key, text] of Object.entries(vi)) {
      expect(text.trim(), key).not.toBe('');
      expect(en[key as keyof typeof vi].trim(), key).not.toBe('');
      expect(placeholders(en[key as keyof typeof vi]), key).toEqual(placeholders(text));
    }
  });

  it('fills placeholders', () => {
    expect(translator('vi')('admin.welcome', { name: 'Mai' })).toBe('Xin chào, Mai');
    expect(translator('en')('admin.welcome', { name: 'Mai' })).toBe('Hello, Mai');
  });

  it('formats dates, times and money the Vietnamese way, in Vietnam’s time zone', () => {
    expect(formatDate('2026-11-28')).toBe('28/11/2026');
    expect(formatDate('2026-11-27T18:30:00.000Z')).toBe('28/11/2026');
    expect(formatDateTime('2026-11-28T02:05:00.000Z')).toBe('09:05 28/11/2026');
    expect(formatMoney(1250000)).toBe('1.250.000 đ');
  });
});
