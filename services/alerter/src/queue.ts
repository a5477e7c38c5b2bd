import type { Logger } from '@commune-pulse/runtime';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  type DispatchContext,
  deliverWebhookById,
  type RetryPolicy,
  retryDelayMs,
  type WebhookJobs,
} from './dispatch.ts';

export const WEBHOOK_QUEUE = 'commune-pulse-alert-webhooks';
const BACKOFF_TYPE = 'capped-exponential';
// With a delay capped at RetryPolicy.maxMs (an hour by default) this is weeks of retrying: a receiver that is
// down gets its deliveries when it comes back, and the job ends failed only if it never does.
const ATTEMPTS = 1_000;

export interface WebhookJobData {
  deliveryId: string;
}

export function webhookQueue(connection: Redis, prefix: string, retry: RetryPolicy): Queue<WebhookJobData> {
  return new Queue<WebhookJobData>(WEBHOOK_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: ATTEMPTS,
      backoff: { type: BACKOFF_TYPE, delay: retry.baseMs },
      // Kept for a week: re-adding a delivery whose job completed is then a no-op rather than a second POST.
      removeOnComplete: { age: 7 * 86_400 },
      removeOnFail: { age: 30 * 86_400 },
    },
  });
}

export function webhookJobs(queue: Queue<WebhookJobData>): WebhookJobs {
  return {
    async enqueue(deliveryIds) {
      if (deliveryIds.length === 0) return;
      await queue.addBulk(
        deliveryIds.map((deliveryId) => ({ name: 'webhook', data: { deliveryId }, opts: { jobId: deliveryId } })),
      );
    },
  };
}

export function webhookWorker(
  connection: Redis,
  prefix: string,
  context: DispatchContext,
  logger: Logger,
): Worker<WebhookJobData> {
  const worker = new Worker<WebhookJobData>(
    WEBHOOK_QUEUE,
    async (job) => {
      const outcome = await deliverWebhookById(context, job.data.deliveryId);
      // A failure is thrown so that BullMQ schedules the next attempt with the backoff below.
      if (outcome === 'failed') throw new Error(`webhook delivery ${job.data.deliveryId} failed`);
      return outcome;
    },
    {
      connection,
      prefix,
      concurrency: 4,
      settings: { backoffStrategy: (attemptsMade: number) => retryDelayMs(attemptsMade, context.retry) },
    },
  );
  worker.on('failed', (job, error) => {
    if (job && job.attemptsMade >= ATTEMPTS) {
      logger.error({ delivery: job.data.deliveryId, err: error.message }, 'webhook delivery gave up');
    }
  });
  return worker;
}
