import type { Logger } from '@commune-pulse/runtime';
import type { Consumer } from 'kafkajs';
import { type KafkaClient, kafkajsOf } from './client.ts';

/** A message as the project sees it: kafkajs' own type stays inside this package. */
export interface ConsumedMessage {
  offset: string;
  /** the producer's (or broker's) timestamp, milliseconds as a string; -1 for message format v0 */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
}

/** Where a message sits in Kafka: its topic, partition and offset (a typed position, never a formatted string). */
export interface TopicPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** A position as people read it in a stored row: `kafka:<topic>:<partition>:<offset>`. */
export function topicPositionLabel(position: TopicPosition): string {
  return `kafka:${position.topic}:${position.partition}:${position.offset}`;
}

export interface PartitionChunk {
  topic: string;
  partition: number;
  messages: ConsumedMessage[];
  firstOffset: string;
  lastOffset: string;
  /** messages still behind this chunk's end on the partition */
  lag: number;
}

export interface BatchConsumerOptions {
  kafka: KafkaClient;
  topic: string;
  groupId: string;
  logger: Logger;
  /**
   * Stores one chunk of a partition. Resolving means the data is durable: only then is the offset after the
   * chunk committed. Rejecting means "try again": the same chunk is retried with backoff, the partition
   * does not move on, and nothing more is fetched meanwhile (the bound on memory when the warehouse is down).
   */
  handleChunk: (chunk: PartitionChunk) => Promise<void>;
  /** messages per chunk at most; a chunk also ends where a fetch ends (the ledger makes any cut safe) */
  chunkSize?: number | undefined;
  /** how long the group waits for a member that vanished (SIGKILL) before giving its partitions away */
  sessionTimeoutMs?: number | undefined;
  maxBytesPerPartition?: number;
  retry?: { initialMs: number; maxMs: number };
  onError?: (error: unknown, attempt: number) => void;
  /** after every (re)join of the group: partitions may have changed hands */
  onGroupJoin?: () => void;
  /** partitions processed at once: one's chunk is validated while another's is written */
  partitionsConcurrently?: number;
}

export interface BatchConsumer {
  start(): Promise<void>;
  /** Finishes the chunk in hand, commits it, leaves the group. */
  stop(): Promise<void>;
  /**
   * Milliseconds this member has had nothing to do: its partitions are assigned, a fetch has returned since, no
   * chunk is in hand, and nothing arrived for that long. 0 while it is joining, waiting for its first fetch or
   * storing (however long a store takes on a busy machine).
   */
  idleMs(): number;
  /** messages fetched since start, 0 when every assigned partition was empty (or consumed before) */
  messagesFetched(): number;
  healthy(): boolean;
}

/**
 * Why a consumer run with `--exit-when-idle <seconds>` should stop now, or null while it should go on. A member
 * that fetched nothing at all says so: the topic was empty, or this group had consumed it before.
 */
