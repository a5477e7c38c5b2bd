import { z } from 'zod';

/**
 * The one registry of job queues: each queue's name and the schema of its payload. The job layer
 * (`@commune-pulse/runtime/jobs`) checks a payload against it when a job is added and again when a worker takes it.
 */
export interface JobQueueDefinition<Data> {
  name: string;
  payload: z.ZodType<Data>;
}

/** The period a job asks for: an ISO week (`2026-W47`, or `previous`: the week that ended) or the 7 days to an instant. */
export const periodRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('week'), week: z.string().regex(/^(\d{4}-W\d{2}|previous)$/, 'YYYY-Www or previous') }),
  z.object({ kind: z.literal('rolling'), atMs: z.number().int().nonnegative().optional() }),
]);
export type PeriodRequest = z.infer<typeof periodRequestSchema>;

export const estimationJobSchema = z.object({ request: periodRequestSchema, trigger: z.string().min(1) });
export type EstimationJobData = z.infer<typeof estimationJobSchema>;

export const reportJobSchema = z.object({
  /** `2026-W47`, or 'previous': the ISO week that ended before the job was due */
  week: z.string().regex(/^(\d{4}-W\d{2}|previous)$/, 'YYYY-Www or previous'),
  trigger: z.string().min(1),
});
export type ReportJobData = z.infer<typeof reportJobSchema>;

export const webhookJobSchema = z.object({ deliveryId: z.string().min(1) });
export type WebhookJobData = z.infer<typeof webhookJobSchema>;

export const JOB_QUEUES = {
  /** scheduled and on-demand estimation runs (the estimator's worker) */
  estimation: { name: 'commune-pulse-estimation', payload: estimationJobSchema },
  /** the Monday report run (the reporter's worker) */
  weeklyReport: { name: 'commune-pulse-reports', payload: reportJobSchema },
  /** one webhook delivery of the alert outbox, retried with backoff (the alerter's worker) */
  alertWebhooks: { name: 'commune-pulse-alert-webhooks', payload: webhookJobSchema },
} as const satisfies Record<string, JobQueueDefinition<unknown>>;
