import {
  DAY_MS,
  dayNumberFromCivil,
  formatDay,
  HOUR_MS,
  isWeekendDayNumber,
  parseDay,
  VN_OFFSET_MS,
  weekdayOf,
} from './days.ts';
import { vietnamPublicHolidays } from './holidays.ts';

// Office hours of the commune service centers (indicators §1): 07:00–11:30 and 13:30–17:00, 8 hours a day.
const WORKING_WINDOWS: readonly (readonly [number, number])[] = [
  [7 * HOUR_MS, 11.5 * HOUR_MS],
  [13.5 * HOUR_MS, 17 * HOUR_MS],
];
const WORKING_MS_PER_DAY = WORKING_WINDOWS.reduce((sum, [from, to]) => sum + (to - from), 0);

export type WorkingCalendar = {
  /** Holidays of this calendar, sorted, without duplicates. */
  readonly holidays: readonly string[];
  isHoliday(day: string): boolean;
  /** Monday–Friday and not a holiday. */
  isWorkingDay(day: string): boolean;
  /** Office-hour milliseconds on working days (Vietnam time) between two instants; 0 when start >= end. */
  workingMillisBetween(startMs: number, endMs: number): number;
};

export type CalendarOptions = {
  /** `YYYY-MM-DD` days off; replaces the built-in table entirely (default: `vietnamPublicHolidays()`). */
  readonly holidays?: readonly string[];
};

export function createCalendar(options: CalendarOptions = {}): WorkingCalendar {
  const holidayDays = options.holidays ?? vietnamPublicHolidays().map((h) => h.day);
  const holidayNumbers = [...new Set(holidayDays.map(parseDay))].sort((a, b) => a - b);
  const holidaySet = new Set(holidayNumbers);
  // Only holidays on weekdays remove working time; keeping them sorted lets a range count them by binary search.
  const weekdayHolidays = holidayNumbers.filter((d) => !isWeekendDayNumber(d));

  const isWorkingDayNumber = (d: number): boolean => !isWeekendDayNumber(d) && !holidaySet.has(d);

  const workingDaysIn = (from: number, to: number): number => {
    if (to <= from) return 0;
    const span = to - from;
    const fullWeeks = Math.floor(span / 7);
    let weekdays = fullWeeks * 5;
    for (let d = from + fullWeeks * 7; d < to; d++) if (!isWeekendDayNumber(d)) weekdays++;
    return weekdays - (lowerBound(weekdayHolidays, to) - lowerBound(weekdayHolidays, from));
  };

  const workingMillisBetween = (startMs: number, endMs: number): number => {
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) {
      throw new RangeError(`workingMillisBetween needs finite instants, got ${startMs} and ${endMs}`);
    }
    if (endMs <= startMs) return 0;
    const localStart = startMs + VN_OFFSET_MS;
    const localEnd = endMs + VN_OFFSET_MS;
    const startDay = Math.floor(localStart / DAY_MS);
    const endDay = Math.floor(localEnd / DAY_MS);
    const startOffset = localStart - startDay * DAY_MS;
    const endOffset = localEnd - endDay * DAY_MS;
    if (startDay === endDay) {
      return isWorkingDayNumber(startDay) ? officeTimeWithin(startOffset, endOffset) : 0;
    }
    let total = workingDaysIn(startDay + 1, endDay) * WORKING_MS_PER_DAY;
    if (isWorkingDayNumber(startDay)) total += officeTimeWithin(startOffset, DAY_MS);
    if (isWorkingDayNumber(endDay)) total += officeTimeWithin(0, endOffset);
    return total;
  };

  return Object.freeze({
    holidays: Object.freeze(holidayNumbers.map(formatDay)),
    isHoliday: (day: string) => holidaySet.has(parseDay(day)),
    isWorkingDay: (day: string) => isWorkingDayNumber(parseDay(day)),
    workingMillisBetween,
  });
}

function officeTimeWithin(fromOffset: number, toOffset: number): number {
  let total = 0;
  for (const [windowStart, windowEnd] of WORKING_WINDOWS) {
    const overlap = Math.min(toOffset, windowEnd) - Math.max(fromOffset, windowStart);
    if (overlap > 0) total += overlap;
  }
  return total;
}

/** Index of the first element >= value. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? Number.POSITIVE_INFINITY) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

let cachedDefault: WorkingCalendar | undefined;

/** The calendar with Vietnam's public holidays of 2024–2028 (outside those years only weekends are off). */
export function defaultCalendar(): WorkingCalendar {
  cachedDefault ??= createCalendar();
  return cachedDefault;
}

/** The day (`YYYY-MM-DD`) an instant falls on in Vietnam time. */
export function vnDay(epochMs: number): string {
  if (!Number.isFinite(epochMs)) throw new RangeError(`vnDay needs a finite instant, got ${epochMs}`);
  return formatDay(Math.floor((epochMs + VN_OFFSET_MS) / DAY_MS));
}

/** Epoch milliseconds of 00:00 Vietnam time on `day`. */
export function vnDayStartMs(day: string): number {
  return parseDay(day) * DAY_MS - VN_OFFSET_MS;
}

export function addDays(day: string, days: number): string {
  if (!Number.isInteger(days)) throw new RangeError(`addDays needs a whole number of days, got ${days}`);
  return formatDay(parseDay(day) + days);
}

/** Monday of the ISO week containing `day`. */
export function isoWeekStart(day: string): string {
  const d = parseDay(day);
  return formatDay(d - weekdayOf(d));
}

/** ISO 8601 week label, e.g. `2026-W47`; the week-year can differ from the calendar year around 1 January. */
export function isoWeekLabel(day: string): string {
  const d = parseDay(day);
  // The ISO week belongs to the year that contains its Thursday.
  const thursday = d - weekdayOf(d) + 3;
  const weekYear = Number(formatDay(thursday).slice(0, 4));
  const week = Math.floor((thursday - dayNumberFromCivil(weekYear, 1, 1)) / 7) + 1;
  return `${String(weekYear).padStart(4, '0')}-W${String(week).padStart(2, '0')}`;
}

const WEEK_LABEL_PATTERN = /^(\d{4})-W(\d{2})$/;

/** Monday of an ISO week given as `YYYY-Www`; throws RangeError for a malformed label or a week the year lacks. */
export function weekStartOfLabel(label: string): string {
  const match = WEEK_LABEL_PATTERN.exec(label);
  if (match === null) throw new RangeError(`not an ISO week label (YYYY-Www): ${JSON.stringify(label)}`);
  const year = Number(match[1]);
  const week = Number(match[2]);
  if (week < 1 || week > isoWeeksInYear(year)) {
    throw new RangeError(`ISO year ${year} has no week ${week}: ${JSON.stringify(label)}`);
  }
  // 4 January is always in week 1.
  const january4 = dayNumberFromCivil(year, 1, 4);
  return formatDay(january4 - weekdayOf(january4) + (week - 1) * 7);
}

function isoWeeksInYear(year: number): number {
  // 28 December always lies in the last ISO week of its year.
  const december28 = formatDay(dayNumberFromCivil(year, 12, 28));
  return Number(isoWeekLabel(december28).slice(6));
}

export function isWorkingDay(day: string, calendar: WorkingCalendar = defaultCalendar()): boolean {
  return calendar.isWorkingDay(day);
}

export function workingMillisBetween(
  startMs: number,
  endMs: number,
  calendar: WorkingCalendar = defaultCalendar(),
): number {
  return calendar.workingMillisBetween(startMs, endMs);
}
