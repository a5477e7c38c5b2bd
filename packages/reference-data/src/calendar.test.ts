import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  createCalendar,
  defaultCalendar,
  isoWeekLabel,
  isoWeekStart,
  isWorkingDay,
  vnDay,
  vnDayStartMs,
  type WorkingCalendar,
  weekStartOfLabel,
  workingMillisBetween,
} from './calendar.ts';
import { HOLIDAY_TABLE_YEARS, vietnamPublicHolidays } from './holidays.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad test instant ${iso}`);
  return ms;
};

describe('Vietnam days and ISO weeks', () => {
  it('puts an instant on its Vietnam-time day', () => {
    expect(vnDay(at('2026-11-22T16:59:59.999Z'))).toBe('2026-11-22');
    expect(vnDay(at('2026-11-22T17:00:00Z'))).toBe('2026-11-23');
    expect(vnDay(at('2026-11-23T00:00:00+07:00'))).toBe('2026-11-23');
    expect(vnDay(at('2026-11-23T23:59:59+07:00'))).toBe('2026-11-23');
    expect(vnDay(at('1969-12-31T17:00:00Z'))).toBe('1970-01-01');
    expect(vnDay(at('1969-12-31T16:59:59Z'))).toBe('1969-12-31');
    expect(() => vnDay(Number.NaN)).toThrow(RangeError);
  });

  it('gives the instant a Vietnam day starts', () => {
    expect(vnDayStartMs('2026-11-23')).toBe(at('2026-11-23T00:00:00+07:00'));
    expect(vnDay(vnDayStartMs('2026-11-23'))).toBe('2026-11-23');
    expect(vnDay(vnDayStartMs('2026-11-23') - 1)).toBe('2026-11-22');
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2026-11-16', 6)).toBe('2026-11-22');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(() => addDays('2026-03-01', 0.5)).toThrow(RangeError);
  });

  it('finds the Monday of the ISO week', () => {
    expect(isoWeekStart('2026-11-16')).toBe('2026-11-16');
    expect(isoWeekStart('2026-11-22')).toBe('2026-11-16');
    expect(isoWeekStart('2026-11-23')).toBe('2026-11-23');
    expect(isoWeekStart('2027-01-01')).toBe('2026-12-28');
  });

  it('labels ISO weeks, including the weeks that straddle a new year', () => {
    expect(isoWeekLabel('2026-11-16')).toBe('2026-W47');
    expect(isoWeekLabel('2026-11-22')).toBe('2026-W47');
    expect(isoWeekLabel('2026-01-01')).toBe('2026-W01');
    expect(isoWeekLabel('2027-01-01')).toBe('2026-W53');
    expect(isoWeekLabel('2027-01-04')).toBe('2027-W01');
    expect(isoWeekLabel('2024-12-30')).toBe('2025-W01');
    expect(isoWeekLabel('2021-01-03')).toBe('2020-W53');
  });

  it('turns a week label back into its Monday', () => {
    expect(weekStartOfLabel('2026-W47')).toBe('2026-11-16');
    expect(weekStartOfLabel('2026-W01')).toBe('2025-12-29');
    expect(weekStartOfLabel('2026-W53')).toBe('2026-12-28');
    expect(weekStartOfLabel('2020-W53')).toBe('2020-12-28');
    expect(weekStartOfLabel('2025-W01')).toBe('2024-12-30');
    expect(() => weekStartOfLabel('2025-W53')).toThrow(RangeError);
    expect(() => weekStartOfLabel('2026-W00')).toThrow(RangeError);
    expect(() => weekStartOfLabel('2026-47')).toThrow(RangeError);
    expect(() => weekStartOfLabel('2026-W7')).toThrow(RangeError);
  });

  it('rejects days that are not calendar dates', () => {
    for (const bad of [
      '2026-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-11-31',
      '2026-1-01',
      '26-11-16',
      '2026-11-16T00:00',
    ]) {
      expect(() => isoWeekStart(bad), bad).toThrow(RangeError);
      expect(() => isWorkingDay(bad), bad).toThrow(RangeError);
    }
    expect(isoWeekStart('2024-02-29')).toBe('2024-02-26');
  });

  it('agrees with Date on days and with the week round trip', () => {
    const dayMs = fc.integer({ min: -2_208_988_800_000, max: 7_258_118_400_000 }); // 1900–2200
    fc.assert(
      fc.property(dayMs, (ms) => {
        const day = vnDay(ms);
        expect(day).toBe(new Date(ms + 7 * HOUR).toISOString().slice(0, 10));
        const monday = isoWeekStart(day);
        expect(new Date(`${monday}T00:00:00Z`).getUTCDay()).toBe(1);
        expect(weekStartOfLabel(isoWeekLabel(day))).toBe(monday);
        expect(isoWeekLabel(monday)).toBe(isoWeekLabel(day));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('public holidays', () => {
  const table = vietnamPublicHolidays();

  it('has the 11 statutory days of Labour Code art. 112 in every covered year', () => {
    expect(HOLIDAY_TABLE_YEARS).toEqual([2024, 2025, 2026, 2027, 2028]);
    for (const year of HOLIDAY_TABLE_YEARS) {
      const statutory = table.filter((h) => h.kind === 'statutory' && h.day.startsWith(`${year}-`));
      expect(statutory, String(year)).toHaveLength(11);
      const days = statutory.map((h) => h.day);
      for (const fixed of ['01-01', '04-30', '05-01', '09-02']) expect(days).toContain(`${year}-${fixed}`);
      expect(days.filter((d) => d === `${year}-09-01` || d === `${year}-09-03`)).toHaveLength(1);
    }
  });

  it('gives Tết as the last day of the lunar year plus four', () => {
    const tet = (year: number) =>
      table.filter(
        (h) => h.kind === 'statutory' && h.day.startsWith(`${year}-`) && h.name.startsWith('Tết Nguyên đán'),
      );
    expect(tet(2024).map((h) => h.day)).toEqual(['2024-02-09', '2024-02-10', '2024-02-11', '2024-02-12', '2024-02-13']);
    expect(tet(2025).map((h) => h.day)).toEqual(['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01']);
    expect(tet(2026).map((h) => h.day)).toEqual(['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']);
    expect(tet(2027).map((h) => h.day)).toEqual(['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09']);
    expect(tet(2028).map((h) => h.day)).toEqual(['2028-01-25', '2028-01-26', '2028-01-27', '2028-01-28', '2028-01-29']);
  });

  it('has Hùng Kings day on 10/3 lunar', () => {
    const hung = table.filter((h) => h.kind === 'statutory' && h.name.startsWith('Giỗ Tổ')).map((h) => h.day);
    expect(hung).toEqual(['2024-04-18', '2025-04-07', '2026-04-26', '2027-04-16', '2028-04-04']);
  });

  it('adds a substitute weekday for each holiday on a weekend', () => {
    const substitutes = table.filter((h) => h.kind === 'substitute').map((h) => h.day);
    // Tết 2024 has Saturday 10 and Sunday 11 February, followed by Tết days until Tuesday 13.
    expect(substitutes).toContain('2024-02-14');
    expect(substitutes).toContain('2024-02-15');
    expect(substitutes).toContain('2026-04-27'); // Hùng Kings day 2026 is a Sunday
    expect(substitutes).toContain('2028-01-03'); // 1 January 2028 is a Saturday
    for (const day of substitutes) {
      const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
      expect(weekday === 0 || weekday === 6, day).toBe(false);
    }
    const weekendStatutory = table.filter((h) => {
      const weekday = new Date(`${h.day}T00:00:00Z`).getUTCDay();
      return h.kind === 'statutory' && (weekday === 0 || weekday === 6);
    });
    expect(substitutes).toHaveLength(weekendStatutory.length);
    expect(new Set(table.map((h) => h.day)).size).toBe(table.length);
  });
});

describe('working days', () => {
  it('excludes weekends and holidays', () => {
    expect(isWorkingDay('2026-11-16')).toBe(true);
    expect(isWorkingDay('2026-11-20')).toBe(true);
    expect(isWorkingDay('2026-11-21')).toBe(false);
    expect(isWorkingDay('2026-11-22')).toBe(false);
    expect(isWorkingDay('2026-09-02')).toBe(false);
    expect(isWorkingDay('2026-02-17')).toBe(false);
    expect(isWorkingDay('2026-04-27')).toBe(false);
    expect(isWorkingDay('2025-09-01')).toBe(false);
    // Outside the table only weekends are off.
    expect(isWorkingDay('2029-01-01')).toBe(true);
  });

  it('takes a configured holiday table instead of the built-in one', () => {
    const none = createCalendar({ holidays: [] });
    expect(none.holidays).toEqual([]);
    expect(isWorkingDay('2026-09-02', none)).toBe(true);
    const extra = createCalendar({
      holidays: [...vietnamPublicHolidays().map((h) => h.day), '2026-11-24', '2026-11-24'],
    });
    expect(extra.isWorkingDay('2026-11-24')).toBe(false);
    expect(extra.isHoliday('2026-11-24')).toBe(true);
    expect(extra.holidays.filter((d) => d === '2026-11-24')).toHaveLength(1);
    expect(extra.isWorkingDay('2026-11-23')).toBe(true);
    expect(() => createCalendar({ holidays: ['2026-02-30'] })).toThrow(RangeError);
  });

  it('lists the default calendar holidays sorted', () => {
    const holidays = defaultCalendar().holidays;
    expect([...holidays].sort()).toEqual(holidays);
    expect(holidays).toContain('2026-02-17');
  });
});

describe('workingMillisBetween', () => {
  const between = (from: string, to: string, calendar?: WorkingCalendar) =>
    workingMillisBetween(at(from), at(to), calendar);

  it('counts office hours within one day', () => {
    expect(between('2026-11-16T08:00:00+07:00', '2026-11-16T09:00:00+07:00')).toBe(HOUR);
    expect(between('2026-11-16T11:00:00+07:00', '2026-11-16T14:00:00+07:00')).toBe(HOUR);
    expect(between('2026-11-16T06:00:00+07:00', '2026-11-16T07:00:00+07:00')).toBe(0);
    expect(between('2026-11-16T11:30:00+07:00', '2026-11-16T13:30:00+07:00')).toBe(0);
    expect(between('2026-11-16T17:00:00+07:00', '2026-11-16T23:59:59+07:00')).toBe(0);
    expect(between('2026-11-16T00:00:00+07:00', '2026-11-17T00:00:00+07:00')).toBe(8 * HOUR);
    expect(between('2026-11-16T16:59:59.999+07:00', '2026-11-16T17:00:00+07:00')).toBe(1);
  });

  it('counts across midnight and weekends', () => {
    expect(between('2026-11-16T16:00:00+07:00', '2026-11-17T08:00:00+07:00')).toBe(2 * HOUR);
    expect(between('2026-11-20T16:00:00+07:00', '2026-11-23T08:00:00+07:00')).toBe(2 * HOUR);
    expect(between('2026-11-21T08:00:00+07:00', '2026-11-22T16:00:00+07:00')).toBe(0);
    expect(between('2026-11-16T00:00:00+07:00', '2026-11-23T00:00:00+07:00')).toBe(40 * HOUR);
  });

  it('uses Vietnam time whatever offset the instants were written in', () => {
    expect(between('2026-11-16T01:00:00Z', '2026-11-16T02:00:00Z')).toBe(HOUR);
    // Crosses midnight UTC but stays on Tuesday 17 November in Vietnam.
    expect(between('2026-11-16T23:30:00Z', '2026-11-17T01:00:00Z')).toBe(HOUR);
    // Crosses midnight in Vietnam but not in UTC.
    expect(between('2026-11-16T09:00:00Z', '2026-11-16T23:30:00Z')).toBe(HOUR);
  });

  it('skips public holidays and Tết', () => {
    // Thursday 30 April and Friday 1 May 2026 are holidays.
    expect(between('2026-04-29T16:00:00+07:00', '2026-05-04T08:00:00+07:00')).toBe(2 * HOUR);
    // Tết 2026 takes the whole week of 16 February.
    expect(between('2026-02-13T17:00:00+07:00', '2026-02-23T07:00:00+07:00')).toBe(0);
    expect(between('2026-02-13T17:00:00+07:00', '2026-02-23T07:00:00+07:00', createCalendar({ holidays: [] }))).toBe(
      40 * HOUR,
    );
  });

  it('measures a dossier of the example stream', () => {
    // Received Monday 08:15:02, resolved Tuesday 09:00: 3h14m58s + 3h30m on Monday, 2h on Tuesday.
    expect(between('2026-11-23T08:15:02+07:00', '2026-11-24T09:00:00+07:00')).toBe(
      3 * HOUR + 14 * MINUTE + 58_000 + 3.5 * HOUR + 2 * HOUR,
    );
  });

  it('returns 0 when start is not before end, and rejects non-finite instants', () => {
    expect(between('2026-11-17T09:00:00+07:00', '2026-11-16T09:00:00+07:00')).toBe(0);
    expect(between('2026-11-16T09:00:00+07:00', '2026-11-16T09:00:00+07:00')).toBe(0);
    expect(() => workingMillisBetween(Number.NaN, 0)).toThrow(RangeError);
    expect(() => workingMillisBetween(0, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('handles spans of centuries without walking minutes', () => {
    const started = performance.now();
    const total = between('1900-01-01T00:00:00+07:00', '2200-01-01T00:00:00+07:00');
    expect(performance.now() - started).toBeLessThan(200);
    const noHolidays = createCalendar({ holidays: [] });
    let weekdays = 0;
    for (let year = 1900; year < 2200; year++) {
      weekdays += noHolidays.workingMillisBetween(vnDayStartMs(`${year}-01-01`), vnDayStartMs(`${year + 1}-01-01`));
    }
    const holidaysOnWeekdays = defaultCalendar().holidays.filter((d) => {
      const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
      return weekday !== 0 && weekday !== 6;
    }).length;
    expect(total).toBe(weekdays - holidaysOnWeekdays * 8 * HOUR);
  });

  // 2023-12 to 2029-02: around and beyond the holiday table.
  const instant = fc.integer({ min: at('2023-12-01T00:00:00Z'), max: at('2029-02-01T00:00:00Z') });

  it('is additive: (a,b) + (b,c) = (a,c)', () => {
    fc.assert(
      fc.property(instant, instant, instant, (x, y, z) => {
        const [a, b, c] = [x, y, z].sort((p, q) => p - q) as [number, number, number];
        expect(workingMillisBetween(a, b) + workingMillisBetween(b, c)).toBe(workingMillisBetween(a, c));
      }),
      { numRuns: 3000 },
    );
  });

  it('stays within 0 and the elapsed time, and is 0 backwards', () => {
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        const w = workingMillisBetween(a, b);
        expect(w).toBeGreaterThanOrEqual(0);
        expect(w).toBeLessThanOrEqual(Math.max(0, b - a));
        if (b <= a) expect(w).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('matches a minute-by-minute count, with the built-in or a random holiday table', () => {
    const start = at('2023-12-20T00:00:00Z') / MINUTE;
    const end = at('2029-01-10T00:00:00Z') / MINUTE;
    const randomHolidays = fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 8 });
    fc.assert(
      fc.property(
        fc.integer({ min: start, max: end }),
        fc.integer({ min: -60, max: 20 * 24 * 60 }),
        fc.option(randomHolidays, { nil: undefined }),
        (startMinute, lengthMinutes, holidayOffsets) => {
          const a = startMinute * MINUTE;
          const b = a + lengthMinutes * MINUTE;
          const firstDay = vnDay(a);
          const holidays = holidayOffsets?.map((offset) => addDays(firstDay, offset - 5));
          const calendar = holidays === undefined ? defaultCalendar() : createCalendar({ holidays });
          expect(workingMillisBetween(a, b, calendar)).toBe(minuteByMinute(a, b, new Set(calendar.holidays)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

// Independent reference: walks every minute with Date, so it shares no arithmetic with the implementation.
function minuteByMinute(a: number, b: number, holidays: ReadonlySet<string>): number {
  let total = 0;
  for (let t = a; t < b; t += MINUTE) {
    const local = new Date(t + 7 * HOUR);
    const weekday = local.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    if (holidays.has(local.toISOString().slice(0, 10))) continue;
    const minuteOfDay = local.getUTCHours() * 60 + local.getUTCMinutes();
    const morning = minuteOfDay >= 7 * 60 && minuteOfDay < 11 * 60 + 30;
    const afternoon = minuteOfDay >= 13 * 60 + 30 && minuteOfDay < 17 * 60;
    if (morning || afternoon) total += MINUTE;
  }
  return total;
}
