import type { EstimationJobData, PeriodRequest } from '@commune-pulse/contracts';
import type { JobSchedule } from '@commune-pulse/runtime/jobs';

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

/** The list as the job layer's schedules: each run's payload names the schedule that fired it. */
export function estimationJobSchedules(schedules: readonly EstimationSchedule[]): JobSchedule<EstimationJobData>[] {
  return schedules.map((schedule) => ({
    id: schedule.id,
    pattern: schedule.pattern,
    data: { request: schedule.request, trigger: `schedule:${schedule.id}` },
  }));
}

/** An on-demand run's deduplication id: one pending run per period, however often it is asked for. */
export function estimationJobId(request: PeriodRequest): string {
  return request.kind === 'week' ? `estimate:week:${request.week}` : `estimate:rolling:${request.atMs ?? 'now'}`;
}
