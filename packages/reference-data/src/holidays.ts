import { formatDay, isWeekendDayNumber, parseDay } from './days.ts';

export type HolidayKind = 'statutory' | 'substitute';

export type PublicHoliday = {
  readonly day: string;
  readonly name: string;
  readonly kind: HolidayKind;
};

// Labour Code 2019 (Bộ luật Lao động 45/2019/QH14), article 112: 11 paid public holidays a year.
// Two of them follow the lunar calendar, so their Gregorian dates are listed per year rather than computed.
type YearTable = {
  readonly lunarNewYear: string; // mùng 1 Tết
  readonly hungKings: string; // 10/3 âm lịch
  // Art. 112 gives 2 September plus "one day immediately before or after"; the government picks it each year.
  // 2024 (3 Sep) and 2025 (1 Sep) are the announced choices. 2026–2028 follow the pattern of those notices
  // (take the weekday that joins the holiday to a weekend; for a Wednesday, the day before) and must be
  // checked against the Ministry of Home Affairs notice of each year.
  readonly nationalDayAdjacent: string;
};

const YEARS: Readonly<Record<number, YearTable>> = {
  2024: { lunarNewYear: '2024-02-10', hungKings: '2024-04-18', nationalDayAdjacent: '2024-09-03' },
  2025: { lunarNewYear: '2025-01-29', hungKings: '2025-04-07', nationalDayAdjacent: '2025-09-01' },
  2026: { lunarNewYear: '2026-02-17', hungKings: '2026-04-26', nationalDayAdjacent: '2026-09-01' },
  2027: { lunarNewYear: '2027-02-06', hungKings: '2027-04-16', nationalDayAdjacent: '2027-09-03' },
  2028: { lunarNewYear: '2028-01-26', hungKings: '2028-04-04', nationalDayAdjacent: '2028-09-01' },
};

export const HOLIDAY_TABLE_YEARS: readonly number[] = Object.keys(YEARS)
  .map(Number)
  .sort((a, b) => a - b);

function statutoryHolidays(year: number, table: YearTable): { dayNumber: number; name: string }[] {
  const tet = parseDay(table.lunarNewYear);
  const days = [
    { dayNumber: parseDay(`${year}-01-01`), name: 'Tết Dương lịch' },
    // Five Tết days: the last day of the lunar year and the first four days of the new one.
    { dayNumber: tet - 1, name: 'Tết Nguyên đán (ngày cuối năm âm lịch)' },
    { dayNumber: tet, name: 'Tết Nguyên đán (mùng 1)' },
    { dayNumber: tet + 1, name: 'Tết Nguyên đán (mùng 2)' },
    { dayNumber: tet + 2, name: 'Tết Nguyên đán (mùng 3)' },
    { dayNumber: tet + 3, name: 'Tết Nguyên đán (mùng 4)' },
    { dayNumber: parseDay(table.hungKings), name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)' },
    { dayNumber: parseDay(`${year}-04-30`), name: 'Ngày Chiến thắng' },
    { dayNumber: parseDay(`${year}-05-01`), name: 'Ngày Quốc tế lao động' },
    { dayNumber: parseDay(`${year}-09-02`), name: 'Quốc khánh' },
    { dayNumber: parseDay(table.nationalDayAdjacent), name: 'Quốc khánh (ngày liền kề)' },
  ];
  return days.sort((a, b) => a.dayNumber - b.dayNumber);
}

/**
 * Vietnam's public holidays for the years of the built-in table (2024–2028), with the substitute days off
 * (nghỉ bù) that art. 112(3) grants when a holiday falls on a weekend: the next weekday that is not already
 * a holiday. The government's yearly notices sometimes also swap working days around Tết; those swaps are not
 * modelled here — pass the announced list to `createCalendar` where exact dates matter.
 */
export function vietnamPublicHolidays(): readonly PublicHoliday[] {
  return cachedTable ?? buildTable();
}

let cachedTable: readonly PublicHoliday[] | undefined;

function buildTable(): readonly PublicHoliday[] {
  const result: PublicHoliday[] = [];
  for (const year of HOLIDAY_TABLE_YEARS) {
    const table = YEARS[year];
    if (table === undefined) continue;
    const statutory = statutoryHolidays(year, table);
    const taken = new Set(statutory.map((h) => h.dayNumber));
    for (const holiday of statutory) {
      result.push(Object.freeze({ day: formatDay(holiday.dayNumber), name: holiday.name, kind: 'statutory' as const }));
    }
    for (const holiday of statutory) {
      if (!isWeekendDayNumber(holiday.dayNumber)) continue;
      let substitute = holiday.dayNumber + 1;
      while (isWeekendDayNumber(substitute) || taken.has(substitute)) substitute += 1;
      taken.add(substitute);
      result.push(
        Object.freeze({ day: formatDay(substitute), name: `Nghỉ bù ${holiday.name}`, kind: 'substitute' as const }),
      );
    }
  }
  result.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  cachedTable = Object.freeze(result);
  return cachedTable;
}
