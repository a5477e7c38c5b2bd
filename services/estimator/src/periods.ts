import {
  DAY_MS,
  formatDay,
  isoWeekLabel,
  isoWeekStartDayNumber,
  parseDay,
  vnDayNumber,
  vnDayNumberStartMs,
  weekStartOfLabel,
} from '@commune-pulse/reference-data';

/** A period the estimator computes: an ISO week, or the 7 days ending at an instant. */
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

/** The ISO week that ended last before an instant (what the Monday job computes). */
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

/** The period a job asks for: `{ kind: 'week', week: '2026-W47' | 'previous' }` or `{ kind: 'rolling', at? }`. */
export type PeriodRequest = { kind: 'week'; week: string } | { kind: 'rolling'; atMs?: number | undefined };

export function resolvePeriod(request: PeriodRequest, nowMs: number): Period {
  if (request.kind === 'rolling') return rollingPeriod(request.atMs ?? nowMs);
  return request.week === 'previous' ? previousWeekPeriod(nowMs) : weekPeriod(request.week);
}
