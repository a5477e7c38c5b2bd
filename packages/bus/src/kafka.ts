import type { Logger } from '@commune-pulse/runtime';
import kafkajs, { type Admin, type LogEntry } from 'kafkajs';
import { type KafkaClient, kafkajsOf, wrapKafka } from './client.ts';
import { registerCompressionCodecs } from './codecs.ts';

const { Kafka, logLevel: kafkaLogLevel } = kafkajs;

/** kafkajs logs through pino, at pino's level names. */
function kafkaLogCreator(logger: Logger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      if (level === kafkaLogLevel.ERROR) logger.error(extra, message);
      else if (level === kafkaLogLevel.WARN) logger.warn(extra, message);
      else if (level === kafkaLogLevel.INFO) logger.debug(extra, message);
      else logger.trace(extra, message);
    };
}

/** The one place a Kafka client is made: the project's codecs registered, logs into pino. */
export function createKafka(options: { brokers: readonly string[]; clientId: string; logger: Logger }): KafkaClient {
  registerCompressionCodecs();
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    logLevel: kafkaLogLevel.INFO,
    logCreator: kafkaLogCreator(options.logger),
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
  });
  return wrapKafka(kafka, options.clientId, options.brokers);
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
}

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(kafka: KafkaClient, topics: readonly TopicSpec[]): Promise<void> {
  const admin: Admin = kafkajsOf(kafka).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        // kafkajs' own wait gives up when a KRaft broker briefly answers "does not host this topic-partition"
        // for a topic it has just created: the wait below retries that too.
        waitForLeaders: false,
        // replication factor left to the cluster default (1 on the local broker, 3 on a production cluster)
        topics: missing.map((spec) => ({ topic: spec.topic, numPartitions: spec.numPartitions })),
      });
      await waitForLeaders(admin, missing);
    }
  } finally {
    await admin.disconnect();
  }
}

/** Errors a broker answers while a new topic's metadata spreads: worth asking again. */
const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);

async function waitForLeaders(admin: Admin, topics: readonly TopicSpec[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: topics.map((spec) => spec.topic) });
      const ready = topics.every((spec) => {
        const partitions = found.find((topic) => topic.name === spec.topic)?.partitions ?? [];
        return partitions.length >= spec.numPartitions && partitions.every((partition) => partition.leader >= 0);
      });
      if (ready) return;
    } catch (error) {
      if (!NOT_YET.has((error as { type?: string }).type ?? '')) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(`the topics ${topics.map((spec) => spec.topic).join(', ')} have no leader after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
