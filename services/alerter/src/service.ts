import { TOPICS } from '@commune-pulse/contracts';
import { ConfigError, type Logger, onShutdownSignal } from '@commune-pulse/runtime';
import { openJobLayer } from '@commune-pulse/runtime/jobs';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import nodemailer from 'nodemailer';
import type { AlerterConfig } from './config.ts';
import { type AlertPublisher, type DispatchContext, type DispatchSummary, dispatchDue } from './dispatch.ts';
import { evaluatePendingRuns, type RunEvaluation } from './evaluate.ts';
import { kafkaAlertPublisher } from './publisher.ts';
import { startWebhookWorker, webhookJobs, webhookQueue } from './queue.ts';

export interface AlerterTick {
  evaluations: RunEvaluation[];
  dispatch: DispatchSummary;
}

export interface Alerter {
  context: DispatchContext;
  /** evaluates the runs not evaluated yet, then sends what is due */
  tick(): Promise<AlerterTick>;
  close(): Promise<void>;
}

export interface AlerterOptions {
  /** an open warehouse to use (the embedded engine serves one process): it is left open on close */
  warehouse?: Warehouse;
  now?: () => number;
  /**
   * Hand webhooks to BullMQ when REDIS_URL is set (default). A short-lived process (pnpm cli alerts evaluate)
   * sends them itself instead: nothing of it would be left to run the jobs.
   */
  useQueue?: boolean;
}

/**
 * Everything the alerter holds: the warehouse, the Kafka producer, the SMTP transport, and with REDIS_URL the
 * BullMQ queue and worker of webhook deliveries. Used by the service loop, `pnpm cli alerts evaluate` and
 * any process that wants evaluation in-process.
 */
export async function openAlerter(
  config: AlerterConfig,
  logger: Logger,
  options: AlerterOptions = {},
): Promise<Alerter> {
  const warehouse =
    options.warehouse ?? (await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir }));
  const closers: Array<() => Promise<void> | void> = [];
  if (!options.warehouse) closers.push(() => warehouse.close());
  try {
    let publisher: AlertPublisher | undefined;
    if (config.kafkaBrokers) {
      publisher = await kafkaAlertPublisher(config.kafkaBrokers, logger);
      const opened = publisher;
      closers.push(() => opened.close());
    }
    const mailer = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : undefined;
    if (mailer) closers.push(() => mailer.close());
    const context: DispatchContext = {
      warehouse,
      logger,
      now: options.now,
      rules: config.rules,
      routing: config.routing,
      kafkaTopic: config.kafkaBrokers ? TOPICS.communeAlerts : undefined,
      digestHour: config.digestHour,
      notifyMaxAgeMs: config.notifyMaxAgeMs,
      mailer,
      emailFrom: config.emailFrom,
      publisher,
      retry: config.retry,
      webhookTimeoutMs: config.webhookTimeoutMs,
    };
    if (config.redisUrl && options.useQueue !== false) {
      const jobs = openJobLayer({ redisUrl: config.redisUrl, bullmqPrefix: config.bullmqPrefix }, logger);
      closers.push(() => jobs.close());
      context.webhookJobs = webhookJobs(webhookQueue(jobs, config.retry));
      startWebhookWorker(jobs, context);
    }
    return {
      context,
      async tick() {
        const evaluations = await evaluatePendingRuns(context);
        const dispatch = await dispatchDue(context);
        return { evaluations, dispatch };
      },
      async close() {
        for (const close of closers.splice(0).reverse()) await close();
      },
    };
  } catch (error) {
    for (const close of closers.splice(0).reverse()) await Promise.resolve(close()).catch(() => {});
    throw error;
  }
}

export interface AlerterService {
  alerter: Alerter;
  stop(): Promise<void>;
  finished: Promise<void>;
}

/**
 * The alerter as a service: every ALERTER_POLL_SECONDS it evaluates the estimation runs it has not evaluated
 * yet (the watermark is alert_evaluations in the warehouse, so a restart resumes where it stopped) and sends
 * what the outbox holds that is due. With `handleSignals`, SIGTERM and SIGINT stop it.
 */
export async function startAlerterService(
  config: AlerterConfig,
  logger: Logger,
  options: AlerterOptions & { handleSignals?: boolean } = {},
): Promise<AlerterService> {
  const needsMail = config.routing.emails.length > 0;
  if (needsMail && !config.smtpUrl) {
    throw new ConfigError('the alert routing sends e-mail: set SMTP_URL (e.g. smtp://user:pass@mail.example.vn:587)');
  }
  const alerter = await openAlerter(config, logger, options);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const loop = () => {
    if (stopped) return;
    current = alerter
      .tick()
      .then(({ evaluations, dispatch }) => {
        const evaluated = evaluations.filter((evaluation) => evaluation.outcome === 'evaluated');
        const changed = evaluated.reduce((sum, evaluation) => sum + evaluation.transitions.length, 0);
        if (evaluations.length > 0 || dispatch.sent + dispatch.failed + dispatch.silenced + dispatch.queued > 0) {
          logger.info({ runs: evaluations.length, evaluated: evaluated.length, changed, ...dispatch }, 'alerter tick');
        }
      })
      .catch((error: unknown) => logger.error({ err: error }, 'alerter tick failed'))
      .then(() => {
        if (!stopped) timer = setTimeout(loop, config.pollMs);
      });
  };
  loop();
  logger.info(
    {
      pollMs: config.pollMs,
      rules: config.rules.filter((rule) => rule.enabled).map((rule) => rule.id),
      webhooks: config.routing.webhooks.length,
      emails: config.routing.emails.length,
      kafka: config.kafkaBrokers !== undefined,
      bullmq: config.redisUrl !== undefined,
    },
    'alerter started',
  );

  let resolveFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    resolveFinished = resolve;
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      stopped = true;
      clearTimeout(timer);
      await current;
      await alerter.close();
      resolveFinished();
    })();
    return stopping;
  };
  if (options.handleSignals) onShutdownSignal(stop, { deadlineMs: 30_000, logger });
  return { alerter, stop, finished };
}
