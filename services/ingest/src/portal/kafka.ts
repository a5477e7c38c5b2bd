import { type ConsumedMessage, createKafka, openTopicPublisher } from '@commune-pulse/bus';
import { TOPICS } from '@commune-pulse/contracts';
import type { Logger, RuntimeConfig } from '@commune-pulse/runtime';
import { type KafkaDoor, type KafkaIngestOptions, runKafkaIngest } from '../kafka-ingest.ts';
import {
  addPortalOutcome,
  createPortalAdapter,
  emptyPortalOutcome,
  MAX_PORTAL_ELEMENT_BYTES,
  PORTAL_BLOCKS,
  type PortalElement,
  type PortalOutcome,
  tooLargeElement,
} from './adapter.ts';
import type { PortalCallSink } from './journal.ts';
import { unitMappingOf } from './units.ts';

export const DEFAULT_PORTAL_GROUP = 'commune-pulse-portal';

/** A Kafka message of portal-dossiers.v1 as an adapter element: an envelope, or a record a province produced. */
function elementOf(message: ConsumedMessage): PortalElement {
  const ordinal = Number(message.offset);
  if (message.value !== null && message.value.byteLength > MAX_PORTAL_ELEMENT_BYTES) {
    return tooLargeElement(ordinal, message.value.byteLength);
  }
  const timestamp = Number(message.timestamp);
  return {
    ordinal,
    value: message.value,
    observedAtMs: Number.isFinite(timestamp) && timestamp > 0 ? timestamp : null,
  };
}

/**
 * The door of portal-dossiers.v1 into kafka-ingest's consumer: each chunk goes through the portal adapter, in
 * portal blocks (the topic read as sync records is another source than the topic read as events). The chunk's
 * offset is not committed with its dead letters but by the consumer once the dossiers' states are stored too:
 * an offset committed before them would lose the states of its chunk in a crash. The price is the window the
 * design states for files with a DLQ topic: a crash between the dead letters' transaction and their mark sends
 * them again.
 */
export function portalKafkaDoor(officerKey: string | undefined): KafkaDoor & { total(): PortalOutcome } {
  let total = emptyPortalOutcome();
  return {
    blocks: PORTAL_BLOCKS,
    async open(pipeline) {
      const adapter = createPortalAdapter({
        pipeline,
        warehouse: pipeline.warehouse,
        units: await unitMappingOf(pipeline.warehouse),
        officerKey,
      });
      return async (chunk) => {
        const outcome = await adapter.storeElements(chunk.source, chunk.partition, chunk.messages.map(elementOf));
        total = addPortalOutcome(total, outcome);
        return outcome;
      };
    },
    total: () => total,
  };
}

/**
 * The ingest service's consumer of portal-dossiers.v1: kafka-ingest's chunked, exactly-once consumer with the
 * portal door, in its own group; rejects go to portal-dossiers.v1.dlq.
 */
export async function runPortalKafkaIngest(
  config: RuntimeConfig,
  options: Omit<KafkaIngestOptions, 'door' | 'dlqTopic'> & { officerKey?: string | undefined },
): Promise<PortalOutcome> {
  const { officerKey, ...rest } = options;
  const door = portalKafkaDoor(officerKey);
  await runKafkaIngest(config, {
    ...rest,
    topic: options.topic ?? TOPICS.portalDossiers,
    group: options.group ?? DEFAULT_PORTAL_GROUP,
    dlqTopic: TOPICS.portalDossiersDlq,
    door,
  });
  return door.total();
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
  // Keyed by MaHoSo with the Java client's partitioner: a dossier's records stay in order on one partition.
  const publisher = await openTopicPublisher(kafka, { topic, partitions: 4 });
  return {
    async append(envelopes) {
      await publisher.send(
        envelopes.map((envelope) => ({
          key: typeof envelope.record.MaHoSo === 'string' ? envelope.record.MaHoSo : null,
          value: JSON.stringify(envelope),
        })),
      );
    },
    close: () => publisher.close(),
  };
}
