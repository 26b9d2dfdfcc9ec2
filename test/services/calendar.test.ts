import { describe, expect, it } from 'vitest';
import { WorkCalendar, holidaysOf, localTime } from '../../src/modules/services/calendar.ts';

// Instants given in local time (UTC+7).
const at = (local: string) => new Date(`${local}:00+07:00`);

describe('working-day calendar', () => {
  it('computes Tết from the Vietnamese lunar calendar (2027: 6 February) and Hùng Kings day', () => {
    const days = holidaysOf(2027).filter((d) => d.kind === 'holiday');
    const dates = days.map((d) => d.date);
    expect(dates).toContain('2027-02-06'); // mùng 1 Tết Đinh Mùi
    expect(dates).toContain('2027-02-05'); // last day of the old lunar year
    expect(dates).toContain('2027-02-09'); // mùng 4
    expect(holidaysOf(2026).find((d) => d.name === 'Giỗ Tổ Hùng Vương')?.date).toBe('2026-04-26');
    expect(holidaysOf(2026).filter((d) => d.name.startsWith('Tết Nguyên đán')).map((d) => d.date)).toEqual([
      '2026-02-16',
      '2026-02-17',
      '2026-02-18',
      '2026-02-19',
      '2026-02-20',
    ]);
  });

  it('makes up a holiday that falls on a rest day on the next working day', () => {
    // Hùng Kings day 2026 is a Sunday: Monday 27 April is off instead.
    const cal = new WorkCalendar();
    expect(holidaysOf(2026).find((d) => d.kind === 'compensation' && d.name.includes('Hùng Vương'))?.date).toBe('2026-04-27');
    expect(cal.isWorkingDay('2026-04-27')).toBe(false);
    expect(cal.isWorkingDay('2026-04-28')).toBe(true);
  });

  it('skips weekends and holidays when counting', () => {
    const cal = new WorkCalendar();
    // Friday 27 Nov 2026, 3 working days -> Wednesday 2 Dec.
    expect(cal.dueDate(at('2026-11-27T09:00'), 3, false)).toBe('2026-12-02');
    // Before Tết 2026 (holidays 16–20 Feb): received Fri 13 Feb, 3 days -> 25 Feb.
    expect(cal.dueDate(at('2026-02-13T09:00'), 3, false)).toBe('2026-02-25');
  });

  it('applies the 15:00 rule to civil-status and certification dossiers only', () => {
    const cal = new WorkCalendar();
    expect(cal.dueDate(at('2026-11-26T14:59'), 0, true)).toBe('2026-11-26');
    expect(cal.dueDate(at('2026-11-26T15:01'), 0, true)).toBe('2026-11-27');
    expect(cal.dueDate(at('2026-11-26T15:01'), 0, false)).toBe('2026-11-26');
    // After office hours or on a Saturday: from the next working day.
    expect(cal.dueDate(at('2026-11-26T17:30'), 0, false)).toBe('2026-11-27');
    expect(cal.dueDate(at('2026-11-28T10:00'), 1, false)).toBe('2026-12-01');
  });

  it('honours the editable table: an extra day off and a make-up Saturday', () => {
    const cal = new WorkCalendar([
      { date: '2026-11-30', kind: 'off', name: 'Nghỉ theo thông báo' },
      { date: '2026-11-28', kind: 'work', name: 'Làm bù' },
    ]);
    expect(cal.isWorkingDay('2026-11-30')).toBe(false);
    expect(cal.isWorkingDay('2026-11-28')).toBe(true);
    expect(cal.dueDate(at('2026-11-27T09:00'), 2, false)).toBe('2026-12-01');
    expect(cal.daysOf(2026).find((d) => d.date === '2026-11-28')?.kind).toBe('work');
  });

  it('extends a due date by the working days the clock was paused', () => {
    const cal = new WorkCalendar();
    // Paused Monday 23 Nov, resumed Thursday 26 Nov: 3 working days.
    expect(cal.extendForPause('2026-11-25', at('2026-11-23T10:00'), at('2026-11-26T08:00'))).toBe('2026-11-30');
  });

  it('reads local time in UTC+7', () => {
    expect(localTime(new Date('2026-11-27T17:30:00Z'))).toEqual({ date: '2026-11-28', minutes: 30 });
  });
});
