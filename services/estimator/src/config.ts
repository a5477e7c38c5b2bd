import { ConfigError, formatIssues, loadConfig, type RuntimeConfig } from '@commune-pulse/runtime';
import { z } from 'zod';
import { checkPattern, type ScheduleOverrides } from './schedules.ts';

const cron = z.string().superRefine((pattern, context) => {
  const problem = checkPattern(pattern);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

const estimatorEnvironment = z.object({
  ESTIMATOR_ROLLING_CRON: cron.optional(),
  ESTIMATOR_WEEKLY_CRON: cron.optional(),
  BULLMQ_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+$/, 'letters, digits, : _ - only')
    .default('commune-pulse'),
});

export interface EstimatorConfig extends RuntimeConfig {
  schedules: ScheduleOverrides;
  bullmqPrefix: string;
}

export function loadEstimatorConfig(env: Record<string, string | undefined>): EstimatorConfig {
  const base = loadConfig(env);
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = estimatorEnvironment.safeParse(present);
  if (!parsed.success) throw new ConfigError(`bad estimator configuration:\n${formatIssues(parsed.error, '  ')}`);
  return {
    ...base,
    schedules: { rollingPattern: parsed.data.ESTIMATOR_ROLLING_CRON, weeklyPattern: parsed.data.ESTIMATOR_WEEKLY_CRON },
    bullmqPrefix: parsed.data.BULLMQ_PREFIX,
  };
}
