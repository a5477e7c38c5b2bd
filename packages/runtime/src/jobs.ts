import type { JobQueueDefinition } from '@commune-pulse/contracts';
import { type Job, type KeepJobs, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Logger } from './logger.ts';
import { nextFireMs, SCHEDULE_TIME_ZONE } from './schedules.ts';

/**
 * The job layer: the only module that talks to BullMQ and Redis. It owns the Redis connections, the queues of the
 * registry in contracts (`JOB_QUEUES`), scheduler upsert and the removal of stale schedulers, workers with their
 * listeners and metrics, the in-process timers used without Redis, and shutdown.
 */

/** What a handler learns about the job it runs. */
export interface JobContext {
  /** BullMQ's job id (undefined on the in-process timers) */
  id: string | undefined;
  /** the job's name: the scheduler id for a scheduled job */
  name: string;
  /** when the job was due: a scheduled job computes as of then, not as of when it ran */
  dueMs: number;
  /** attempts made before this one */
  attemptsMade: number;
}

export type JobHandler<Data, Result> = (data: Data, job: JobContext) => Promise<Result>;

/** How a queue keeps and retries its jobs. */
export interface JobDefaults {
  attempts: number;
  /** `exponential` from a first delay, or `custom`: the worker's `retryDelayMs` decides */
  backoff: { type: 'exponential' | 'custom'; delayMs: number };
  keepCompleted: { count: number } | { ageSeconds: number };
  keepFailed: { count: number } | { ageSeconds: number };
}

/** A recurring job: a cron pattern in Vietnam time and the payload each run gets. */
export interface JobSchedule<Data> {
  id: string;
  pattern: string;
  data: Data;
}

export interface JobWorkerOptions {
  /** how many jobs run at once in this process */
  concurrency: number;
  /** names the queue's log lines: `<label> job done`, `<label> job failed`, `<label> gave up` */
  label: string;
  /** the delay before attempt n+1 (queues whose backoff is `custom`) */
  retryDelayMs?: (attemptsMade: number) => number;
  /** log each completed and failed attempt (default); otherwise only jobs that gave up */
  logEachJob?: boolean;
}

export interface QueuedJob<Result> {
  id: string | undefined;
  /** waits until a worker (this process's or another's) finished the job; rejects if it failed */
  finished(timeoutMs: number): Promise<Result>;
}

export interface JobQueue<Data, Result> {
  readonly name: string;
  /**
   * Adds a job after checking its payload against the registry's schema. `deduplicationId`: while a job of that
   * id waits or runs, adding again returns it; `jobId`: one job per id for as long as the queue keeps it.
   */
  add(name: string, data: Data, options?: { deduplicationId?: string; jobId?: string }): Promise<QueuedJob<Result>>;
  addBulk(jobs: readonly { name: string; data: Data; jobId?: string }[]): Promise<void>;
  /**
   * Upserts every schedule of the list and removes the queue's schedulers that are no longer in it, so a schedule
   * deleted from the list disappears from Redis too. `label` names the log lines (`<label> scheduler registered`).
   */
  syncSchedules(schedules: readonly JobSchedule<Data>[], label: string): Promise<void>;
  schedulers(): Promise<{ id: string; pattern: string | undefined; tz: string | undefined }[]>;
  /** removes the queue and its jobs from Redis (tests, tools) */
  obliterate(): Promise<void>;
}

export interface JobLayer {
  queue<Data, Result>(definition: JobQueueDefinition<Data>, defaults?: JobDefaults): JobQueue<Data, Result>;
  /** Starts a worker on a queue; the payload is checked again before the handler sees it. */
  work<Data, Result>(
    definition: JobQueueDefinition<Data>,
    handle: JobHandler<Data, Result>,
    options: JobWorkerOptions,
  ): void;
  /** Closes the workers (each finishes the job in hand), then the queues, then the Redis connections. */
  close(): Promise<void>;
}

