import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@commune-pulse/contracts';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledLines, scaledTruth, smallLines, smallTruth, type Truth } from '../support/example.ts';
import { KAFKA_RUN_TIMEOUT_MS, produceLines, readTopic } from '../support/kafka.ts';
import { runCli, sleep, startCli, stopStartedProcesses, uniqueName, waitFor } from '../support/processes.ts';
import { resolveTestServices } from '../support/services.ts';
import {
  dataQualityTotals,
  dumpAllTables,
  expectTablesReproduced,
  expectTruthReproduced,
  rawCounts,
} from '../support/warehouse-checks.ts';

let brokers: string[];
let stopServices: () => Promise<void> = async () => {};
let root: string;

beforeAll(async () => {
  const services = await resolveTestServices();
  brokers = services.kafkaBrokers;
  stopServices = services.stop;
  root = mkdtempSync(join(tmpdir(), 'cp-kafka-ingest-'));
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

function consumerArgs(topic: string, group: string, dataDir: string, extra: string[] = []) {
  return ['ingest', '--kafka', '--topic', topic, '--group', group, '--data-dir', dataDir, '--json', ...extra];
}

describe('ingest from Kafka into the embedded warehouse', () => {
  it('reproduces the small example and sends each reject to the DLQ with its reason and original bytes', async () => {
    const topic = uniqueName('dossier-events.v1.test');
    const dataDir = join(root, 'small');
    const lines = smallLines();
    await produceLines(brokers, topic, lines);
    const run = await runCli(consumerArgs(topic, uniqueName('group'), dataDir, ['--exit-when-idle', '3']), {
      KAFKA_BROKERS: brokers.join(','),
    });
    expect(run.code, run.output).toBe(0);
    const summary = JSON.parse(run.output.trim().split('\n').at(-1) as string);
    const truth = smallTruth();
    // The summary counts what the consumer saw; accepted and duplicates across chunks are settled by the
    // ledger, which expectTruthReproduced reads.
    expect(summary).toMatchObject({ messages: truth.lines, rejected: truth.invalid_lines });
    await withWarehouse(dataDir, async (warehouse) => {
      await expectTruthReproduced(warehouse, truth);
      for (const [table, text] of await dumpAllTables(warehouse)) {
        for (const pii of truth.pii_strings) expect(text.includes(pii), `${pii} in ${table}`).toBe(false);
      }
    });
    const dlq = (await readTopic(brokers, TOPICS.dossierEventsDlq)).filter(
      (message) => message.headers.dlq_source_topic === topic,
    );
    expect(dlq).toHaveLength(truth.invalid_lines);
    const byLine = new Set(lines);
    for (const message of dlq) {
      expect(byLine.has(message.value ?? '')).toBe(true);
      expect(message.headers.dlq_reason).toMatch(/^[a-z_]+$/);
      expect(message.headers.dlq_detail).toBeTruthy();
      expect(Number(message.headers.dlq_source_partition)).toBeGreaterThanOrEqual(0);
      expect(Number(message.headers.dlq_source_offset)).toBeGreaterThanOrEqual(0);
    }
  });

  it(
    'stores each event exactly once when the consumer is killed with SIGKILL mid-batch, again and again',
    async () => {
      const copies = 20;
      const truth: Truth = scaledTruth(copies);
      const topic = uniqueName('dossier-events.v1.kill');
      const group = uniqueName('group');
      const dataDir = join(root, 'kill');
      await produceLines(brokers, topic, scaledLines(copies));
      const env = { KAFKA_BROKERS: brokers.join(','), KAFKA_SESSION_TIMEOUT_MS: '6000', LOG_LEVEL: 'info' };
      const kills: number[] = [];
      for (let round = 0; round < 4; round++) {
        // every restart cuts the stream differently: the ledger, not the chunk boundaries, keeps positions once
        const chunkSize = String([300, 1_111, 97, 4_000][round]);
        const consumer = startCli(consumerArgs(topic, group, dataDir, ['--chunk-size', chunkSize]), env);
        // Once it holds its partitions, let it store for a moment and kill it wherever it is.
        await waitFor(() => consumer.output().includes('joined the consumer group'), 60_000);
        await sleep(300 + round * 400);
        consumer.child.kill('SIGKILL');
        kills.push(round);
        await consumer.exited;
      }
      const last = await runCli(
        consumerArgs(topic, group, dataDir, ['--exit-when-idle', '3', '--chunk-size', '503']),
        env,
      );
      expect(last.code, last.output).toBe(0);
      expect(kills).toHaveLength(4);
      await withWarehouse(dataDir, async (warehouse) => {
        expect(await rawCounts(warehouse)).toEqual({
          events: truth.accepted_events,
          claims: truth.accepted_events,
          rejects: truth.invalid_lines,
          ledger_deliveries: truth.lines,
        });
        // The last consumer must have had work left: the kills landed before the end of the stream.
        const lastSummary = JSON.parse(last.output.trim().split('\n').at(-1) as string);
        expect(lastSummary.messages).toBeGreaterThan(0);
        // ... and the killed ones had stored part of it.
        expect(lastSummary.messages).toBeLessThan(truth.lines);
        await expectTablesReproduced(warehouse, truth);
        // The known hole (README, "How the numbers stay exact"): a kill between a ledger insert and its
        // materialized view's insert leaves that chunk out of data_quality. It never counts a chunk twice.
        const quality = await dataQualityTotals(warehouse);
        expect(quality?.accepted).toBeLessThanOrEqual(truth.accepted_events);
        expect(quality?.duplicates).toBeLessThanOrEqual(truth.duplicate_lines);
        expect(quality?.rejected).toBeLessThanOrEqual(truth.invalid_lines);
      });
    },
    KAFKA_RUN_TIMEOUT_MS,
  );
});
