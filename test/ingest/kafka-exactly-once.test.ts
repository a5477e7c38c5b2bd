import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka } from '@commune-pulse/bus';
import { kafkajsOf } from '@commune-pulse/bus/kafkajs';
import { TOPICS } from '@commune-pulse/contracts';
import { createLogger } from '@commune-pulse/runtime';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledLines, scaledTruth, smallLines, smallTruth } from '../support/example.ts';
import { KAFKA_RUN_TIMEOUT_MS, produceLines, readTopic } from '../support/kafka.ts';
import { runCli, stopStartedProcesses, uniqueName } from '../support/processes.ts';
import { resolveTestServices } from '../support/services.ts';
import { dumpAllTables, expectRawCountsOf, expectTruthReproduced, rawCounts } from '../support/warehouse-checks.ts';

// The Kafka path under what production does to it: a topic re-created under the same name, restarts that cut
// chunks differently and fetch less than a chunk, and poison among valid events. Raw rows, summaries, DLQ.

let brokers: string[];
let stopServices: () => Promise<void> = async () => {};
let root: string;

beforeAll(async () => {
  const services = await resolveTestServices();
  brokers = services.kafkaBrokers;
  stopServices = services.stop;
  root = mkdtempSync(join(tmpdir(), 'cp-kafka-eo-'));
});
afterAll(async () => {
  await stopStartedProcesses();
  await stopServices();
  rmSync(root, { recursive: true, force: true });
});

async function withWarehouse<T>(dataDir: string, run: (warehouse: Warehouse) => Promise<T>): Promise<T> {
  const warehouse = await openWarehouse({ dataDir });
  try {
    return await run(warehouse);
  } finally {
    await warehouse.close();
  }
}

interface Summary {
  messages: number;
  accepted: number;
  duplicates: number;
  redelivered: number;
  rejected: number;
  rejected_by_reason: Record<string, number>;
}

async function consume(topic: string, group: string, dataDir: string, extra: string[] = []) {
  const run = await runCli(
    [
      'ingest',
      '--kafka',
      '--topic',
      topic,
      '--group',
      group,
      '--data-dir',
      dataDir,
      '--json',
      '--exit-when-idle',
      '3',
      ...extra,
    ],
    { KAFKA_BROKERS: brokers.join(','), LOG_LEVEL: 'info' },
  );
  expect(run.code, run.output).toBe(0);
  const line = run.output
    .trim()
    .split('\n')
    .findLast((text) => text.startsWith('{"messages"'));
  if (!line) throw new Error(`no summary in the output:\n${run.output.slice(-2000)}`);
  return { summary: JSON.parse(line) as Summary, output: run.output };
}

describe('a topic deleted and created again under the same name', () => {
  it('is a new source: its events are stored, and the change is logged', async () => {
    const topic = uniqueName('dossier-events.v1.recreated');
    const group = uniqueName('group');
    const dataDir = join(root, 'recreated');
    const truth = smallTruth();
    await produceLines(brokers, topic, smallLines());
    const first = await consume(topic, group, dataDir);
    expect(first.summary).toMatchObject({ messages: truth.lines, accepted: truth.accepted_events });

    const admin = kafkajsOf(
      createKafka({ brokers, clientId: 'test-recreate', logger: createLogger('test', 'silent') }),
    ).admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [topic] });
      // deletion completes in the background: wait until the name is free again
      for (let attempt = 0; (await admin.listTopics()).includes(topic); attempt += 1) {
        if (attempt > 600) throw new Error(`the topic ${topic} was not deleted`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await admin.disconnect();
    }
    // New events, offsets from 0 again: positions the ledger holds under the old topic's id.
    const later = scaledLines(2);
    await produceLines(brokers, topic, later);
    const second = await consume(topic, group, dataDir);
    const laterTruth = scaledTruth(2);
    expect(second.summary).toMatchObject({
      messages: laterTruth.lines,
      accepted: laterTruth.accepted_events,
      redelivered: 0,
    });
    expect(second.output).toContain('the topic was re-created');
    await withWarehouse(dataDir, async (warehouse) => {
      expect(await rawCounts(warehouse)).toEqual({
        events: truth.accepted_events + laterTruth.accepted_events,
        claims: truth.accepted_events + laterTruth.accepted_events,
        rejects: truth.invalid_lines + laterTruth.invalid_lines,
        ledger_deliveries: truth.lines + laterTruth.lines,
      });
      const sources = await warehouse.query<{ topic_id: string }>(
        "SELECT topic_id FROM ingest_sources FINAL WHERE kind = 'kafka' AND label = {topic:String}",
        { topic },
      );
      expect(new Set(sources.map((row) => row.topic_id)).size).toBe(2);
    });
  });
});

