import { createKafka, openTopicPublisher } from '@commune-pulse/bus';
import { TOPICS } from '@commune-pulse/contracts';
import type { Logger } from '@commune-pulse/runtime';
import type { AlertPublisher } from './dispatch.ts';

/** commune-alerts.v1, keyed rule:commune_code so that one alert's changes stay in order on one partition. */
export async function kafkaAlertPublisher(brokers: string[], logger: Logger): Promise<AlertPublisher> {
  const kafka = createKafka({ brokers, clientId: 'commune-pulse-alerter', logger });
  const topic = await openTopicPublisher(kafka, { topic: TOPICS.communeAlerts, partitions: 4 });
  return { publish: (messages) => topic.send(messages), close: () => topic.close() };
}
