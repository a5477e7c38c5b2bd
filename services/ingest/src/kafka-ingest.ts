import {
  createBatchConsumer,
  createDeadLetterProducer,
  createKafka,
  ensureTopics,
  type PartitionChunk,
} from '@commune-pulse/bus';
import { TOPICS } from '@commune-pulse/contracts';
import {
  createIngestMetrics,
  createMetricsRegistry,
  type Logger,
  onShutdownSignal,
  type RuntimeConfig,
  startMetricsServer,
} from '@commune-pulse/runtime';
import { openIngestContext } from './context.ts';
import { deadLetterHeaders } from './dead-letters.ts';
import { addOutcome, type BatchOutcome, type DeadLetterSink, emptyOutcome, type IngestPipeline } from './pipeline.ts';

/** Stores one chunk of a partition; `newSource`: no position of the chunk can have been stored before. */
export type ChunkStore = (chunk: PartitionChunk, newSource: boolean) => Promise<BatchOutcome>;

export interface KafkaIngestOptions {
  topic?: string | undefined;
  group?: string | undefined;
  /** commit and exit once no message came for this long */
  exitWhenIdleSeconds?: number | undefined;
  /** how often the lifecycle tables catch up with new events */
  deriveIntervalMs?: number;
  partitions?: number;
  chunkSize?: number | undefined;
  logger: Logger;
  /** after each stored chunk, with the time its processing began */
  onChunkStored?: (outcome: BatchOutcome, startedMs: number) => void;
  /** another source format on its own topic (the portal's sync records): its DLQ topic and its chunk store */
  dlqTopic?: string;
  chunkStore?: (pipeline: IngestPipeline) => Promise<ChunkStore>;
}

export const DEFAULT_INGEST_GROUP = 'commune-pulse-ingest';

/**
 * The ingest service: a consumer-group member on dossier-events.v1 that stores each partition exactly once
 * into the warehouse, keeps the lifecycle tables current, and stops cleanly on SIGTERM/SIGINT or when idle.
 */
