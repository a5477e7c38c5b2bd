import type { Kafka } from 'kafkajs';

/**
 * A Kafka client as the rest of the project holds it: an opaque handle. kafkajs' own types stay inside this
 * package, so another client library could replace it without touching a service.
 */
export interface KafkaClient {
  readonly clientId: string;
  readonly brokers: readonly string[];
}

const clients = new WeakMap<KafkaClient, Kafka>();

export function wrapKafka(kafka: Kafka, clientId: string, brokers: readonly string[]): KafkaClient {
  const client: KafkaClient = Object.freeze({ clientId, brokers: [...brokers] });
  clients.set(client, kafka);
  return client;
}

/** The kafkajs client behind a handle: for this package's modules and for tests (`@commune-pulse/bus/kafkajs`). */
export function kafkajsOf(client: KafkaClient): Kafka {
  const kafka = clients.get(client);
  if (kafka === undefined) throw new Error('not a Kafka client made by createKafka');
  return kafka;
}
