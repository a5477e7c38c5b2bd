import { join } from 'node:path';
import { nextFireMs, previousWeekPeriod, redisConnection, SCHEDULE_TIME_ZONE } from '@commune-pulse/estimator';
import { type Logger, onShutdownSignal } from '@commune-pulse/runtime';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { type Job, Queue, Worker } from 'bullmq';
import type { ReporterConfig } from './config.ts';
import { type DeliveryOutcome, deliverReport } from './deliver.ts';
import { generateReport } from './generate.ts';
import type { Lang } from './i18n.ts';
import { type PdfRenderer, pdfRenderer } from './pdf.ts';
import { type Edition, editionsFor, type Routing, recipientsOf } from './routing.ts';

export const REPORT_QUEUE = 'commune-pulse-reports';
export const WEEKLY_REPORT_SCHEDULER = 'weekly-report-monday-0700';

export interface ReportJobData {
  /** `2026-W47`, or 'previous': the ISO week that ended before the job was due */
  week: string;
  trigger: string;
}

export interface ReportJobResult {
  week: string;
  reports: { reportId: string; provinceCode: string | null; pdf: string }[];
  sent: number;
  failed: number;
}

export interface WeeklyReportDependencies {
  warehouse: Warehouse;
  pdf: PdfRenderer;
  logger: Logger;
  routing: Routing;
  reportsDir: string;
  lang: Lang;
  smtpUrl: string | undefined;
  mailFrom: string;
  retryDelaysMs?: readonly number[];
}

/**
 * The Monday job: the national edition and each edition the routing file asks for, written under
 * `<reports dir>/<week>/`, recorded, then announced to each edition's recipients.
 */
export async function runWeeklyReports(
  dependencies: WeeklyReportDependencies,
  data: ReportJobData,
  dueMs: number,
): Promise<ReportJobResult> {
  const week = data.week === 'previous' ? previousWeekPeriod(dueMs).label : data.week;
  const editions: Edition[] = [...new Set<Edition>([null, ...editionsFor(dependencies.routing)])];
  const outDir = join(dependencies.reportsDir, week);
  const result: ReportJobResult = { week, reports: [], sent: 0, failed: 0 };
  // Every edition is written before any is announced: a failure half-way leaves no recipient with a week
  // that the job will then regenerate.
  const generated = [];
  for (const provinceCode of editions) {
    const report = await generateReport(dependencies, {
      week,
      provinceCode: provinceCode ?? undefined,
      lang: dependencies.lang,
      outDir,
      trigger: data.trigger,
    });
    generated.push(report);
    result.reports.push({ reportId: report.reportId, provinceCode, pdf: report.pdf.path });
  }
  for (const report of generated) {
    const outcomes: DeliveryOutcome[] = await deliverReport(
      report,
      recipientsOf(dependencies.routing, report.provinceCode),
      {
        warehouse: dependencies.warehouse,
        logger: dependencies.logger,
        smtpUrl: dependencies.smtpUrl,
        mailFrom: dependencies.mailFrom,
        retryDelaysMs: dependencies.retryDelaysMs,
      },
    );
    for (const outcome of outcomes) result[outcome.outcome] += 1;
  }
  return result;
}

export function reportQueue(connection: ReturnType<typeof redisConnection>, prefix: string) {
  return new Queue<ReportJobData, ReportJobResult>(REPORT_QUEUE, {
    connection,
    prefix,
    defaultJobOptions: {
      // The estimation of the week may still be running at 07:00: retried for about an hour before giving up.
      attempts: 6,
      backoff: { type: 'exponential', delay: 120_000 },
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 200 },
    },
  });
}

/** The one recurring report; any other scheduler left in the queue by an older version is removed. */
export async function registerReportSchedule(
  queue: Queue<ReportJobData, ReportJobResult>,
  pattern: string,
  logger: Logger,
): Promise<void> {
  for (const existing of await queue.getJobSchedulers()) {
    if (existing.key && existing.key !== WEEKLY_REPORT_SCHEDULER) await queue.removeJobScheduler(existing.key);
  }
  await queue.upsertJobScheduler(
    WEEKLY_REPORT_SCHEDULER,
    { pattern, tz: SCHEDULE_TIME_ZONE },
    { name: WEEKLY_REPORT_SCHEDULER, data: { week: 'previous', trigger: `schedule:${WEEKLY_REPORT_SCHEDULER}` } },
  );
  logger.info({ scheduler: WEEKLY_REPORT_SCHEDULER, pattern, tz: SCHEDULE_TIME_ZONE }, 'report scheduler registered');
}

export interface ReporterService {
  stop(): Promise<void>;
  finished: Promise<void>;
}

/** The reporter: with REDIS_URL a BullMQ worker and its job scheduler; without it the same job on an in-process timer. */
export async function startReporterService(config: ReporterConfig, logger: Logger): Promise<ReporterService> {
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  const pdf = pdfRenderer(config.chromiumPath);
  const dependencies: WeeklyReportDependencies = {
    warehouse,
    pdf,
    logger,
    routing: config.routing,
    reportsDir: config.reportsDir,
    lang: config.lang,
    smtpUrl: config.smtpUrl,
    mailFrom: config.mailFrom,
  };
  let stopWork: () => Promise<void>;

  if (config.redisUrl) {
    const connection = redisConnection(config.redisUrl);
    const queue = reportQueue(connection, config.bullmqPrefix);
    await registerReportSchedule(queue, config.weeklyPattern, logger);
    const workerConnection = connection.duplicate();
    // One report at a time: a national edition holds a browser page and a few hundred MB of layout.
    const worker = new Worker<ReportJobData, ReportJobResult>(
      REPORT_QUEUE,
      async (job: Job<ReportJobData, ReportJobResult>) =>
        // A scheduled job reports the week that ended before it was due, not before it ran.
        runWeeklyReports(dependencies, job.data, job.opts.prevMillis ?? job.timestamp),
      { connection: workerConnection, prefix: config.bullmqPrefix, concurrency: 1 },
    );
    worker.on('failed', (job, error) => logger.error({ err: error, job: job?.id }, 'report job failed'));
    worker.on('completed', (job, result) => logger.info({ job: job.id, ...result }, 'report job done'));
    logger.info({ queue: REPORT_QUEUE, prefix: config.bullmqPrefix }, 'reporter worker started');
    stopWork = async () => {
      // The worker finishes the job in hand; connections passed to BullMQ are ours to close.
      await worker.close();
      await queue.close();
      workerConnection.disconnect();
      connection.disconnect();
    };
  } else {
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> = Promise.resolve();
    let stopped = false;
    const arm = () => {
      const due = nextFireMs(config.weeklyPattern, Date.now());
      timer = setTimeout(
        () => {
          if (stopped) return;
          running = running
            .then(() => runWeeklyReports(dependencies, { week: 'previous', trigger: 'schedule:in-process' }, due))
            .then((result) => logger.info(result, 'report job done'))
            .catch((error: unknown) => logger.error({ err: error }, 'report job failed'));
          arm();
        },
        Math.max(0, due - Date.now()),
      );
    };
    arm();
    logger.info({ pattern: config.weeklyPattern }, 'reporter running in-process (no REDIS_URL)');
    stopWork = async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    };
  }

  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    resolveFinished = resolve;
  });
  const stop = async () => {
    await stopWork();
    await pdf.close();
    await warehouse.close();
    resolveFinished();
  };
  onShutdownSignal(stop, { deadlineMs: 60_000, logger });
  return { stop, finished };
}
