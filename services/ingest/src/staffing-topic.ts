import {
  createBatchConsumer,
  createDeadLetterPublisher,
  createKafka,
  ensureTopics,
  type PartitionChunk,
  runConsumerService,
  type TopicPosition,
  topicPositionLabel,
} from '@commune-pulse/bus';
import {
  COMMUNE_STAFFING_DLQ_TOPIC,
  DLQ_HEADERS,
  dlqSourceHeaders,
  type StaffingRejectReason,
  TOPICS,
  validateStaffingMessage,
} from '@commune-pulse/contracts';
import { isKnownCommune } from '@commune-pulse/reference-data';
import type { Logger, RuntimeConfig } from '@commune-pulse/runtime';
import { openWarehouse, type StaffingRecord, saveStaffingRecords, type Warehouse } from '@commune-pulse/warehouse';

export interface StaffingConsumerOptions {
  logger: Logger;
  /** commit and exit once no message came for this long */
  exitWhenIdleSeconds?: number | undefined;
  topic?: string | undefined;
  group?: string | undefined;
  dlqTopic?: string | undefined;
  chunkSize?: number | undefined;
  partitions?: number;
  onChunkStored?: (outcome: StaffingOutcome) => void;
}

export interface StaffingOutcome {
  messages: number;
  /** valid roster rows, each stored (or superseded within its chunk by a later message for the same day) */
  stored: number;
  rejected: number;
  rejectedByReason: Partial<Record<StaffingRejectReason, number>>;
}

export const DEFAULT_STAFFING_GROUP = 'commune-pulse-staffing';

export function emptyStaffingOutcome(): StaffingOutcome {
  return { messages: 0, stored: 0, rejected: 0, rejectedByReason: {} };
}

function addStaffingOutcome(total: StaffingOutcome, chunk: StaffingOutcome): StaffingOutcome {
  const rejectedByReason = { ...total.rejectedByReason };
  for (const [reason, count] of Object.entries(chunk.rejectedByReason) as [StaffingRejectReason, number][]) {
    rejectedByReason[reason] = (rejectedByReason[reason] ?? 0) + count;
  }
  return {
    messages: total.messages + chunk.messages,
    stored: total.stored + chunk.stored,
    rejected: total.rejected + chunk.rejected,
    rejectedByReason,
  };
}

interface DeadLetterSender {
  send(letters: { key: Buffer | null; value: Buffer | null; headers: Record<string, string> }[]): Promise<void>;
}

/**
 * Validates and stores one chunk of a `commune-staffing.v1` partition. Exactly once: the insert carries a
 * deduplication token built from the chunk's topic, partition and offsets, so a retried chunk is dropped by the
 * engine; and a row's origin (its offset) and version (the message timestamp) come from the message itself,
 * so a redelivery cut into other chunks writes identical rows that collapse onto the stored ones.
 */