export interface JobLayerConfig {
  redisUrl: string;
  bullmqPrefix: string;
}

/** Counters and durations of every job run, by queue and outcome. */
export function createJobMetrics(registry: Registry) {
  return {
    runs: new Counter({
      name: 'commune_pulse_jobs_total',
      help: 'Job runs (one per attempt) by queue and outcome',
      labelNames: ['queue', 'outcome'],
      registers: [registry],
    }),
    seconds: new Histogram({
      name: 'commune_pulse_job_seconds',
      help: 'Time to run one job attempt',
      labelNames: ['queue'],
      buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800],
      registers: [registry],
    }),
  };
}

export type JobMetrics = ReturnType<typeof createJobMetrics>;

/** Runs a handler and records its outcome and duration. */
async function measured<Result>(queue: string, metrics: JobMetrics | undefined, run: () => Promise<Result>) {
  const started = performance.now();
  try {
    const result = await run();
    metrics?.runs.inc({ queue, outcome: 'completed' });
    return result;
  } catch (error) {
    metrics?.runs.inc({ queue, outcome: 'failed' });
    throw error;
  } finally {
    metrics?.seconds.observe({ queue }, (performance.now() - started) / 1_000);
  }
}

const keep = (policy: JobDefaults['keepCompleted']): KeepJobs =>
  'count' in policy ? { count: policy.count } : { age: policy.ageSeconds };

/** The name BullMQ stores for a `custom` backoff: the worker's backoffStrategy computes its delays. */
const CUSTOM_BACKOFF = 'capped-exponential';

