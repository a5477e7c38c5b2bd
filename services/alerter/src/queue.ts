import { JOB_QUEUES, type WebhookJobData } from '@commune-pulse/contracts';
import type { JobDefaults, JobLayer, JobQueue } from '@commune-pulse/runtime/jobs';
import {
  type DispatchContext,
  deliverWebhookById,
  type RetryPolicy,
  retryDelayMs,
  type WebhookJobs,
  type WebhookOutcome,
} from './dispatch.ts';

// With a delay capped at RetryPolicy.maxMs (an hour by default) this is weeks of retrying: a receiver that is
// down gets its deliveries when it comes back, and the job ends failed only if it never does.
const ATTEMPTS = 1_000;

export function webhookJobDefaults(retry: RetryPolicy): JobDefaults {
  return {
    attempts: ATTEMPTS,
    // the worker's retryDelayMs computes each delay (capped exponential)
    backoff: { type: 'custom', delayMs: retry.baseMs },
    // Kept for a week: re-adding a delivery whose job completed is then a no-op rather than a second POST.
    keepCompleted: { ageSeconds: 7 * 86_400 },
    keepFailed: { ageSeconds: 30 * 86_400 },
  };
}

export function webhookQueue(jobs: JobLayer, retry: RetryPolicy): JobQueue<WebhookJobData, WebhookOutcome> {
  return jobs.queue<WebhookJobData, WebhookOutcome>(JOB_QUEUES.alertWebhooks, webhookJobDefaults(retry));
}

export function webhookJobs(queue: JobQueue<WebhookJobData, WebhookOutcome>): WebhookJobs {
  return {
    async enqueue(deliveryIds) {
      await queue.addBulk(
        deliveryIds.map((deliveryId) => ({ name: 'webhook', data: { deliveryId }, jobId: deliveryId })),
      );
    },
  };
}

/** Delivers the webhooks of the queue, four at a time; only deliveries that gave up are logged. */
export function startWebhookWorker(jobs: JobLayer, context: DispatchContext): void {
  jobs.work<WebhookJobData, WebhookOutcome>(
    JOB_QUEUES.alertWebhooks,
    async ({ deliveryId }) => {
      const outcome = await deliverWebhookById(context, deliveryId);
      // A failure is thrown so that BullMQ schedules the next attempt with the backoff below.
      if (outcome === 'failed') throw new Error(`webhook delivery ${deliveryId} failed`);
      return outcome;
    },
    {
      concurrency: 4,
      label: 'webhook delivery',
      logEachJob: false,
      retryDelayMs: (attemptsMade) => retryDelayMs(attemptsMade, context.retry),
    },
  );
}