export async function storeStaffingChunk(
  warehouse: Warehouse,
  chunk: Pick<PartitionChunk, 'topic' | 'partition' | 'messages' | 'firstOffset' | 'lastOffset'>,
  deadLetters: DeadLetterSender,
): Promise<StaffingOutcome> {
  const outcome = emptyStaffingOutcome();
  const latestByKey = new Map<string, StaffingRecord>();
  const letters: Parameters<DeadLetterSender['send']>[0] = [];
  for (const message of chunk.messages) {
    outcome.messages += 1;
    const position: TopicPosition = { topic: chunk.topic, partition: chunk.partition, offset: message.offset };
    const result =
      message.value === null
        ? ({ ok: false, reason: 'not_json', detail: 'the message has no value (a tombstone)' } as const)
        : validateStaffingMessage(message.value, isKnownCommune);
    if (!result.ok) {
      outcome.rejected += 1;
      outcome.rejectedByReason[result.reason] = (outcome.rejectedByReason[result.reason] ?? 0) + 1;
      letters.push({
        key: message.key ?? null,
        value: message.value,
        headers: {
          [DLQ_HEADERS.reason]: result.reason,
          [DLQ_HEADERS.detail]: result.detail,
          ...dlqSourceHeaders({ kind: 'kafka', ...position }),
        },
      });
      continue;
    }
    outcome.stored += 1;
    const timestamp = Number(message.timestamp);
    const { row } = result;
    const record: StaffingRecord = {
      communeCode: row.commune_code,
      validFrom: row.valid_from,
      civilServants: row.civil_servants,
      contractStaff: row.contract_staff,
      supportFte: row.support_fte,
      counters: row.counters,
      source: topicPositionLabel(position),
      // Message format v0 has no timestamp (-1): the clock is the only order left for such a message.
      importedAtMs: Number.isFinite(timestamp) && timestamp > 0 ? timestamp : Date.now(),
    };
    // Two messages for the same commune and day in one chunk: the later one wins here rather than by the
    // engine's tie-breaking between equal versions.
    const key = `${record.communeCode} ${record.validFrom}`;
    const previous = latestByKey.get(key);
    if (previous === undefined || record.importedAtMs >= previous.importedAtMs) latestByKey.set(key, record);
  }
  // Rejects reach the DLQ before the offset is committed: a crash here re-sends them (at least once).
  if (letters.length > 0) await deadLetters.send(letters);
  await saveStaffingRecords(warehouse, [...latestByKey.values()], {
    dedupToken: `kafka:${chunk.topic}:${chunk.partition}:${chunk.firstOffset}-${chunk.lastOffset}`,
  });
  return outcome;
}

/**
 * A consumer-group member on `commune-staffing.v1`: stores roster rows into the warehouse exactly once, sends
 * invalid messages to the staffing DLQ with their reason, and stops cleanly on SIGTERM/SIGINT or when idle.
 */
export async function runStaffingConsumer(
  config: RuntimeConfig,
  options: StaffingConsumerOptions,
): Promise<StaffingOutcome> {
  const { logger } = options;
  if (!config.kafkaBrokers) {
    throw new Error(
      'staffing consume needs KAFKA_BROKERS (e.g. KAFKA_BROKERS=127.0.0.1:9092; pnpm services:up starts one)',
    );
  }
  const topic = options.topic ?? TOPICS.communeStaffing;
  const dlqTopic = options.dlqTopic ?? COMMUNE_STAFFING_DLQ_TOPIC;
  const group = options.group ?? DEFAULT_STAFFING_GROUP;
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: 'commune-pulse-staffing', logger });
  await ensureTopics(kafka, [
    { topic, numPartitions: options.partitions ?? 4 },
    { topic: dlqTopic, numPartitions: 1 },
  ]);
  const warehouse = await openWarehouse({ clickhouseUrl: config.clickhouseUrl, dataDir: config.dataDir });
  // At least once: a crash between the send and the commit sends a chunk's rejects again (roster rows are few).
  const dlqPublisher = createDeadLetterPublisher(kafka, dlqTopic, logger);
  let total = emptyStaffingOutcome();

  const consumer = createBatchConsumer({
    kafka,
    topic,
    groupId: group,
    logger,
    chunkSize: options.chunkSize,
    sessionTimeoutMs: config.kafkaSessionTimeoutMs,
    handleChunk: async (chunk) => {
      const outcome = await storeStaffingChunk(warehouse, chunk, {
        send: (letters) => dlqPublisher.send(`commune-pulse-staffing.${group}.${chunk.partition}`, letters),
      });
      total = addStaffingOutcome(total, outcome);
      if (outcome.rejected > 0) {
        logger.warn(
          { topic: chunk.topic, partition: chunk.partition, rejectedByReason: outcome.rejectedByReason, dlqTopic },
          'staffing messages rejected',
        );
      }
      options.onChunkStored?.(outcome);
    },
  });

  await runConsumerService({
    consumer,
    topic,
    logger,
    exitWhenIdleSeconds: options.exitWhenIdleSeconds,
    afterStop: async () => {
      try {
        await dlqPublisher.close();
      } finally {
        await warehouse.close();
      }
    },
    onStarted: () => logger.info({ topic, group, dlqTopic, warehouse: warehouse.location }, 'consuming staffing rows'),
  });
  return total;
}
