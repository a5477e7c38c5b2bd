// Calendar days as integers (days since 1970-01-01) so that week and working-time arithmetic is plain integer
// maths, independent of the host time zone and of Date parsing quirks.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

// Vietnam has used UTC+7 without daylight saving since 1975, so a fixed offset is exact for every date the
// pipeline can meet.
export const VN_OFFSET_MS = 7 * HOUR_MS;

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

// Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
export function dayNumberFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export function civilFromDayNumber(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Parses `YYYY-MM-DD` strictly (real calendar dates only); throws RangeError otherwise. */
export function parseDay(day: string): number {
  const match = DAY_PATTERN.exec(day);
  if (match === null) throw new RangeError(`not a day in YYYY-MM-DD form: ${JSON.stringify(day)}`);
  const year = Number(match[1]);
  const month = Number(match[2]);
  const dayOfMonth = Number(match[3]);
  const dayNumber = dayNumberFromCivil(year, month, dayOfMonth);
  const back = civilFromDayNumber(dayNumber);
  // A round trip catches 2026-02-30 and month 13, which the arithmetic would silently roll over.
  if (month < 1 || month > 12 || back.year !== year || back.month !== month || back.day !== dayOfMonth) {
    throw new RangeError(`not a calendar date: ${JSON.stringify(day)}`);
  }
  return dayNumber;
}

export function formatDay(dayNumber: number): string {
  const { year, month, day } = civilFromDayNumber(dayNumber);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
export function weekdayOf(dayNumber: number): number {
  return (((dayNumber + 3) % 7) + 7) % 7;
}

export function isWeekendDayNumber(dayNumber: number): boolean {
  return weekdayOf(dayNumber) >= 5;
}

/** The Vietnam-time day number an instant falls on. */
export function vnDayNumber(epochMs: number): number {
  return Math.floor((epochMs + VN_OFFSET_MS) / DAY_MS);
}

/** Epoch milliseconds of 00:00 Vietnam time on a day number. */
export function vnDayNumberStartMs(dayNumber: number): number {
  return dayNumber * DAY_MS - VN_OFFSET_MS;
}

/** Day number of the Monday of the ISO week containing a day number. */
export function isoWeekStartDayNumber(dayNumber: number): number {
  return dayNumber - weekdayOf(dayNumber);
}
