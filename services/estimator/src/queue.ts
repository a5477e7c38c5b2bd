import { type EstimationJobData, JOB_QUEUES, type PeriodRequest } from '@commune-pulse/contracts';
import type { JobDefaults, JobLayer, JobQueue, JobWorkerOptions, QueuedJob } from '@commune-pulse/runtime/jobs';
import { estimationJobId } from './schedules.ts';

export interface EstimationJobResult {
  runId: string;
  period: string;
  communes: number;
  durationMs: number;
}

export const ESTIMATION_JOB_DEFAULTS: JobDefaults = {
  attempts: 5,
  backoff: { type: 'exponential', delayMs: 10_000 },
  keepCompleted: { count: 200 },
  keepFailed: { count: 500 },
};

/** One run at a time: runs read and write the same tables, and the embedded engine serves one process. */
export const ESTIMATION_WORKER: JobWorkerOptions = { concurrency: 1, label: 'estimation' };

export function estimationQueue(jobs: JobLayer): JobQueue<EstimationJobData, EstimationJobResult> {
  return jobs.queue<EstimationJobData, EstimationJobResult>(JOB_QUEUES.estimation, ESTIMATION_JOB_DEFAULTS);
}

/**
 * Asks for a run. While a run for the same period waits or runs, asking again returns that job instead of
 * queueing another; once it finished, asking again computes the period anew (late events, a new catalog), so
 * the id deduplicates pending work without freezing a period's figures.
 */
export async function enqueueEstimation(
  queue: JobQueue<EstimationJobData, EstimationJobResult>,
  request: PeriodRequest,
  trigger: string,
): Promise<QueuedJob<EstimationJobResult>> {
  return queue.add('on-demand', { request, trigger }, { deduplicationId: estimationJobId(request) });
}
