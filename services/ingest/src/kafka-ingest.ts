import {
  type ConsumedMessage,
  createBatchConsumer,
  createKafka,
  ensureTopics,
  fetchTopicIdentity,
  type OffsetInTransaction,
  type PartitionChunk,
  runConsumerService,
} from '@commune-pulse/bus';
import { type ElementBlocks, type Source, sourceOf, TOPICS } from '@commune-pulse/contracts';
import {
  createIngestMetrics,
  createMetricsRegistry,
  type IngestMetrics,
  type Logger,
  type RuntimeConfig,
  startMetricsServer,
} from '@commune-pulse/runtime';
import { type IngestContext, openIngestContext } from './context.ts';
import { kafkaDeadLetterSink } from './dead-letters.ts';
import { addOutcome, type BatchOutcome, emptyOutcome, type IngestPipeline } from './pipeline.ts';

/** A chunk of one partition as consumed, with the source it is part of. */
export interface ConsumedChunk {
  source: Source;
  partition: number;
  messages: readonly ConsumedMessage[];
}

/** Stores one consumed chunk; `commit` is the offset after it, for the pipeline to commit with its dead letters. */
export type ChunkStore = (chunk: ConsumedChunk, commit: { offset: OffsetInTransaction }) => Promise<BatchOutcome>;

/**
 * How a topic's messages enter the pipeline. The default door takes each message as one dossier-event/1
 * delivery at its offset. Another format (the portal's sync records) maps its messages itself; its blocks make
 * its source another than the same topic read as events.
 */
export interface KafkaDoor {
  blocks?: ElementBlocks;
  /** Called once the pipeline exists. */
  open(pipeline: IngestPipeline): Promise<ChunkStore>;
}

export const DOSSIER_EVENTS_DOOR: KafkaDoor = {
  open: async (pipeline) => (chunk, commit) =>
    pipeline.storeChunk(
      {
        source: chunk.source,
        partition: chunk.partition,
        messages: chunk.messages.map((message) => ({
          position: Number(message.offset),
          value: message.value,
          key: message.key,
        })),
      },
      commit,
    ),
};

export interface KafkaIngestOptions {
  topic?: string | undefined;
  group?: string | undefined;
  /** where rejects go (dossier-events.v1.dlq by default) */
  dlqTopic?: string | undefined;
  /** how messages enter the pipeline (dossier-event/1 messages by default) */
  door?: KafkaDoor | undefined;
  /** commit and exit once no message came for this long */
  exitWhenIdleSeconds?: number | undefined;
  /** how often the lifecycle tables catch up with new events */
  deriveIntervalMs?: number;
  partitions?: number;
  chunkSize?: number | undefined;
  /** bytes fetched per partition and request (smaller fetches cut chunks smaller) */
  fetchBytes?: number | undefined;
  logger: Logger;
  /** progress of each refresh of the lifecycle tables (communes done of total) */
  onDeriveProgress?: (done: number, total: number) => void;
  /** after each stored chunk, with the time its processing began */
  onChunkStored?: (outcome: BatchOutcome, startedMs: number) => void;
  /** just before the consumer connects, subscribes and joins its group: where an end-to-end time starts */
  onConsumerStarting?: () => void;
}

export const DEFAULT_INGEST_GROUP = 'commune-pulse-ingest';

/**
 * The ingest service: a consumer-group member on dossier-events.v1 (or another topic through its door) that
 * stores each partition exactly once into the warehouse, keeps the lifecycle tables current, and stops cleanly
 * on SIGTERM/SIGINT or when idle.
 */