function checkedPayload<Data>(definition: JobQueueDefinition<Data>, data: unknown): Data {
  const parsed = definition.payload.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`);
    throw new Error(`bad payload for queue ${definition.name}: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Where a layer's pieces live: its connection, its key prefix, its logger and metrics. */
interface LayerContext {
  connection: Redis;
  prefix: string;
  logger: Logger;
  metrics: JobMetrics | undefined;
}

function bullQueue(layer: LayerContext, name: string, defaults: JobDefaults | undefined): Queue {
  return new Queue(name, {
    connection: layer.connection,
    prefix: layer.prefix,
    ...(defaults && {
      defaultJobOptions: {
        attempts: defaults.attempts,
        backoff: {
          type: defaults.backoff.type === 'custom' ? CUSTOM_BACKOFF : 'exponential',
          delay: defaults.backoff.delayMs,
        },
        removeOnComplete: keep(defaults.keepCompleted),
        removeOnFail: keep(defaults.keepFailed),
      },
    }),
  });
}

/** Waits for a job on events of its own connection, closed afterwards (BullMQ does not close what it is given). */
async function waitFor<Result>(layer: LayerContext, queue: Queue, job: Job, timeoutMs: number): Promise<Result> {
  const eventsConnection = layer.connection.duplicate();
  const events = new QueueEvents(queue.name, { connection: eventsConnection, prefix: layer.prefix });
  try {
    await events.waitUntilReady();
    return (await job.waitUntilFinished(events, timeoutMs)) as Result;
  } finally {
    await events.close();
    eventsConnection.disconnect();
  }
}

function jobQueue<Data, Result>(
  layer: LayerContext,
  definition: JobQueueDefinition<Data>,
  queue: Queue,
): JobQueue<Data, Result> {
  const { logger } = layer;
  const queued = (job: Job): QueuedJob<Result> => ({
    id: job.id,
    finished: (timeoutMs) => waitFor<Result>(layer, queue, job, timeoutMs),
  });
  return {
    name: definition.name,
    async add(name, data, options = {}) {
      const payload = checkedPayload(definition, data);
      const job = await queue.add(name, payload, {
        ...(options.jobId !== undefined && { jobId: options.jobId }),
        ...(options.deduplicationId !== undefined && { deduplication: { id: options.deduplicationId } }),
      });
      return queued(job);
    },
    async addBulk(jobs) {
      if (jobs.length === 0) return;
      await queue.addBulk(
        jobs.map((job) => ({
          name: job.name,
          data: checkedPayload(definition, job.data),
          ...(job.jobId !== undefined && { opts: { jobId: job.jobId } }),
        })),
      );
    },
    async syncSchedules(schedules, label) {
      const wanted = new Set(schedules.map((schedule) => schedule.id));
      for (const existing of await queue.getJobSchedulers()) {
        if (existing.key && !wanted.has(existing.key)) {
          await queue.removeJobScheduler(existing.key);
          logger.info({ queue: queue.name, scheduler: existing.key }, 'removed a scheduler no longer in the list');
        }
      }
      for (const schedule of schedules) {
        await queue.upsertJobScheduler(
          schedule.id,
          { pattern: schedule.pattern, tz: SCHEDULE_TIME_ZONE },
          { name: schedule.id, data: checkedPayload(definition, schedule.data) },
        );
        logger.info(
          { queue: queue.name, scheduler: schedule.id, pattern: schedule.pattern, tz: SCHEDULE_TIME_ZONE },
          `${label} scheduler registered`,
        );
      }
    },
    async schedulers() {
      return (await queue.getJobSchedulers()).map((scheduler) => ({
        id: scheduler.key,
        pattern: scheduler.pattern ?? undefined,
        tz: scheduler.tz ?? undefined,
      }));
    },
    async obliterate() {
      await queue.obliterate({ force: true });
    },
  };
}

function startWorker<Data, Result>(
  layer: LayerContext,
  definition: JobQueueDefinition<Data>,
  handle: JobHandler<Data, Result>,
  options: JobWorkerOptions,
  connection: Redis,
): Worker {
  const { logger, metrics, prefix } = layer;
  const worker = new Worker(
    definition.name,
    async (job: Job) => {
      let data: Data;
      try {
        data = checkedPayload(definition, job.data);
      } catch (error) {
        // A payload no version of the handler can read: retrying would not help.
        throw new UnrecoverableError((error as Error).message);
      }
      const context: JobContext = {
        id: job.id,
        name: job.name,
        dueMs: job.opts.prevMillis ?? job.timestamp,
        attemptsMade: job.attemptsMade,
      };
      return measured(definition.name, metrics, () => handle(data, context));
    },
    {
      connection,
      prefix,
      concurrency: options.concurrency,
      ...(options.retryDelayMs && {
        settings: { backoffStrategy: (attemptsMade: number) => options.retryDelayMs?.(attemptsMade) ?? 0 },
      }),
    },
  );
  const logEach = options.logEachJob ?? true;
  worker.on('completed', (job, result) => {
    if (logEach) logger.info({ job: job.id, ...(result as object) }, `${options.label} job done`);
  });
  worker.on('failed', (job, error) => {
    const gaveUp =
      job === undefined || job.attemptsMade >= (job.opts.attempts ?? 1) || error.name === 'UnrecoverableError';
    if (logEach) logger.error({ err: error, job: job?.id }, `${options.label} job failed`);
    if (gaveUp) {
      logger.error({ job: job?.id, data: job?.data, err: error.message }, `${options.label} gave up`);
    }
  });
  worker.on('error', (error) => logger.error({ err: error, queue: definition.name }, 'job worker error'));
  logger.info({ queue: definition.name, prefix }, `${options.label} worker started`);
  return worker;
}

/** Opens the job layer on REDIS_URL: one connection for queues, one more per worker and per wait. */
export function openJobLayer(config: JobLayerConfig, logger: Logger, metrics?: JobMetrics): JobLayer {
  // BullMQ workers block on Redis: ioredis must not give up on those commands. Connections handed to BullMQ are
  // not closed by it: the layer closes them.
  const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  const layer: LayerContext = { connection, prefix: config.bullmqPrefix, logger, metrics };
  const workers: Worker[] = [];
  const queues = new Map<string, Queue>();
  const workerConnections: Redis[] = [];
  let closing: Promise<void> | undefined;
  return {
    queue<Data, Result>(definition: JobQueueDefinition<Data>, defaults?: JobDefaults): JobQueue<Data, Result> {
      let queue = queues.get(definition.name);
      if (!queue) {
        queue = bullQueue(layer, definition.name, defaults);
        queues.set(definition.name, queue);
      }
      return jobQueue<Data, Result>(layer, definition, queue);
    },
    work(definition, handle, options) {
      const workerConnection = connection.duplicate();
      workerConnections.push(workerConnection);
      workers.push(startWorker(layer, definition, handle, options, workerConnection));
    },
    close() {
      closing ??= (async () => {
        await Promise.all(workers.splice(0).map((worker) => worker.close()));
        await Promise.all([...queues.values()].map((queue) => queue.close()));
        queues.clear();
        for (const extra of workerConnections.splice(0)) extra.disconnect();
        connection.disconnect();
      })();
      return closing;
    },
  };
}

export interface ScheduledJobsOptions<Data, Result> {
  /** with a Redis URL, a BullMQ worker and job schedulers; without, the same handler on in-process timers */
  config: { redisUrl: string | undefined; bullmqPrefix: string };
  logger: Logger;
  metrics?: JobMetrics;
  queue: JobQueueDefinition<Data>;
  defaults: JobDefaults;
  schedules: readonly JobSchedule<Data>[];
  handle: JobHandler<Data, Result>;
  worker: JobWorkerOptions;
}

export interface ScheduledJobs {
  mode: 'queue' | 'in-process';
  /** stops firing and waits for the job in hand */
  stop(): Promise<void>;
}

/**
 * A service's recurring work: with REDIS_URL, the schedules become BullMQ job schedulers (any other scheduler of
 * the queue is removed) and a worker runs them, along with on-demand jobs of the same queue; without it, the
 * same handler runs on in-process timers, one job at a time.
 */
export async function startScheduledJobs<Data, Result>(
  options: ScheduledJobsOptions<Data, Result>,
): Promise<ScheduledJobs> {
  const { config, logger, queue: definition, worker: workerOptions } = options;
  const schedules = options.schedules.map((schedule) => ({
    ...schedule,
    data: checkedPayload(definition, schedule.data),
  }));
  if (config.redisUrl) {
    const layer = openJobLayer(
      { redisUrl: config.redisUrl, bullmqPrefix: config.bullmqPrefix },
      logger,
      options.metrics,
    );
    try {
      await layer.queue<Data, Result>(definition, options.defaults).syncSchedules(schedules, workerOptions.label);
      layer.work(definition, options.handle, workerOptions);
    } catch (error) {
      await layer.close();
      throw error;
    }
    return { mode: 'queue', stop: () => layer.close() };
  }

  const timers = new Map<string, NodeJS.Timeout>();
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const arm = (schedule: JobSchedule<Data>) => {
    const due = nextFireMs(schedule.pattern, Date.now());
    const fire = () => {
      if (stopped) return;
      const context: JobContext = { id: undefined, name: schedule.id, dueMs: due, attemptsMade: 0 };
      running = running
        .then(() => measured(definition.name, options.metrics, () => options.handle(schedule.data, context)))
        .then(
          (result) => logger.info({ scheduler: schedule.id, ...(result as object) }, `${workerOptions.label} job done`),
          (error: unknown) => logger.error({ err: error, scheduler: schedule.id }, `${workerOptions.label} job failed`),
        );
      arm(schedule);
    };
    timers.set(schedule.id, setTimeout(fire, Math.max(0, due - Date.now())));
  };
  for (const schedule of schedules) arm(schedule);
  logger.info(
    { queue: definition.name, schedules: schedules.map((schedule) => `${schedule.id} ${schedule.pattern}`) },
    `${workerOptions.label} jobs running in-process (no REDIS_URL)`,
  );
  return {
    mode: 'in-process',
    async stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      await running;
    },
  };
}
