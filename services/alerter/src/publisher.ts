import { createKafka, ensureTopics } from '@commune-pulse/bus';
import { TOPICS } from '@commune-pulse/contracts';
import type { Logger } from '@commune-pulse/runtime';
import kafkajs from 'kafkajs';
import type { AlertPublisher } from './dispatch.ts';

/** commune-alerts.v1, keyed rule:commune_code so that one alert's changes stay in order on one partition. */
export async function kafkaAlertPublisher(brokers: string[], logger: Logger): Promise<AlertPublisher> {
  const kafka = createKafka({ brokers, clientId: 'commune-pulse-alerter', logger });
  await ensureTopics(kafka, [{ topic: TOPICS.communeAlerts, numPartitions: 4 }]);
  const producer = kafka.producer({ createPartitioner: kafkajs.Partitioners.DefaultPartitioner });
  await producer.connect();
  return {
    async publish(messages) {
      if (messages.length === 0) return;
      await producer.send({
        topic: TOPICS.communeAlerts,
        acks: -1,
        messages: messages.map((message) => ({ key: message.key, value: message.value, headers: message.headers })),
      });
    },
    close: () => producer.disconnect(),
  };
}