export async function runKafkaIngest(config: RuntimeConfig, options: KafkaIngestOptions): Promise<BatchOutcome> {
  const { logger } = options;
  if (!config.kafkaBrokers) {
    throw new Error(
      'ingest --kafka needs KAFKA_BROKERS (e.g. KAFKA_BROKERS=127.0.0.1:9092; pnpm services:up starts one)',
    );
  }
  const topic = options.topic ?? TOPICS.dossierEvents;
  const context = await openIngestContext(config, logger);
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'commune-pulse-ingest', logger });
  const dlqTopic = options.dlqTopic ?? TOPICS.dossierEventsDlq;
  await ensureTopics(kafka, [
    { topic, numPartitions: options.partitions ?? 4 },
    { topic: dlqTopic, numPartitions: 1 },
  ]);
  const dlqProducer = await createDeadLetterProducer(kafka, dlqTopic);
  const deadLetters: DeadLetterSink = {
    send: (rejected) =>
      dlqProducer.send(
        rejected.map((item) => ({
          key: item.message.key ?? null,
          value: item.message.value,
          headers: deadLetterHeaders(item),
        })),
      ),
  };
  const pipeline = context.createPipeline(deadLetters);
  const storeChunk: ChunkStore = options.chunkStore
    ? await options.chunkStore(pipeline)
    : (chunk, newSource) => {
        const source = `kafka:${chunk.topic}:${chunk.partition}`;
        return pipeline.storeBatch(
          chunk.messages.map((message) => ({
            source,
            position: Number(message.offset),
            value: message.value,
            key: message.key,
          })),
          `${source}:${chunk.firstOffset}-${chunk.lastOffset}`,
          { newSource },
        );
      };
  const registry = createMetricsRegistry('ingest');
  const metrics = createIngestMetrics(registry);
  let total = emptyOutcome();
  let dirty = false;

  // Per partition, the last offset this member stored since it was assigned the partition: a chunk that
  // continues it cannot hold positions stored before, so the ledger lookup is skipped.
  const storedUpTo = new Map<number, bigint>();
  let lastLag = 0;
  const consumer = createBatchConsumer({
    kafka,
    topic,
    groupId: options.group ?? DEFAULT_INGEST_GROUP,
    logger,
    chunkSize: options.chunkSize,
    sessionTimeoutMs: config.kafkaSessionTimeoutMs,
    onError: () => metrics.retries.inc(),
    onGroupJoin: () => storedUpTo.clear(),
    handleChunk: async (chunk) => {
      const startedMs = Date.now();
      const timer = metrics.batchSeconds.startTimer();
      const outcome = await storeChunk(chunk, storedUpTo.get(chunk.partition) === BigInt(chunk.firstOffset) - 1n);
      storedUpTo.set(chunk.partition, BigInt(chunk.lastOffset));
      lastLag = chunk.lag;
      timer();
      total = addOutcome(total, outcome);
      dirty = dirty || outcome.accepted > 0;
      metrics.consumed.inc({ source: chunk.topic }, outcome.deliveries);
      metrics.stored.inc(outcome.accepted);
      metrics.duplicates.inc(outcome.duplicates);
      for (const [reason, count] of Object.entries(outcome.rejectedByReason)) metrics.rejected.inc({ reason }, count);
      metrics.lag.set({ topic: chunk.topic, partition: String(chunk.partition) }, chunk.lag);
      options.onChunkStored?.(outcome, startedMs);
    },
  });

  // Refreshes run one after another: each call is chained after the previous ones, so awaiting the latest
  // call means no refresh is left running (the warehouse must not close under one).
  let refreshes: Promise<void> = Promise.resolve();
  const deriveNow = (): Promise<void> => {
    refreshes = refreshes.then(async () => {
      if (!dirty) return;
      dirty = false;
      try {
        await context.derive();
      } catch (error) {
        dirty = true;
        logger.warn({ err: error }, 'refreshing the lifecycle tables failed; will retry');
      }
    });
    return refreshes;
  };
  // While a backlog is being caught up, refreshing every few seconds would recompute the same days again and
  // again: then the tables are refreshed once a minute, and as soon as the consumer is near the end.
  let lastRefreshAt = Date.now();
  const deriveTimer = setInterval(() => {
    const catchingUp = lastLag > 50_000 && Date.now() - lastRefreshAt < 60_000;
    if (catchingUp) return;
    lastRefreshAt = Date.now();
    void deriveNow();
  }, options.deriveIntervalMs ?? 10_000);

  const metricsServer =
    config.metricsPort === undefined
      ? null
      : await startMetricsServer(
          registry,
          () => ({ ok: consumer.healthy(), detail: { ...total } }),
          config.metricsPort,
        );
  if (metricsServer) logger.info({ port: metricsServer.port }, 'metrics on /metrics, health on /health');

  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let stopped = false;
  const stop = async (reason: string, refresh: boolean) => {
    if (stopped) return;
    stopped = true;
    logger.info({ reason }, 'stopping the consumer');
    clearInterval(deriveTimer);
    clearInterval(idleTimer);
    await consumer.stop();
    if (refresh) await deriveNow();
    else await refreshes;
    await dlqProducer.close();
    await metricsServer?.close();
    await context.close();
    finish();
  };
  // On a signal the lifecycle refresh is left to the next start: the deadline is for committing what is stored.
  const removeSignalHandlers = onShutdownSignal((signal) => stop(signal, false), { deadlineMs: 25_000, logger });
  const idleTimer = setInterval(() => {
    if (options.exitWhenIdleSeconds !== undefined && consumer.idleMs() >= options.exitWhenIdleSeconds * 1000) {
      void stop(`no message for ${options.exitWhenIdleSeconds} s`, true);
    }
  }, 250);

  await consumer.start();
  logger.info(
    { topic, group: options.group ?? DEFAULT_INGEST_GROUP, warehouse: context.warehouse.location },
    'consuming',
  );
  await finished;
  removeSignalHandlers();
  return total;
}
