import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

/** Every schedule (job schedulers and in-process timers alike) reads its cron pattern in Vietnam time. */
export const SCHEDULE_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** Checks a cron pattern (5 fields, or 6 with seconds), with a message that says what is wrong. */
export function checkPattern(pattern: string): string | null {
  try {
    CronExpressionParser.parse(pattern, { tz: SCHEDULE_TIME_ZONE });
    return null;
  } catch (error) {
    return `not a cron pattern: ${JSON.stringify(pattern)} (${(error as Error).message})`;
  }
}

/** The next time a schedule fires after an instant (for the in-process timers used without Redis). */
export function nextFireMs(pattern: string, afterMs: number): number {
  return CronExpressionParser.parse(pattern, { tz: SCHEDULE_TIME_ZONE, currentDate: new Date(afterMs) })
    .next()
    .getTime();
}

/** A configuration value that must be a cron pattern (ESTIMATOR_WEEKLY_CRON, REPORT_WEEKLY_CRON, …). */
export const cronPattern = z.string().superRefine((pattern, context) => {
  const problem = checkPattern(pattern);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});
