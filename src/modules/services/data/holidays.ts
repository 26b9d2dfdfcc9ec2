/**
 * Public holidays of Vietnam (Labour Code 2019, art. 112) as data. Lunar dates are converted with the
 * Vietnamese calendar (UTC+7), which differs from the Chinese one in some years. The government's yearly
 * announcement (how Tết and National Day fall, extra days off and make-up Saturdays) is entered in the
 * calendar table and overrides these defaults.
 */
export interface HolidayRule {
  name: string;
  /** Solar month/day, or lunar month/day (`lunar: true`); a negative day counts from the lunar year's end. */
  month: number;
  day: number;
  lunar?: boolean;
}

export const HOLIDAY_RULES: readonly HolidayRule[] = [
  { name: 'Tết Dương lịch', month: 1, day: 1 },
  // Tết Nguyên đán: 5 days; by default the last day of the old lunar year and the first four of the new.
  { name: 'Tết Nguyên đán (cuối năm âm lịch)', month: 1, day: -1, lunar: true },
  { name: 'Tết Nguyên đán (mùng 1)', month: 1, day: 1, lunar: true },
  { name: 'Tết Nguyên đán (mùng 2)', month: 1, day: 2, lunar: true },
  { name: 'Tết Nguyên đán (mùng 3)', month: 1, day: 3, lunar: true },
  { name: 'Tết Nguyên đán (mùng 4)', month: 1, day: 4, lunar: true },
  { name: 'Giỗ Tổ Hùng Vương', month: 3, day: 10, lunar: true },
  { name: 'Ngày Chiến thắng', month: 4, day: 30 },
  { name: 'Ngày Quốc tế Lao động', month: 5, day: 1 },
  // National Day: 2 September and one adjacent day, chosen yearly (1 September by default).
  { name: 'Quốc khánh', month: 9, day: 1 },
  { name: 'Quốc khánh', month: 9, day: 2 },
];

/** A holiday falling on a weekly rest day is made up on the next working day (art. 112(3)). */
export const COMPENSATE_WEEKEND_HOLIDAYS = true;

/** Weekly rest days of state offices (0 = Sunday … 6 = Saturday). */
export const REST_WEEKDAYS: readonly number[] = [0, 6];

/** Office hours in local time (Asia/Ho_Chi_Minh), as minutes after midnight. */
export const OFFICE_HOURS = {
  morning: { start: 7 * 60, end: 11 * 60 + 30 },
  afternoon: { start: 13 * 60 + 30, end: 17 * 60 },
};

/** Civil-status and certification dossiers received after this local time count from the next working day. */
export const SAME_DAY_CUTOFF_MINUTES = 15 * 60;
