import type { Logger } from '@commune-pulse/runtime';
import kafkajs, { type Admin, type Kafka, type LogEntry } from 'kafkajs';
import { registerCompressionCodecs } from './codecs.ts';

const { Kafka: KafkaClient, logLevel: kafkaLogLevel } = kafkajs;

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
export function createKafka(options: { brokers: string[]; clientId: string; logger: Logger }): Kafka {
  registerCompressionCodecs();
  return new KafkaClient({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: kafkaLogLevel.INFO,
    logCreator: kafkaLogCreator(options.logger),
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
  });
}

export interface TopicSpec {
  topic: string;
  numPartitions: number;
}

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(kafka: Kafka, topics: readonly TopicSpec[]): Promise<void> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        // replication factor left to the cluster default (1 on the local broker, 3 on a production cluster)
        topics: missing.map((spec) => ({ topic: spec.topic, numPartitions: spec.numPartitions })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