describe('restarts that cut the stream differently', () => {
  it(
    'store each position once with another chunk size and with fetches smaller than a chunk',
    async () => {
      const copies = 10;
      const truth = scaledTruth(copies);
      const lines = scaledLines(copies);
      const topic = uniqueName('dossier-events.v1.cuts');
      const group = uniqueName('group');
      const dataDir = join(root, 'cuts');
      await produceLines(brokers, topic, lines);
      // A first consumer stores everything with one cut; the group's offsets are then reset to the beginning, as
      // an operator replaying the topic would, and two more runs read it all again, cut otherwise.
      const first = await consume(topic, group, dataDir, ['--chunk-size', '700']);
      expect(first.summary).toMatchObject({ messages: truth.lines, accepted: truth.accepted_events });
      const admin = kafkajsOf(
        createKafka({ brokers, clientId: 'test-reset', logger: createLogger('test', 'silent') }),
      ).admin();
      await admin.connect();
      try {
        for (const cut of [
          ['--chunk-size', '97'],
          ['--chunk-size', '5000', '--fetch-bytes', '4096'],
        ]) {
          await admin.resetOffsets({ groupId: group, topic, earliest: true });
          const again = await consume(topic, group, dataDir, cut);
          expect(again.summary, cut.join(' ')).toMatchObject({
            messages: truth.lines,
            accepted: 0,
            duplicates: 0,
            rejected: 0,
            redelivered: truth.lines,
          });
        }
      } finally {
        await admin.disconnect();
      }
      await withWarehouse(dataDir, async (warehouse) => {
        await expectRawCountsOf(warehouse, truth);
        await expectTruthReproduced(warehouse, truth);
      });
      const letters = (await readTopic(brokers, TOPICS.dossierEventsDlq)).filter(
        (message) => message.headers.dlq_source_topic === topic,
      );
      expect(letters).toHaveLength(truth.invalid_lines);
    },
    KAFKA_RUN_TIMEOUT_MS,
  );
});

describe('poison on a partition', () => {
  it('is dead-lettered message by message while the partition moves on', async () => {
    const truth = smallTruth();
    const valid = JSON.parse(smallLines().find((line) => line.includes('"received"')) as string) as Record<
      string,
      unknown
    >;
    const poison = [
      `{"schema":"dossier-event/1","nested":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      JSON.stringify({ ...valid, event_id: 'kafka-poison-emoji', dossier_id: 'HS-cut-\ud83d' }),
      JSON.stringify({
        ...valid,
        event_id: 'kafka-poison-0001',
        occurred_at: '0001-01-01T00:00:00Z',
        due_at: '0001-01-02T00:00:00Z',
      }),
      JSON.stringify({ ...valid, event_id: 'kafka-poison-pii', channel: 'Lê Văn Tám 079123456789' }),
    ];
    const topic = uniqueName('dossier-events.v1.poison');
    const dataDir = join(root, 'poison');
    await produceLines(brokers, topic, [...poison, ...smallLines()], { partitions: 1 });
    const { summary } = await consume(topic, uniqueName('group'), dataDir);
    expect(summary).toMatchObject({
      messages: truth.lines + poison.length,
      accepted: truth.accepted_events,
      rejected: truth.invalid_lines + poison.length,
    });
    await withWarehouse(dataDir, async (warehouse) => {
      expect(await rawCounts(warehouse)).toMatchObject({ events: truth.accepted_events });
      for (const [table, text] of await dumpAllTables(warehouse)) {
        expect(text.includes('079123456789'), table).toBe(false);
      }
    });
    const letters = (await readTopic(brokers, TOPICS.dossierEventsDlq)).filter(
      (message) => message.headers.dlq_source_topic === topic,
    );
    expect(letters).toHaveLength(truth.invalid_lines + poison.length);
    for (const letter of letters) expect(JSON.stringify(letter.headers)).not.toContain('079123456789');
  });
});
