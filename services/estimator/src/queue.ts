import type { Logger } from '@commune-pulse/runtime';
import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { PeriodRequest } from './periods.ts';
import { ESTIMATION_QUEUE, type EstimationSchedule, estimationJobId, SCHEDULE_TIME_ZONE } from './schedules.ts';

export interface EstimationJobData {
  request: PeriodRequest;
  trigger: string;
}

export interface EstimationJobResult {
  runId: string;
  period: string;
  communes: number;
  durationMs: number;
}

export function redisConnection(url: string): Redis {
  // BullMQ workers block on Redis; ioredis must not give up on those commands.
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
}

export function estimationQueue(connection: Redis, prefix: string): Queue<EstimationJobData, EstimationJobResult> {
  return new Queue<EstimationJobData, EstimationJobResult>(ESTIMATION_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 10_000 },
      removeOnComplete: { count: 200 },
      removeOnFail: { count: 500 },
    },
  });
}

/** Upserts every scheduler of the list and removes the ones that are no longer in it. */
export async function registerSchedules(
  queue: Queue<EstimationJobData, EstimationJobResult>,
  schedules: readonly EstimationSchedule[],
  logger: Logger,
): Promise<void> {
  const wanted = new Set(schedules.map((schedule) => schedule.id));
  for (const existing of await queue.getJobSchedulers()) {
    if (existing.key && !wanted.has(existing.key)) {
      await queue.removeJobScheduler(existing.key);
      logger.info({ scheduler: existing.key }, 'removed a scheduler no longer in the list');
    }
  }
  for (const schedule of schedules) {
    await queue.upsertJobScheduler(
      schedule.id,
      { pattern: schedule.pattern, tz: SCHEDULE_TIME_ZONE },
      { name: schedule.id, data: { request: schedule.request, trigger: `schedule:${schedule.id}` } },
    );
    logger.info({ scheduler: schedule.id, pattern: schedule.pattern, tz: SCHEDULE_TIME_ZONE }, 'scheduler registered');
  }
}

/**
 * Asks for a run. While a run for the same period waits or runs, asking again returns that job instead of
 * queueing another; once it finished, asking again computes the period anew (late events, a new catalog), so
 * the id deduplicates pending work without freezing a period's figures.
 */
export async function enqueueEstimation(
  queue: Queue<EstimationJobData, EstimationJobResult>,
  request: PeriodRequest,
  trigger: string,
): Promise<Job<EstimationJobData, EstimationJobResult>> {
  return queue.add('on-demand', { request, trigger }, { deduplication: { id: estimationJobId(request) } });
}

export async function waitForJob(
  queue: Queue<EstimationJobData, EstimationJobResult>,
  job: Job<EstimationJobData, EstimationJobResult>,
  connection: Redis,
  prefix: string,
  timeoutMs: number,
): Promise<EstimationJobResult> {
  // A connection handed to BullMQ is not closed by it: this one is ours to close, or the process stays up.
  const eventsConnection = connection.duplicate();
  const events = new QueueEvents(queue.name, { connection: eventsConnection, prefix });
  try {
    await events.waitUntilReady();
    return await job.waitUntilFinished(events, timeoutMs);
  } finally {
    await events.close();
    eventsConnection.disconnect();
  }
}

export function estimationWorker(
  connection: Redis,
  prefix: string,
  handle: (job: Job<EstimationJobData, EstimationJobResult>) => Promise<EstimationJobResult>,
): Worker<EstimationJobData, EstimationJobResult> {
  // One run at a time: runs read and write the same tables, and the embedded engine serves one process.
  return new Worker<EstimationJobData, EstimationJobResult>(ESTIMATION_QUEUE, handle, {
    connection,
    prefix,
    concurrency: 1,
  });
}
