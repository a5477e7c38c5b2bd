import { createKafka, ensureTopics } from '@commune-pulse/bus';
import { TOPICS } from '@commune-pulse/contracts';
import type { Logger } from '@commune-pulse/runtime';
import kafkajs from 'kafkajs';
import type { PressurePublisher } from './estimate.ts';

/** commune-pressure.v1: one JSON message per commune and period, keyed by commune code. */
export async function kafkaPressurePublisher(brokers: string[], logger: Logger) {
  const kafka = createKafka({ brokers, clientId: 'commune-pulse-estimator', logger });
  await ensureTopics(kafka, [{ topic: TOPICS.communePressure, numPartitions: 4 }]);
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  const publisher: PressurePublisher & { close(): Promise<void> } = {
    async publish(messages) {
      for (let start = 0; start < messages.length; start += 1_000) {
        await producer.send({
          topic: TOPICS.communePressure,
          acks: -1,
          messages: messages.slice(start, start + 1_000).map((message) => ({
            key: message.commune_code,
            value: JSON.stringify(message),
          })),
        });
      }
    },
    close: () => producer.disconnect(),
  };
  return publisher;
}