export function idleStopReason(consumer: BatchConsumer, topic: string, exitWhenIdleSeconds?: number): string | null {
  if (exitWhenIdleSeconds === undefined || consumer.idleMs() < exitWhenIdleSeconds * 1000) return null;
  return consumer.messagesFetched() === 0
    ? `nothing to read on ${topic} for ${exitWhenIdleSeconds} s: the topic is empty, or this group consumed it before`
    : `no message for ${exitWhenIdleSeconds} s`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Splits a fetched batch into chunks of at most chunkSize messages. */
export function splitIntoChunks(
  messages: readonly { offset: string; timestamp: string; key?: Buffer | null; value: Buffer | null }[],
  chunkSize: number,
): ConsumedMessage[][] {
  const chunks: ConsumedMessage[][] = [];
  for (let start = 0; start < messages.length; start += chunkSize) {
    chunks.push(
      messages.slice(start, start + chunkSize).map((message) => ({
        offset: message.offset,
        timestamp: message.timestamp,
        key: message.key ?? null,
        value: message.value ?? null,
      })),
    );
  }
  return chunks;
}

/**
 * Stores a chunk, retrying with backoff for as long as it takes while this member still owns the partition;
 * false when it stopped owning it (rebalance, stop) before the chunk was stored.
 */
async function storeWithRetry(
  options: BatchConsumerOptions,
  failing: { since: number | null },
  attempt: { chunk: PartitionChunk; heartbeat: () => Promise<void>; isActive: () => boolean },
): Promise<boolean> {
  const { chunk, heartbeat, isActive } = attempt;
  const retry = options.retry ?? { initialMs: 200, maxMs: 15_000 };
  for (let tries = 1; ; tries++) {
    try {
      await options.handleChunk(chunk);
      failing.since = null;
      return true;
    } catch (error) {
      failing.since ??= Date.now();
      options.onError?.(error, tries);
      options.logger.warn(
        {
          err: error,
          topic: chunk.topic,
          partition: chunk.partition,
          offsets: `${chunk.firstOffset}-${chunk.lastOffset}`,
          attempt: tries,
        },
        'storing a chunk failed; retrying',
      );
      const delay = Math.min(retry.maxMs, retry.initialMs * 2 ** Math.min(tries - 1, 16));
      // Sleep in slices so that the group keeps this member while the warehouse is away.
      for (let waited = 0; waited < delay; waited += 1_000) {
        if (!isActive()) return false;
        await sleep(Math.min(1_000, delay - waited));
        await heartbeat().catch(() => {});
      }
      if (!isActive()) return false;
    }
  }
}

/**
 * A consumer-group member that processes each partition in order, chunk by chunk, and commits a partition's
 * offset only after its chunk is stored: the committed offset is always the end of a stored, contiguous
 * prefix. kafkajs is kept behind this interface so that another client could replace it.
 */
export function createBatchConsumer(options: BatchConsumerOptions): BatchConsumer {
  const chunkSize = options.chunkSize ?? 20_000;
  const consumer: Consumer = kafkajsOf(options.kafka).consumer({
    groupId: options.groupId,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 4 * 1024 * 1024,
    maxBytes: 8 * 1024 * 1024,
    minBytes: 1,
    maxWaitTimeInMs: 250,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: Math.min(3_000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 3)),
    retry: { retries: 10 },
  });
  // Idle time counts only once the member holds its partitions and a fetch has returned: a join can wait for a
  // vanished member's session to expire, and the first fetch for a busy broker or machine.
  let idleSince: number | null = null;
  let messagesFetched = 0;
  // since when storing has failed without a success (null while it succeeds): what health reports
  const failing = { since: null as number | null };
  let connected = false;
  let stopping = false;
  // The batches being processed (one per partition in hand): stop() waits for them, so that their last stored
  // chunks are committed while the consumer is still connected (kafkajs' disconnect does not wait for them).
  const batchesInHand = new Set<Promise<void>>();

  return {
    async start() {
      consumer.on(consumer.events.CONNECT, () => {
        connected = true;
      });
      consumer.on(consumer.events.DISCONNECT, () => {
        connected = false;
      });
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        // A member given no partition has nothing to fetch: it is idle from now on.
        const assigned = Object.values(event.payload.memberAssignment).some((partitions) => partitions.length > 0);
        idleSince = assigned ? null : Date.now();
        options.onGroupJoin?.();
        options.logger.info(
          { groupId: options.groupId, assignment: event.payload.memberAssignment },
          'joined the consumer group',
        );
      });
      consumer.on(consumer.events.FETCH, () => {
        idleSince ??= Date.now();
      });
      consumer.on(consumer.events.CRASH, (event) => {
        options.logger.error({ err: event.payload.error }, 'consumer crashed');
      });
      await consumer.connect();
      connected = true;
      await consumer.subscribe({ topic: options.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConcurrently ?? 2,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          const work = (async () => {
            messagesFetched += batch.messages.length;
            const isActive = () => isRunning() && !isStale() && !stopping;
            for (const messages of splitIntoChunks(batch.messages, chunkSize)) {
              if (!isActive()) return;
              const first = messages[0] as ConsumedMessage;
              const last = messages[messages.length - 1] as ConsumedMessage;
              const chunk: PartitionChunk = {
                topic: batch.topic,
                partition: batch.partition,
                messages,
                firstOffset: first.offset,
                lastOffset: last.offset,
                lag: Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n)),
              };
              const stored = await storeWithRetry(options, failing, { chunk, heartbeat, isActive });
              if (!stored) return;
              // Only the contiguous prefix that is stored moves the position, and it is committed at once.
              resolveOffset(last.offset);
              await consumer.commitOffsets([
                { topic: batch.topic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
              ]);
              await heartbeat();
            }
          })();
          batchesInHand.add(work);
          try {
            await work;
          } finally {
            batchesInHand.delete(work);
            if (idleSince !== null) idleSince = Date.now();
          }
        },
      });
    },
    async stop() {
      stopping = true;
      // The chunk being stored finishes and is committed; the rest of the batch is left for the next owner.
      await Promise.allSettled([...batchesInHand]);
      await consumer.disconnect();
    },
    idleMs: () => (idleSince === null || batchesInHand.size > 0 ? 0 : Date.now() - idleSince),
    messagesFetched: () => messagesFetched,
    healthy: () => connected && (failing.since === null || Date.now() - failing.since < 60_000),
  };
}
