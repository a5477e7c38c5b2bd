import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOPICS } from '@commune-pulse/contracts';
import { openWarehouse, type Warehouse } from '@commune-pulse/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaledLines, scaledTruth, smallLines, smallTruth, type Truth } from '../support/example.ts';
import { KAFKA_RUN_TIMEOUT_MS, produceLines, readTopic } from '../support/kafka.ts';
import {
  type RunningProcess,
  runCli,
  startCli,
  stopStartedProcesses,
  uniqueName,
  waitFor,
} from '../support/processes.ts';
import { resolveTestServices } from '../support/services.ts';
import {
  dataQualityTotals,
  dumpAllTables,
  expectRawCountsOf,
  expectTablesReproduced,
  expectTruthReproduced,
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

/**
 * SIGKILLs the consumer as soon as its output shows this many stored chunks (the moment the line arrives, not at
 * the next poll), so that the kill lands inside the following chunk.
 */
async function killAfterStoredChunks(consumer: RunningProcess, chunks: number, what: string): Promise<void> {
  let stored = 0;
  const count = (data: Buffer) => {
    stored += data.toString().split('stored a chunk').length - 1;
    if (stored >= chunks) consumer.child.kill('SIGKILL');
  };
  consumer.child.stdout?.on('data', count);
  consumer.child.stderr?.on('data', count);
  await waitFor(() => stored >= chunks, KAFKA_RUN_TIMEOUT_MS / 4, `${what}: ${chunks} chunks stored`);
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
      // debug: the consumer logs 'stored a chunk' once a chunk's offsets are committed
      const env = { KAFKA_BROKERS: brokers.join(','), KAFKA_SESSION_TIMEOUT_MS: '6000', LOG_LEVEL: 'debug' };
      // Every restart cuts the stream differently (the ledger, not the chunk boundaries, keeps positions once),
      // and each kill lands right after a chunk was stored, inside the next one: between its inserts, its
      // ledger row and the materialized view's data_quality row, or its commit. Chunks before a kill:
      // 20 × 300 + 5 × 1,111 + 30 × 97 + 3 × 4,000 messages at most ~27,000 of 63,200, whatever the machine's load.
      const rounds = [
        { chunkSize: 300, chunksBeforeKill: 20 },
        { chunkSize: 1_111, chunksBeforeKill: 5 },
        { chunkSize: 97, chunksBeforeKill: 30 },
        { chunkSize: 4_000, chunksBeforeKill: 3 },
      ];
      for (const [round, { chunkSize, chunksBeforeKill }] of rounds.entries()) {
        const consumer = startCli(consumerArgs(topic, group, dataDir, ['--chunk-size', String(chunkSize)]), env);
        await killAfterStoredChunks(consumer, chunksBeforeKill, `round ${round}`);
        await consumer.exited;
      }
      const last = await runCli(consumerArgs(topic, group, dataDir, ['--exit-when-idle', '3', '--chunk-size', '503']), {
        ...env,
        LOG_LEVEL: 'info',
      });
      expect(last.code, last.output).toBe(0);
      await withWarehouse(dataDir, async (warehouse) => {
        await expectRawCountsOf(warehouse, truth);
        // The last consumer must have had work left: the kills landed before the end of the stream.
        const lastSummary = JSON.parse(last.output.trim().split('\n').at(-1) as string);
        expect(lastSummary.messages).toBeGreaterThan(0);
        // ... and the killed ones had stored part of it.
        expect(lastSummary.messages).toBeLessThan(truth.lines);
        await expectTablesReproduced(warehouse, truth);
        // data_quality too: a chunk a kill left out of it is completed from the ledger by the next refresh
        expect(await dataQualityTotals(warehouse)).toEqual({
          accepted: truth.accepted_events,
          duplicates: truth.duplicate_lines,
          rejected: truth.invalid_lines,
        });
      });
    },
    KAFKA_RUN_TIMEOUT_MS,
  );
});
