import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  createDeadLetterPublisher,
  type DeadLetterPublisher,
  type KafkaClient,
  type OffsetInTransaction,
} from '@commune-pulse/bus';
import { DLQ_HEADERS, dlqSourceHeaders, elementOf, type Reject, type Source, TOPICS } from '@commune-pulse/contracts';
import type { Logger } from '@commune-pulse/runtime';
import type { SourceMessage } from './chunk-plan.ts';

/** A rejected delivery on its way to the DLQ. */
export interface DeadLetterItem {
  source: Source;
  partition: number;
  message: SourceMessage;
  reject: Reject;
}

/**
 * Where rejects go besides `ingest_rejects`: the DLQ topic, or a file when no broker is configured. Each send is
 * followed by a mark in the warehouse (docs/design/exactly-once.md, step 7).
 */
export interface DeadLetterSink {
  /** the name its marks are recorded under */
  readonly id: string;
  /** where people find the letters */
  readonly location: string;
  /**
   * Sends durably the letters of one source partition. `commit`: the Kafka offset after the chunk, committed in
   * the same transaction (a Kafka source and the DLQ topic). Resolves to the sink's size after the send (a
   * file's length; 0 for a topic).
   */
  send(
    source: Source,
    partition: number,
    letters: readonly DeadLetterItem[],
    commit?: OffsetInTransaction,
  ): Promise<number>;
  /** Whether this sink commits a Kafka offset with its letters. */
  readonly transactional: boolean;
  /** Takes the partition's transactional id now, fencing a consumer that held it before (Kafka sink). */
  claim?(source: Source, partition: number): Promise<void>;
  /** Undoes what was sent after the last mark: a file cut back to the length its last mark recorded. */
  recover?(lastMarkedSize: number | null): Promise<void>;
  /** The sink's size now (a file's length), recorded as the baseline when it is first used. */
  size(): Promise<number>;
  close(): Promise<void>;
}

/**
 * The dlq_* headers of a reject: the reason, the detail and where the message came from (the offset or line of
 * the element, also where an adapter gave each element a block of positions).
 */
export function deadLetterHeaders(item: DeadLetterItem): Record<string, string> {
  const { source, partition, message, reject } = item;
  const element = elementOf(source, message.position);
  return {
    [DLQ_HEADERS.reason]: reject.reason,
    [DLQ_HEADERS.detail]: reject.detail,
    ...dlqSourceHeaders(
      source.identity.kind === 'kafka'
        ? { kind: 'kafka', topic: source.identity.topic, partition, offset: element }
        : { kind: 'file', file: source.label, line: element },
    ),
  };
}

/** The publisher's DLQ topic, through transactional producers (one per source partition, or one per imported file). */
export function topicDeadLetterSink(publisher: DeadLetterPublisher, transactionalIdPrefix: string): DeadLetterSink {
  const transactionalId = (source: Source, partition: number) => `${transactionalIdPrefix}-${source.key}-${partition}`;
  return {
    id: `topic:${publisher.topic}`,
    location: `the topic ${publisher.topic}`,
    transactional: true,
    claim: (source, partition) => publisher.claim(transactionalId(source, partition)),
    async send(source, partition, letters, commit) {
      await publisher.send(
        transactionalId(source, partition),
        letters.map((item) => ({
          key: item.message.key ?? null,
          value: item.message.value,
          headers: deadLetterHeaders(item),
        })),
        commit,
      );
      return 0;
    },
    size: async () => 0,
    close: () => publisher.close(),
  };
}

/**
 * The DLQ topic on `kafka` as a sink: the one way both the consumers and the file imports build it. Transactional
 * ids are `<prefix>-<source key>-<partition>`.
 */
export function kafkaDeadLetterSink(
  kafka: KafkaClient,
  options: { topic: string; transactionalIdPrefix: string; logger: Logger },
): DeadLetterSink {
  return topicDeadLetterSink(
    createDeadLetterPublisher(kafka, options.topic, options.logger),
    options.transactionalIdPrefix,
  );
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Without a broker, dead letters go to an NDJSON file beside the warehouse: the original bytes (as text) with the
 * dlq_* headers the topic would carry, and that topic's name. Each append is fsynced; a lock file keeps a second
 * process out, since an append that lost its mark is cut off when the file is next opened.
 */
export function fileDeadLetterSink(
  path: string,
  topic: string = TOPICS.dossierEventsDlq,
): DeadLetterSink & { path: string } {
  const absolute = resolve(path);
  const lockPath = `${absolute}.lock`;
  let locked = false;

  async function lock() {
    if (locked) return;
    await mkdir(dirname(absolute), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const fd = openSync(lockPath, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        locked = true;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number(readFileSync(lockPath, 'utf8'));
        if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder)) {
          throw new Error(
            `the dead-letter file ${absolute} is in use by process ${holder}: stop it, or give this import another --data-dir`,
          );
        }
        unlinkSync(lockPath); // left by a process that is gone
      }
    }
    throw new Error(`cannot lock the dead-letter file ${absolute} (${lockPath})`);
  }

  return {
    id: `file:${absolute}`,
    location: absolute,
    path: absolute,
    transactional: false,
    async recover(lastMarkedSize) {
      await lock();
      if (lastMarkedSize === null || !existsSync(absolute)) return;
      if (statSync(absolute).size > lastMarkedSize) truncateSync(absolute, lastMarkedSize);
    },
    size: async () => (existsSync(absolute) ? statSync(absolute).size : 0),
    async send(_source, _partition, letters) {
      await lock();
      const text = letters
        .map((item) =>
          JSON.stringify({
            topic,
            headers: deadLetterHeaders(item),
            value: item.message.value === null ? null : item.message.value.toString(),
          }),
        )
        .join('\n');
      const fd = openSync(absolute, 'a');
      try {
        writeSync(fd, `${text}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return statSync(absolute).size;
    },
    async close() {
      if (locked && existsSync(lockPath)) unlinkSync(lockPath);
      locked = false;
    },
  };
}
