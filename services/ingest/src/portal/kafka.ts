import { createKafka, ensureTopics } from '@commune-pulse/bus';
import { TOPICS } from '@commune-pulse/contracts';
import type { Logger, RuntimeConfig } from '@commune-pulse/runtime';
import type { KafkaMessage } from 'kafkajs';
import kafkajs from 'kafkajs';
import { type KafkaIngestOptions, runKafkaIngest } from '../kafka-ingest.ts';
import type { BatchOutcome } from '../pipeline.ts';
import { createPortalAdapter, MAX_PORTAL_ELEMENT_BYTES, type PortalItem, tooLargeElement } from './adapter.ts';
import type { PortalCallSink } from './journal.ts';
import { unitMappingOf } from './units.ts';

export const DEFAULT_PORTAL_GROUP = 'commune-pulse-portal';

/** A Kafka message of portal-dossiers.v1 as an adapter element: an envelope, or a record a province produced. */
function itemOf(source: string, message: KafkaMessage): PortalItem {
  const timestamp = Number(message.timestamp);
  const observedAtMs = Number.isFinite(timestamp) && timestamp > 0 ? timestamp : null;
  const position = Number(message.offset);
  const bytes = message.value;
  if (bytes === null) {
    return {
      source,
      position,
      text: '',
      reject: { reason: 'not_json', detail: 'the message has no value (a tombstone)' },
    };
  }
  if (bytes.byteLength > MAX_PORTAL_ELEMENT_BYTES) return tooLargeElement(source, position, observedAtMs);
  return { source, position, text: bytes.toString('utf8'), observedAtMs };
}

/**
 * The ingest service's consumer of portal-dossiers.v1: the same chunked, exactly-once consumer as for
 * dossier-events.v1, each chunk going through the portal adapter; rejects go to portal-dossiers.v1.dlq.
 */
export function runPortalKafkaIngest(
  config: RuntimeConfig,
  options: Omit<KafkaIngestOptions, 'chunkStore' | 'dlqTopic'> & { officerKey?: string | undefined },
): Promise<BatchOutcome> {
  return runKafkaIngest(config, {
    ...options,
    topic: options.topic ?? TOPICS.portalDossiers,
    group: options.group ?? DEFAULT_PORTAL_GROUP,
    dlqTopic: TOPICS.portalDossiersDlq,
    chunkStore: async (pipeline) => {
      const adapter = createPortalAdapter({
        pipeline,
        warehouse: pipeline.warehouse,
        units: await unitMappingOf(pipeline.warehouse),
        officerKey: options.officerKey,
      });
      return (chunk, newSource) => {
        // Not `kafka:`: a record owns 64 positions (its events), which are not Kafka offsets.
        const source = `portal-kafka:${chunk.topic}:${chunk.partition}`;
        return adapter.storeItems(
          chunk.messages.map((message) => itemOf(source, message)),
          `${source}:${chunk.firstOffset}-${chunk.lastOffset}`,
          { newSource },
        );
      };
    },
  });
}

/** With a broker, the receiver's durability: every record of a call produced with acks from all in-sync replicas. */
export async function kafkaCallSink(
  config: RuntimeConfig,
  logger: Logger,
  topic: string = TOPICS.portalDossiers,
): Promise<PortalCallSink> {
  const kafka = createKafka({
    brokers: config.kafkaBrokers as string[],
    clientId: 'commune-pulse-portal-receiver',
    logger,
  });
  await ensureTopics(kafka, [{ topic, numPartitions: 4 }]);
  // Keyed by MaHoSo with the Java client's partitioner: a dossier's records stay in order on one partition.
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  return {
    async append(envelopes) {
      await producer.send({
        topic,
        acks: -1,
        messages: envelopes.map((envelope) => ({
          key: typeof envelope.record.MaHoSo === 'string' ? envelope.record.MaHoSo : null,
          value: JSON.stringify(envelope),
        })),
      });
    },
    close: () => producer.disconnect(),
  };
}
