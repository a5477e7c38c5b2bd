import { isoWeekLabel, weekStartOfLabel } from './calendar.ts';
import { DAY_MS, formatDay, isoWeekStartDayNumber, parseDay, vnDayNumber, vnDayNumberStartMs } from './days.ts';

/** A period the estimator computes and the reporter reads: an ISO week, or the 7 days ending at an instant. */
export interface Period {
  kind: 'week' | 'rolling7d';
  /** first day (Vietnam time) */
  startDay: string;
  startMs: number;
  endMs: number;
  /** `2026-W47`, or `rolling 2026-11-19 → 2026-11-26 10:00` */
  label: string;
}

export function weekPeriod(label: string): Period {
  const startDay = weekStartOfLabel(label);
  const startMs = vnDayNumberStartMs(parseDay(startDay));
  return { kind: 'week', startDay, startMs, endMs: startMs + 7 * DAY_MS, label };
}

/** The ISO week that ended last before an instant (what the Monday jobs compute and report). */
export function previousWeekPeriod(atMs: number): Period {
  const monday = isoWeekStartDayNumber(vnDayNumber(atMs));
  return weekPeriod(isoWeekLabel(formatDay(monday - 7)));
}

export function rollingPeriod(endMs: number): Period {
  const startMs = endMs - 7 * DAY_MS;
  const startDay = formatDay(vnDayNumber(startMs));
  const end = new Date(endMs + 7 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
  return { kind: 'rolling7d', startDay, startMs, endMs, label: `rolling ${startDay} → ${end}` };
}
