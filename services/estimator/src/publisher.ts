import { createKafka, openTopicPublisher } from '@commune-pulse/bus';
import { TOPICS } from '@commune-pulse/contracts';
import type { Logger } from '@commune-pulse/runtime';
import type { PressurePublisher } from './estimate.ts';

/** commune-pressure.v1: one JSON message per commune and period, keyed by commune code. */
export async function kafkaPressurePublisher(brokers: string[], logger: Logger) {
  const kafka = createKafka({ brokers, clientId: 'commune-pulse-estimator', logger });
  const topic = await openTopicPublisher(kafka, { topic: TOPICS.communePressure, partitions: 4 });
  const publisher: PressurePublisher & { close(): Promise<void> } = {
    async publish(messages) {
      for (let start = 0; start < messages.length; start += 1_000) {
        await topic.send(
          messages.slice(start, start + 1_000).map((message) => ({
            key: message.commune_code,
            value: JSON.stringify(message),
          })),
        );
      }
    },
    close: () => topic.close(),
  };
  return publisher;
}
