import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKafka, ensureTopics } from '@commune-pulse/bus';
import { kafkajsOf } from '@commune-pulse/bus/kafkajs';
import { createLogger } from '@commune-pulse/runtime';
import kafkajs, { type IHeaders, type KafkaMessage } from 'kafkajs';

const logger = createLogger('test-kafka', 'silent');

/**
 * The time limit of a test that runs several consumer processes, each reading tens of thousands of messages:
 * minutes on two busy cores. Such a test waits on conditions throughout; this only bounds a run that hangs.
 */
export const KAFKA_RUN_TIMEOUT_MS = 360_000;

/** The project's client handle, for the bus package's functions (ensureTopics, …). */
export function testBus(brokers: string[]) {
  return createKafka({ brokers, clientId: 'commune-pulse-test', logger });
}

/** The kafkajs client itself, for tests that produce, read or administer topics directly. */
export function testKafka(brokers: string[]) {
  return kafkajsOf(testBus(brokers));
}

/** The dossier id of a line when it has one: producers key by it, as the contract asks. */
function keyOf(line: string): string | null {
  try {
    const value = JSON.parse(line) as { dossier_id?: unknown };
    return typeof value.dossier_id === 'string' && value.dossier_id !== '' ? value.dossier_id : null;
  } catch {
    return null;
  }
}

export async function produceLines(
  brokers: string[],
  topic: string,
  lines: readonly string[],
  options: { partitions?: number; compression?: number } = {},
): Promise<void> {
  await ensureTopics(testBus(brokers), [{ topic, numPartitions: options.partitions ?? 4 }]);
  const kafka = testKafka(brokers);
  const producer = kafka.producer({
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
    // a retried send (a slow broker, a new topic's metadata) writes nothing twice: the counts stay exact
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  try {
    for (let start = 0; start < lines.length; start += 2_000) {
      await producer.send({
        topic,
        compression: options.compression,
        messages: lines.slice(start, start + 2_000).map((line) => ({ key: keyOf(line), value: line })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ConsumedMessage {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

function headerText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    out[name] = Array.isArray(value) ? String(value[0]) : String(value ?? '');
  }
  return out;
}

/**
 * Reads a topic from the beginning: up to its end as it is when called (each partition's high watermark then;
 * transaction markers count as read), or, with `count`, until that many messages arrived. It waits on that
 * condition, not on a quiet window, and fails after `timeoutMs` rather than return a part of the topic.
 */
export async function readTopic(
  brokers: string[],
  topic: string,
  options: { count?: number; timeoutMs?: number } = {},
): Promise<ConsumedMessage[]> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const kafka = testKafka(brokers);
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(high) > BigInt(low)) ends.set(partition, BigInt(high) - 1n);
    }
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: `reader-${Date.now()}-${Math.random()}` });
  const messages: ConsumedMessage[] = [];
  const reached = new Map<number, bigint>();
  const done = () =>
    options.count !== undefined
      ? messages.length >= options.count
      : [...ends].every(([partition, end]) => (reached.get(partition) ?? -1n) >= end);
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${messages.length} messages of ${topic} in ${timeoutMs} ms, not to its end`)),
        timeoutMs,
      );
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        resolve();
      };
      // Emitted for every batch, also one holding only a transaction marker: how far each partition was read.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        reached.set(payload.partition, BigInt(payload.lastOffset));
        check();
      });
      check();
      void consumer.run({
        eachMessage: async ({ message }: { message: KafkaMessage }) => {
          messages.push({
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? null,
            headers: headerText(message.headers),
          });
          if (options.count !== undefined) check();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** The classpath of the Maven Central Kafka jars that `pnpm services:up` resolved, when it did. */
export function localKafkaClasspath(): string | null {
  const dir = process.env.COMMUNE_PULSE_SERVICES_DIR ?? join(import.meta.dirname, '..', '..', '.cache', 'services');
  const file = join(dir, 'kafka.classpath');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

/**
 * Produces lines with Kafka's own Java console producer, compressed with a codec kafkajs cannot decode by
 * itself (snappy batches from Java come in xerial framing): what a province's Java system would send.
 */
export async function produceWithJavaProducer(
  classpath: string,
  brokers: string[],
  topic: string,
  lines: readonly string[],
  codec: 'gzip' | 'snappy' | 'lz4' | 'zstd',
): Promise<void> {
  await ensureTopics(testBus(brokers), [{ topic, numPartitions: 2 }]);
  const child = spawn(
    'java',
    [
      '-Xmx192m',
      '-XX:+UseSerialGC',
      '-XX:TieredStopAtLevel=1',
      '-cp',
      classpath,
      'org.apache.kafka.tools.ConsoleProducer',
      '--bootstrap-server',
      brokers.join(','),
      '--topic',
      topic,
      '--compression-codec',
      codec,
      '--batch-size',
      '500',
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let errors = '';
  child.stderr.on('data', (chunk) => {
    errors += chunk.toString();
  });
  child.stdin.end(`${lines.join('\n')}\n`);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the Java console producer failed (${code}): ${errors.slice(-2000)}`);
}
