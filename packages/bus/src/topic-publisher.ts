import kafkajs from 'kafkajs';
import { type KafkaClient, kafkajsOf } from './client.ts';
import { ensureTopics } from './kafka.ts';

/** A message to publish: keyed (the key picks the partition), the value as bytes or text. */
export interface OutgoingMessage {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string> | undefined;
}

export interface TopicPublisher {
  readonly topic: string;
  /** Sends the messages in one request, acknowledged by all in-sync replicas. */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The project's producer of one topic, created (with `partitions`) if it does not exist. Messages are keyed and
 * placed by the Java client's partitioner (murmur2 on the key), so a key lands where any other producer's
 * message with that key would. The producer is idempotent with one request in flight: a retried send (a slow
 * broker, a new topic's metadata) writes nothing twice and keeps the order of the sends.
 */
export async function openTopicPublisher(
  kafka: KafkaClient,
  options: { topic: string; partitions: number },
): Promise<TopicPublisher> {
  const { topic } = options;
  await ensureTopics(kafka, [{ topic, numPartitions: options.partitions }]);
  const producer = kafkajsOf(kafka).producer({
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  return {
    topic,
    async send(messages) {
      if (messages.length === 0) return;
      await producer.send({
        topic,
        acks: -1,
        messages: messages.map((message) => ({
          key: message.key,
          value: message.value,
          ...(message.headers === undefined ? {} : { headers: message.headers }),
        })),
      });
    },
    close: () => producer.disconnect(),
  };
}
