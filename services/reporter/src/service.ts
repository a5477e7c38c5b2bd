import { join } from 'node:path';
import { JOB_QUEUES, type ReportJobData } from '@commune-pulse/contracts';
import { previousWeekPeriod } from '@commune-pulse/reference-data';
import { type Logger, onShutdownSignal } from '@commune-pulse/runtime';
import {
  type JobDefaults,
  type JobLayer,
  type JobQueue,
  type JobSchedule,
  type JobWorkerOptions,
  startScheduledJobs,
} from '@commune-pulse/runtime/jobs';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import type { ReporterConfig } from './config.ts';
import { type DeliveryOutcome, deliverReport } from './deliver.ts';
import { generateReport } from './generate.ts';
import type { Lang } from './i18n.ts';
import { type PdfRenderer, pdfRenderer } from './pdf.ts';
import { type Edition, editionsFor, type Routing, recipientsOf } from './routing.ts';

export const WEEKLY_REPORT_SCHEDULER = 'weekly-report-monday-0700';

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

export const REPORT_JOB_DEFAULTS: JobDefaults = {
  // The estimation of the week may still be running at 07:00: retried for about an hour before giving up.
  attempts: 6,
  backoff: { type: 'exponential', delayMs: 120_000 },
  keepCompleted: { count: 100 },
  keepFailed: { count: 200 },
};

/** One report at a time: a national edition holds a browser page and a few hundred MB of layout. */
export const REPORT_WORKER: JobWorkerOptions = { concurrency: 1, label: 'report' };

export function reportQueue(jobs: JobLayer): JobQueue<ReportJobData, ReportJobResult> {
  return jobs.queue<ReportJobData, ReportJobResult>(JOB_QUEUES.weeklyReport, REPORT_JOB_DEFAULTS);
}

/** The one recurring report; registering it removes any other scheduler an older version left in the queue. */
export function reportSchedules(pattern: string): JobSchedule<ReportJobData>[] {
  return [
    {
      id: WEEKLY_REPORT_SCHEDULER,
      pattern,
      data: { week: 'previous', trigger: `schedule:${WEEKLY_REPORT_SCHEDULER}` },
    },
  ];
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
  const jobs = await startScheduledJobs({
    config,
    logger,
    queue: JOB_QUEUES.weeklyReport,
    defaults: REPORT_JOB_DEFAULTS,
    schedules: reportSchedules(config.weeklyPattern),
    // A scheduled job reports the week that ended before it was due, not before it ran.
    handle: (data, job) => runWeeklyReports(dependencies, data, job.dueMs),
    worker: REPORT_WORKER,
  });

  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    resolveFinished = resolve;
  });
  const stop = async () => {
    await jobs.stop();
    await pdf.close();
    await warehouse.close();
    resolveFinished();
  };
  onShutdownSignal(stop, { deadlineMs: 60_000, logger });
  return { stop, finished };
}
