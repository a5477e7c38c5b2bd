import { defaultCalendar } from '@commune-pulse/reference-data';
import { type Logger, onShutdownSignal } from '@commune-pulse/runtime';
import { openWarehouse } from '@commune-pulse/warehouse';
import type { EstimatorConfig } from './config.ts';
import { type EstimationDependencies, runEstimation } from './estimate.ts';
import { type PeriodRequest, resolvePeriod } from './periods.ts';
import { kafkaPressurePublisher } from './publisher.ts';
import {
  type EstimationJobResult,
  estimationQueue,
  estimationWorker,
  redisConnection,
  registerSchedules,
} from './queue.ts';
import { estimationSchedules, nextFireMs } from './schedules.ts';

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
  const schedules = estimationSchedules(config.schedules);
  let stopWork: () => Promise<void>;

  if (config.redisUrl) {
    const connection = redisConnection(config.redisUrl);
    const queue = estimationQueue(connection, config.bullmqPrefix);
    await registerSchedules(queue, schedules, logger);
    const workerConnection = connection.duplicate();
    const worker = estimationWorker(workerConnection, config.bullmqPrefix, async (job) => {
      // A scheduled job computes the period as of the time it was due, not the time it ran.
      const dueMs = job.opts.prevMillis ?? job.timestamp;
      return handle(job.data.request, job.data.trigger, dueMs);
    });
    worker.on('failed', (job, error) => logger.error({ err: error, job: job?.id }, 'estimation job failed'));
    worker.on('completed', (job, result) => logger.info({ job: job.id, ...result }, 'estimation job done'));
    logger.info({ queue: queue.name, prefix: config.bullmqPrefix }, 'estimator worker started');
    stopWork = async () => {
      // The worker finishes the job in hand; connections passed to BullMQ are ours to close.
      await worker.close();
      await queue.close();
      workerConnection.disconnect();
      connection.disconnect();
    };
  } else {
    const timers = new Map<string, NodeJS.Timeout>();
    let running: Promise<unknown> = Promise.resolve();
    let stopped = false;
    const arm = (schedule: (typeof schedules)[number]) => {
      const due = nextFireMs(schedule.pattern, Date.now());
      timers.set(
        schedule.id,
        setTimeout(
          () => {
            if (stopped) return;
            running = running
              .then(() => handle(schedule.request, `schedule:${schedule.id}`, due))
              .catch((error: unknown) => logger.error({ err: error, schedule: schedule.id }, 'estimation failed'));
            arm(schedule);
          },
          Math.max(0, due - Date.now()),
        ),
      );
    };
    for (const schedule of schedules) arm(schedule);
    logger.info(
      { schedules: schedules.map((s) => `${s.id} ${s.pattern}`) },
      'estimator running in-process (no REDIS_URL)',
    );
    stopWork = async () => {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      await running;
    };
  }

  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    resolveFinished = resolve;
  });
  const stop = async () => {
    await stopWork();
    await publisher?.close();
    await warehouse.close();
    resolveFinished();
  };
  onShutdownSignal(stop, { deadlineMs: 60_000, logger });
  return { stop, finished };
}
