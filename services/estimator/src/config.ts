import { ConfigError, cronPattern, formatIssues, loadConfig, type RuntimeConfig } from '@commune-pulse/runtime';
import { z } from 'zod';
import type { ScheduleOverrides } from './schedules.ts';

const estimatorEnvironment = z.object({
  ESTIMATOR_ROLLING_CRON: cronPattern.optional(),
  ESTIMATOR_WEEKLY_CRON: cronPattern.optional(),
});

export interface EstimatorConfig extends RuntimeConfig {
  schedules: ScheduleOverrides;
}

export function loadEstimatorConfig(env: Record<string, string | undefined>): EstimatorConfig {
  const base = loadConfig(env);
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = estimatorEnvironment.safeParse(present);
  if (!parsed.success) throw new ConfigError(`bad estimator configuration:\n${formatIssues(parsed.error, '  ')}`);
  return {
    ...base,
    schedules: { rollingPattern: parsed.data.ESTIMATOR_ROLLING_CRON, weeklyPattern: parsed.data.ESTIMATOR_WEEKLY_CRON },
  };
}
