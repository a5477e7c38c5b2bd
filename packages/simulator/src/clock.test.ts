import { createCalendar, defaultCalendar, HOUR_MS, parseDay, vnDayNumber } from '@commune-pulse/reference-data';
import { describe, expect, it } from 'vitest';
import { createTimestampFormatter, createWorkClock } from './clock.ts';
import { mulberry32 } from './random.ts';

const MINUTE_MS = 60_000;
const at = (text: string) => Date.parse(text);
const clock = createWorkClock(defaultCalendar());

describe('due dates (dossier-event-v1 due_at, indicators §7)', () => {
  it('same-day procedures: 17:00 that day, or the next working day when received after 15:00', () => {
    expect(clock.dueAt(at('2026-11-23T08:15:02+07:00'), 0)).toBe(at('2026-11-23T17:00:00+07:00'));
    expect(clock.dueAt(at('2026-11-23T15:00:00+07:00'), 0)).toBe(at('2026-11-23T17:00:00+07:00'));
    expect(clock.dueAt(at('2026-11-23T15:20:00+07:00'), 0)).toBe(at('2026-11-24T17:00:00+07:00'));
    // Friday afternoon rolls over the weekend.
    expect(clock.dueAt(at('2026-11-27T16:00:00+07:00'), 0)).toBe(at('2026-11-30T17:00:00+07:00'));
    // Wednesday 29 April 2026 after 15:00: 30 April and 1 May are holidays, so Monday 4 May.
    expect(clock.dueAt(at('2026-04-29T16:00:00+07:00'), 0)).toBe(at('2026-05-04T17:00:00+07:00'));
  });

  it('N working days: 17:00 of the N-th working day after receipt, as in the sample streams', () => {
    // Monday 16 November 2026: 7 working days → Wednesday 25, 3 → Thursday 19, 1 → Tuesday 17.
    const monday = at('2026-11-16T09:52:53+07:00');
    expect(clock.dueAt(monday, 7)).toBe(at('2026-11-25T17:00:00+07:00'));
    expect(clock.dueAt(monday, 3)).toBe(at('2026-11-19T17:00:00+07:00'));
    expect(clock.dueAt(monday, 1)).toBe(at('2026-11-17T17:00:00+07:00'));
    // Across Tết 2026 (16–20 February off, after the weekend of 14–15): Friday 13 + 3 → Wednesday 25.
    expect(clock.dueAt(at('2026-02-13T10:00:00+07:00'), 3)).toBe(at('2026-02-25T17:00:00+07:00'));
  });

  it('half a working day runs in office hours, across the lunch break', () => {
    expect(clock.dueAt(at('2026-11-23T10:00:00+07:00'), 0.5)).toBe(at('2026-11-23T16:00:00+07:00'));
    expect(clock.dueAt(at('2026-11-27T16:00:00+07:00'), 0.5)).toBe(at('2026-11-30T10:00:00+07:00'));
  });

  it('follows the calendar it is given', () => {
    const noHolidays = createWorkClock(createCalendar({ holidays: [] }));
    expect(noHolidays.dueAt(at('2026-04-29T16:00:00+07:00'), 0)).toBe(at('2026-04-30T17:00:00+07:00'));
  });
});

describe('office time', () => {
  it('skips nights, the lunch break, weekends and holidays', () => {
    expect(clock.addWorking(at('2026-11-23T11:00:00+07:00'), 60 * MINUTE_MS)).toBe(at('2026-11-23T14:00:00+07:00'));
    expect(clock.addWorking(at('2026-11-27T16:30:00+07:00'), HOUR_MS)).toBe(at('2026-11-30T07:30:00+07:00'));
    expect(clock.addWorking(at('2026-11-28T21:00:00+07:00'), 0)).toBe(at('2026-11-30T07:00:00+07:00'));
    expect(clock.addWorking(at('2026-02-13T16:00:00+07:00'), 2 * HOUR_MS)).toBe(at('2026-02-23T08:00:00+07:00'));
  });

  it('agrees with the calendar the pipeline measures processing time with', () => {
    const random = mulberry32(11);
    const from = at('2026-01-01T00:00:00+07:00');
    for (let i = 0; i < 2000; i++) {
      const start = from + Math.floor(random() * 365 * 24) * 15 * MINUTE_MS;
      const work = Math.floor(random() * 40 * HOUR_MS);
      const end = clock.addWorking(start, work);
      expect(clock.workingBetween(start, end)).toBe(work);
      expect(clock.isWorkingDay(vnDayNumber(end))).toBe(true);
    }
    expect(clock.isWorkingDay(parseDay('2026-02-17'))).toBe(false);
    expect(clock.isWorkingDay(parseDay('2026-02-23'))).toBe(true);
  });
});

describe('timestamps', () => {
  it('formats RFC 3339 in Vietnam time with the +07:00 offset, to the second', () => {
    const format = createTimestampFormatter();
    expect(format(at('2026-11-23T01:15:02.999Z'))).toBe('2026-11-23T08:15:02+07:00');
    expect(format(at('2026-12-31T17:00:00Z'))).toBe('2027-01-01T00:00:00+07:00');
    const random = mulberry32(2);
    for (let i = 0; i < 1000; i++) {
      const ms = at('2024-01-01T00:00:00Z') + Math.floor(random() * 5 * 365 * 86_400) * 1000;
      expect(Date.parse(format(ms))).toBe(ms);
    }
  });
});
