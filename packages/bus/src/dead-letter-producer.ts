import type { Logger } from '@commune-pulse/runtime';
import kafkajs, { type Producer } from 'kafkajs';
import { type KafkaClient, kafkajsOf } from './client.ts';

export interface DeadLetter {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: Record<string, string>;
}

/** A consumer group's offset, committed in the same transaction as the dead letters of the chunk before it. */
export interface OffsetInTransaction {
  groupId: string;
  topic: string;
  partition: number;
  /** the offset after the chunk */
  offset: string;
}

/**
 * Re-produces rejected messages, original bytes and key, to the DLQ topic, each batch in a Kafka transaction
 * (idempotent, acknowledged by all in-sync replicas). With `commit`, the source offset after the chunk is
 * committed in the same transaction: the letters and the offset land together or not at all, so a chunk read
 * again is a chunk whose letters were never delivered. DLQ readers see committed transactions only (kafkajs'
 * default isolation).
 *
 * One transactional producer per transactional id (a source partition, or a file import): a new owner of the
 * id fences the previous one, so a consumer that lost its partition cannot commit letters for it any more.
 */
export function createDeadLetterPublisher(client: KafkaClient, topic: string, logger: Logger) {
  const kafka = kafkajsOf(client);
  const producers = new Map<string, Promise<Producer>>();

  function producerFor(transactionalId: string): Promise<Producer> {
    let producer = producers.get(transactionalId);
    if (producer === undefined) {
      producer = (async () => {
        const made = kafka.producer({
          transactionalId,
          idempotent: true,
          maxInFlightRequests: 1,
          createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
        });
        await made.connect();
        return made;
      })();
      producers.set(transactionalId, producer);
      // A failed connection is not kept: the next call tries again.
      producer.catch(() => producers.delete(transactionalId));
    }
    return producer;
  }

  async function release(transactionalId: string): Promise<void> {
    const producer = producers.get(transactionalId);
    producers.delete(transactionalId);
    if (producer) await (await producer).disconnect().catch(() => {});
  }

  return {
    /** the DLQ topic the letters go to */
    topic,

    /** Connects the id's producer now, fencing any earlier holder of the id (call when a partition is taken). */
    async claim(transactionalId: string): Promise<void> {
      await producerFor(transactionalId);
    },

    async send(transactionalId: string, letters: readonly DeadLetter[], commit?: OffsetInTransaction): Promise<void> {
      if (letters.length === 0 && commit === undefined) return;
      const producer = await producerFor(transactionalId);
      const transaction = await producer.transaction();
      try {
        if (letters.length > 0) {
          await transaction.send({
            topic,
            acks: -1,
            messages: letters.map((letter) => ({ key: letter.key, value: letter.value, headers: letter.headers })),
          });
        }
        if (commit) {
          await transaction.sendOffsets({
            consumerGroupId: commit.groupId,
            topics: [{ topic: commit.topic, partitions: [{ partition: commit.partition, offset: commit.offset }] }],
          });
        }
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch((abortError: unknown) => {
          logger.warn({ err: abortError }, 'aborting a dead-letter transaction failed');
        });
        // A fenced or broken producer is dropped; the retry makes a new one.
        await release(transactionalId);
        throw error;
      }
    },

    release,

    async close(): Promise<void> {
      await Promise.all([...producers.keys()].map((id) => release(id)));
    },
  };
}

export type DeadLetterPublisher = ReturnType<typeof createDeadLetterPublisher>;
