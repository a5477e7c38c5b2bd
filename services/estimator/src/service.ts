import { JOB_QUEUES, type PeriodRequest } from '@commune-pulse/contracts';
import { defaultCalendar } from '@commune-pulse/reference-data';
import { type Logger, onShutdownSignal } from '@commune-pulse/runtime';
import { startScheduledJobs } from '@commune-pulse/runtime/jobs';
import { openWarehouse } from '@commune-pulse/warehouse';
import type { EstimatorConfig } from './config.ts';
import { type EstimationDependencies, runEstimation } from './estimate.ts';
import { resolvePeriod } from './periods.ts';
import { kafkaPressurePublisher } from './publisher.ts';
import { ESTIMATION_JOB_DEFAULTS, ESTIMATION_WORKER, type EstimationJobResult } from './queue.ts';
import { estimationJobSchedules, estimationSchedules } from './schedules.ts';

/** What every trigger runs: the scheduler's jobs, on-demand jobs, and the in-process timers alike. */
export function estimationHandler(dependencies: EstimationDependencies) {
  return async (request: PeriodRequest, trigger: string, atMs: number): Promise<EstimationResultSummary> => {
    const period = resolvePeriod(request, atMs);
    const result = await runEstimation(dependencies, { period, trigger });
    return {
      runId: result.runId,
      period: period.label,
      communes: result.indicators.length,
      durationMs: result.durationMs,
    };
  };
}

type EstimationResultSummary = EstimationJobResult;

export interface EstimatorService {
  stop(): Promise<void>;
  finished: Promise<void>;
}

/**
 * The estimator: with REDIS_URL, a BullMQ worker and the job schedulers of the declarative list; without it,
 * the same handler on in-process timers.
 */
export async function startEstimatorService(config: EstimatorConfig, logger: Logger): Promise<EstimatorService> {
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  const publisher = config.kafkaBrokers ? await kafkaPressurePublisher(config.kafkaBrokers, logger) : undefined;
  const handle = estimationHandler({ warehouse, calendar: defaultCalendar(), logger, publisher });
  const jobs = await startScheduledJobs({
    config,
    logger,
    queue: JOB_QUEUES.estimation,
    defaults: ESTIMATION_JOB_DEFAULTS,
    schedules: estimationJobSchedules(estimationSchedules(config.schedules)),
    // A scheduled job computes the period as of the time it was due, not the time it ran.
    handle: (data, job) => handle(data.request, data.trigger, job.dueMs),
    worker: ESTIMATION_WORKER,
  });

  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    resolveFinished = resolve;
  });
  const stop = async () => {
    await jobs.stop();
    await publisher?.close();
    await warehouse.close();
    resolveFinished();
  };
  onShutdownSignal(stop, { deadlineMs: 60_000, logger });
  return { stop, finished };
}
