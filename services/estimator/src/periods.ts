import type { PeriodRequest } from '@commune-pulse/contracts';
import { type Period, previousWeekPeriod, rollingPeriod, weekPeriod } from '@commune-pulse/reference-data';

/** The period a job asks for, as of an instant: `{ kind: 'week', week: '2026-W47' | 'previous' }` or `{ kind: 'rolling', at? }`. */
export function resolvePeriod(request: PeriodRequest, nowMs: number): Period {
  if (request.kind === 'rolling') return rollingPeriod(request.atMs ?? nowMs);
  return request.week === 'previous' ? previousWeekPeriod(nowMs) : weekPeriod(request.week);
}
