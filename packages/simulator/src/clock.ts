import { DAY_MS, formatDay, HOUR_MS, VN_OFFSET_MS, type WorkingCalendar } from '@commune-pulse/reference-data';

// Office hours of the commune centers (indicators §1), as offsets from local midnight.
const MORNING_START = 7 * HOUR_MS;
const MORNING_END = 11.5 * HOUR_MS;
const AFTERNOON_START = 13.5 * HOUR_MS;
const AFTERNOON_END = 17 * HOUR_MS;
export const WORKING_HOURS_PER_DAY = 8;
export const WORKING_DAY_MS = WORKING_HOURS_PER_DAY * HOUR_MS;
/** Same-day procedures received after this local time are due the next working day (indicators §7). */
const SAME_DAY_CUTOFF = 15 * HOUR_MS;

/**
 * Working-time arithmetic over a calendar, on day numbers (days since 1970-01-01, Vietnam time). The calendar
 * answers per `YYYY-MM-DD` string; the simulator asks millions of times, so answers are cached per day number.
 */
export type WorkClock = {
  isWorkingDay(dayNumber: number): boolean;
  /** The instant reached after `workMs` of office time from `fromMs`; with 0, the next office instant. */
  addWorking(fromMs: number, workMs: number): number;
  /** Office milliseconds between two instants (the calendar's own count, so the pipeline agrees with it). */
  workingBetween(startMs: number, endMs: number): number;
  /** The legal return date of a dossier received at `receivedMs` (dossier-event-v1 `due_at`). */
  dueAt(receivedMs: number, deadlineWorkingDays: number): number;
  /** 17:00 of the `n`-th working day after `dayNumber` (n ≥ 1). */
  closeOfWorkingDayAfter(dayNumber: number, n: number): number;
};

export function createWorkClock(calendar: WorkingCalendar): WorkClock {
  const cache = new Map<number, boolean>();
  const isWorkingDay = (dayNumber: number): boolean => {
    let working = cache.get(dayNumber);
    if (working === undefined) {
      working = calendar.isWorkingDay(formatDay(dayNumber));
      cache.set(dayNumber, working);
    }
    return working;
  };

  const addWorking = (fromMs: number, workMs: number): number => {
    const local = fromMs + VN_OFFSET_MS;
    let day = Math.floor(local / DAY_MS);
    let offset = local - day * DAY_MS;
    let remaining = workMs;
    // A span of holidays (Tết) is at most a couple of weeks; the bound only guards against a calendar bug.
    for (let guard = 0; guard < 5000; guard++) {
      if (isWorkingDay(day)) {
        if (offset < MORNING_END) {
          const start = Math.max(offset, MORNING_START);
          const available = MORNING_END - start;
          if (remaining <= available) return day * DAY_MS - VN_OFFSET_MS + start + remaining;
          remaining -= available;
          offset = MORNING_END;
        }
        if (offset < AFTERNOON_END) {
          const start = Math.max(offset, AFTERNOON_START);
          const available = AFTERNOON_END - start;
          if (remaining <= available) return day * DAY_MS - VN_OFFSET_MS + start + remaining;
          remaining -= available;
        }
      }
      day++;
      offset = 0;
    }
    throw new RangeError(`no working time found after ${new Date(fromMs).toISOString()}: is every day a holiday?`);
  };

  const closeOfWorkingDayAfter = (dayNumber: number, n: number): number => {
    let day = dayNumber;
    let found = 0;
    for (let guard = 0; found < n; guard++) {
      if (guard > 5000) throw new RangeError(`no working day after ${formatDay(dayNumber)}`);
      day++;
      if (isWorkingDay(day)) found++;
    }
    return day * DAY_MS - VN_OFFSET_MS + AFTERNOON_END;
  };

  const dueAt = (receivedMs: number, deadlineWorkingDays: number): number => {
    const local = receivedMs + VN_OFFSET_MS;
    const day = Math.floor(local / DAY_MS);
    if (deadlineWorkingDays === 0) {
      const offset = local - day * DAY_MS;
      if (isWorkingDay(day) && offset <= SAME_DAY_CUTOFF) return day * DAY_MS - VN_OFFSET_MS + AFTERNOON_END;
      return closeOfWorkingDayAfter(day, 1);
    }
    // A fraction of a day (1.010041: half a working day) runs in office hours from the receipt.
    if (deadlineWorkingDays < 1) return addWorking(receivedMs, deadlineWorkingDays * WORKING_DAY_MS);
    return closeOfWorkingDayAfter(day, Math.ceil(deadlineWorkingDays));
  };

  return {
    isWorkingDay,
    addWorking,
    workingBetween: (startMs, endMs) => calendar.workingMillisBetween(startMs, endMs),
    dueAt,
    closeOfWorkingDayAfter,
  };
}

const TWO_DIGITS: readonly string[] = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/**
 * RFC 3339 in Vietnam time with the `+07:00` offset, to the second, as producers send it. Day prefixes are
 * cached: formatting is on the hot path of every event.
 */
export function createTimestampFormatter(): (epochMs: number) => string {
  const prefixes = new Map<number, string>();
  return (epochMs: number) => {
    const localSeconds = Math.floor((epochMs + VN_OFFSET_MS) / 1000);
    const day = Math.floor(localSeconds / 86_400);
    let prefix = prefixes.get(day);
    if (prefix === undefined) {
      prefix = `${formatDay(day)}T`;
      prefixes.set(day, prefix);
    }
    const second = localSeconds - day * 86_400;
    const hours = Math.floor(second / 3600);
    const minutes = Math.floor((second % 3600) / 60);
    return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[second % 60]}+07:00`;
  };
}

/** Local office-hour offsets from midnight, for checks and for sampling times of day. */
export const OFFICE_WINDOWS: readonly (readonly [number, number])[] = [
  [MORNING_START, MORNING_END],
  [AFTERNOON_START, AFTERNOON_END],
];