export async function runKafkaIngest(config: RuntimeConfig, options: KafkaIngestOptions): Promise<BatchOutcome> {
  const { logger } = options;
  if (!config.kafkaBrokers) {
    throw new Error(
      'ingest --kafka needs KAFKA_BROKERS (e.g. KAFKA_BROKERS=127.0.0.1:9092; pnpm services:up starts one)',
    );
  }
  const topic = options.topic ?? TOPICS.dossierEvents;
  const groupId = options.group ?? DEFAULT_INGEST_GROUP;
  const dlqTopic = options.dlqTopic ?? TOPICS.dossierEventsDlq;
  const door = options.door ?? DOSSIER_EVENTS_DOOR;
  const brokers = config.kafkaBrokers;
  const context = await openIngestContext(config, logger);
  const kafka = createKafka({ brokers, clientId: 'commune-pulse-ingest', logger });
  await ensureTopics(kafka, [
    { topic, numPartitions: options.partitions ?? 4 },
    { topic: dlqTopic, numPartitions: 1 },
  ]);
  const deadLetters = kafkaDeadLetterSink(kafka, {
    topic: dlqTopic,
    transactionalIdPrefix: `commune-pulse-ingest.${groupId}`,
    logger,
  });
  const pipeline = context.createPipeline(deadLetters);
  const storeChunk = await door.open(pipeline);
  const registry = createMetricsRegistry('ingest');
  const metrics = createIngestMetrics(registry);
  let total = emptyOutcome();
  const lifecycle = lifecycleRefresher(context, logger, options);

  const resolveSource = topicSourceResolver({ warehouse: context.warehouse, brokers, topic, door, metrics, logger });
  let source = await resolveSource(null);
  const lastStoredOffset = new Map<number, bigint>();
  const claimedPartitions = new Set<number>();

  const consumer = createBatchConsumer({
    kafka,
    topic,
    groupId,
    logger,
    chunkSize: options.chunkSize,
    ...(options.fetchBytes === undefined ? {} : { maxBytesPerPartition: options.fetchBytes }),
    sessionTimeoutMs: config.kafkaSessionTimeoutMs,
    onError: () => metrics.retries.inc(),
    onGroupJoin: () => {
      claimedPartitions.clear();
      lastStoredOffset.clear();
    },
    handleChunk: async (chunk) => {
      const startedMs = Date.now();
      const timer = metrics.batchSeconds.startTimer();
      const firstOffset = BigInt(chunk.firstOffset);
      const previous = lastStoredOffset.get(chunk.partition);
      if (previous !== undefined && firstOffset <= previous) source = await resolveSource(source);
      const current = source;
      if (!claimedPartitions.has(chunk.partition)) {
        // Fences a consumer that held this partition before: its dead-letter transactions can no longer commit.
        await deadLetters.claim?.(current, chunk.partition);
        claimedPartitions.add(chunk.partition);
      }
      const outcome = await storeChunk(
        { source: current, partition: chunk.partition, messages: chunk.messages },
        {
          offset: {
            groupId,
            topic: chunk.topic,
            partition: chunk.partition,
            offset: (BigInt(chunk.lastOffset) + 1n).toString(),
          },
        },
      );
      lastStoredOffset.set(chunk.partition, BigInt(chunk.lastOffset));
      lifecycle.lag = chunk.lag;
      timer();
      total = addOutcome(total, outcome);
      if (outcome.accepted > 0) lifecycle.markDirty();
      recordStoredChunk(metrics, logger, chunk, outcome);
      options.onChunkStored?.(outcome, startedMs);
    },
  });

  const metricsServer =
    config.metricsPort === undefined
      ? null
      : await startMetricsServer(
          registry,
          () => ({ ok: consumer.healthy(), detail: { ...total } }),
          config.metricsPort,
        );
  if (metricsServer) logger.info({ port: metricsServer.port }, 'metrics on /metrics, health on /health');

  lifecycle.startTimer();
  options.onConsumerStarting?.();
  // On a signal the lifecycle refresh is left to the next start: the deadline is for committing what is stored.
  await runConsumerService({
    consumer,
    topic,
    logger,
    exitWhenIdleSeconds: options.exitWhenIdleSeconds,
    onStopping: () => lifecycle.stopTimer(),
    afterStop: async ({ cause }) => {
      if (cause === 'idle') await lifecycle.refresh();
      else await lifecycle.settled();
      await deadLetters.close();
      await metricsServer?.close();
      await context.close();
    },
    onStarted: () =>
      logger.info(
        {
          topic,
          topicId: source.identity.kind === 'kafka' ? source.identity.topicId : null,
          group: groupId,
          warehouse: context.warehouse.location,
        },
        'consuming',
      ),
  });
  return total;
}

