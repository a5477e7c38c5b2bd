import { CronExpressionParser } from 'cron-parser';
import type { PeriodRequest } from './periods.ts';

export const ESTIMATION_QUEUE = 'commune-pulse-estimation';
export const SCHEDULE_TIME_ZONE = 'Asia/Ho_Chi_Minh';

export interface EstimationSchedule {
  id: string;
  /** cron pattern in Vietnam time (6 fields with seconds allowed) */
  pattern: string;
  request: PeriodRequest;
  description: string;
}

export interface ScheduleOverrides {
  rollingPattern?: string | undefined;
  weeklyPattern?: string | undefined;
}

/**
 * The one declarative list of recurring estimations. Registering it creates or updates these schedulers and
 * removes any other, so a schedule deleted here disappears from Redis too.
 */
export function estimationSchedules(overrides: ScheduleOverrides = {}): EstimationSchedule[] {
  return [
    {
      id: 'rolling-7d-hourly',
      pattern: overrides.rollingPattern ?? '0 * * * *',
      request: { kind: 'rolling' },
      description: 'the 7 days up to now, every hour',
    },
    {
      id: 'iso-week-monday-0600',
      pattern: overrides.weeklyPattern ?? '0 6 * * 1',
      request: { kind: 'week', week: 'previous' },
      description: 'the ISO week that ended, every Monday 06:00 Vietnam time',
    },
  ];
}

/** Checks a cron pattern, with a message that says what is wrong. */
export function checkPattern(pattern: string): string | null {
  try {
    CronExpressionParser.parse(pattern, { tz: SCHEDULE_TIME_ZONE });
    return null;
  } catch (error) {
    return `not a cron pattern: ${JSON.stringify(pattern)} (${(error as Error).message})`;
  }
}

/** The next time a schedule fires after an instant (for the in-process scheduler used without Redis). */
export function nextFireMs(pattern: string, afterMs: number): number {
  return CronExpressionParser.parse(pattern, { tz: SCHEDULE_TIME_ZONE, currentDate: new Date(afterMs) })
    .next()
    .getTime();
}

/** An on-demand run's deduplication id: one pending run per period, however often it is asked for. */
export function estimationJobId(request: PeriodRequest): string {
  return request.kind === 'week' ? `estimate:week:${request.week}` : `estimate:rolling:${request.atMs ?? 'now'}`;
}