/**
 * The topic by its id, not its name: a topic deleted and created again is a new source (its offsets start again
 * at 0), found at start and whenever a partition's offsets go backwards; the change is logged and counted.
 */
function topicSourceResolver(parts: {
  warehouse: IngestContext['warehouse'];
  brokers: readonly string[];
  topic: string;
  door: KafkaDoor;
  metrics: IngestMetrics;
  logger: Logger;
}) {
  const { warehouse, brokers, topic, door, metrics, logger } = parts;
  return async (previous: Source | null): Promise<Source> => {
    const identity = await fetchTopicIdentity(brokers[0] as string, topic);
    const found = sourceOf({ kind: 'kafka', topic, ...identity }, door.blocks);
    const earlier = await warehouse.query<{ topic_id: string }>(
      `SELECT topic_id FROM ingest_sources FINAL
       WHERE kind = 'kafka' AND label = {topic:String} AND cluster_id = {cluster:String} AND topic_id != {id:String}`,
      { topic, cluster: identity.clusterId, id: identity.topicId },
    );
    if (earlier.length > 0 && previous?.key !== found.key) {
      metrics.sourceChanges.inc();
      logger.warn(
        { topic, topicId: identity.topicId, earlierTopicIds: earlier.map((row) => row.topic_id) },
        'the topic was re-created since events were last stored from it: its offsets start again, its events are a new source',
      );
    }
    return found;
  };
}

/** The metrics of a stored chunk, and a debug line that says it is stored. */
function recordStoredChunk(metrics: IngestMetrics, logger: Logger, chunk: PartitionChunk, outcome: BatchOutcome) {
  logger.debug(
    { partition: chunk.partition, offsets: `${chunk.firstOffset}-${chunk.lastOffset}`, accepted: outcome.accepted },
    'stored a chunk',
  );
  metrics.consumed.inc({ source: chunk.topic }, outcome.deliveries);
  metrics.stored.inc(outcome.accepted);
  metrics.duplicates.inc(outcome.duplicates);
  metrics.redelivered.inc(outcome.redelivered);
  for (const [reason, count] of Object.entries(outcome.rejectedByReason)) metrics.rejected.inc({ reason }, count);
  metrics.lag.set({ topic: chunk.topic, partition: String(chunk.partition) }, chunk.lag);
}

/**
 * Keeps the lifecycle tables current while consuming. Refreshes run one after another: each call is chained after
 * the previous ones, so awaiting the latest means no refresh is left running (the warehouse must not close under
 * one). While a backlog is caught up (lag above 50,000), refreshing every few seconds would recompute the same days
 * again and again: then the tables are refreshed once a minute, and as soon as the consumer is near the end.
 */
function lifecycleRefresher(
  context: IngestContext,
  logger: Logger,
  options: Pick<KafkaIngestOptions, 'deriveIntervalMs' | 'onDeriveProgress'>,
) {
  // Dirty from the start: a process stopped by a signal or killed leaves its last chunks to the next start.
  let dirty = true;
  let refreshes: Promise<void> = Promise.resolve();
  let lastRefreshAt = Date.now();
  const state = {
    /** messages still behind the last stored chunk */
    lag: 0,
    markDirty() {
      dirty = true;
    },
    refresh(): Promise<void> {
      refreshes = refreshes.then(async () => {
        if (!dirty) return;
        dirty = false;
        try {
          const derived = await context.derive(options.onDeriveProgress);
          if (derived.dataQualityCompleted > 0) {
            logger.warn(
              { chunks: derived.dataQualityCompleted },
              'data_quality was missing chunks a stopped process had stored; completed from the ledger',
            );
          }
        } catch (error) {
          dirty = true;
          logger.warn({ err: error }, 'refreshing the lifecycle tables failed; will retry');
        }
      });
      return refreshes;
    },
    settled: () => refreshes,
    startTimer() {
      timer ??= setInterval(() => {
        const catchingUp = state.lag > 50_000 && Date.now() - lastRefreshAt < 60_000;
        if (catchingUp) return;
        lastRefreshAt = Date.now();
        void state.refresh();
      }, options.deriveIntervalMs ?? 10_000);
    },
    stopTimer: () => clearInterval(timer),
  };
  let timer: NodeJS.Timeout | undefined;
  return state;
}
